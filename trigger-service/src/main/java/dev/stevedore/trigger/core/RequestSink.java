package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.TraceContext;
import io.vertx.core.Future;
import java.util.Optional;

/** Where signed requests go: Kafka in production, a list in unit tests. Completes on acknowledgement. */
public interface RequestSink {
  Future<Void> publish(DeployRequested request);

  /** With the request's own rollout policy (an override within the configured bounds); ignored by plain sinks. */
  default Future<Void> publish(DeployRequested request, Optional<RolloutPolicy> rollout) {
    return publish(request);
  }

  /**
   * With the rollout override and a deploy-window override ({@code by <requester>: <why>}: start
   * even outside the environment's deploy windows); plain sinks ignore both.
   */
  default Future<Void> publish(DeployRequested request, Optional<RolloutPolicy> rollout, Optional<String> windowOverride) {
    return publish(request, rollout);
  }

  /**
   * With the W3C trace context of the HTTP request that asked for it too, which the request
   * carries as its {@code traceparent}/{@code tracestate} extension attributes; plain sinks drop it.
   */
  default Future<Void> publish(DeployRequested request, Optional<RolloutPolicy> rollout, Optional<String> windowOverride,
      Optional<TraceContext> trace) {
    return publish(request, rollout, windowOverride);
  }

  /** Straight to the requests topic, with the trace context's extension attributes; plain sinks drop it. */
  default Future<Void> publishTraced(DeployRequested request, Optional<TraceContext> trace) {
    return publish(request);
  }
}
