package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployRequested;
import io.vertx.core.Future;

/** Where signed requests go: Kafka in production, a list in unit tests. Completes on acknowledgement. */
public interface RequestSink {
  /**
   * Publishes {@code request} with its {@link PublishOptions}: a sink straight to the requests topic
   * puts the trace context on the record and ignores the rest; the rollout sink uses all of them.
   */
  Future<Void> publish(DeployRequested request, PublishOptions options);

  /** With no options. */
  default Future<Void> publish(DeployRequested request) {
    return publish(request, PublishOptions.NONE);
  }
}
