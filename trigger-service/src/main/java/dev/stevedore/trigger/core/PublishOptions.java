package dev.stevedore.trigger.core;

import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.TraceContext;
import java.util.Objects;
import java.util.Optional;

/**
 * What goes with a signed request to its {@link RequestSink}, besides the request: the request's own
 * rollout policy (an override within the configured bounds), a deploy-window override
 * ({@code by <requester>: <why>}), and the W3C trace context of the HTTP request that asked for it.
 * A sink straight to the requests topic uses only the trace; the rollout sink uses all three.
 */
public record PublishOptions(Optional<RolloutPolicy> rollout, Optional<String> windowOverride, Optional<TraceContext> trace) {
  /** None of them. */
  public static final PublishOptions NONE = new PublishOptions(Optional.empty(), Optional.empty(), Optional.empty());

  public PublishOptions {
    Objects.requireNonNull(rollout, "rollout");
    Objects.requireNonNull(windowOverride, "windowOverride");
    Objects.requireNonNull(trace, "trace");
  }

  /** Only a rollout policy override. */
  public static PublishOptions rollout(RolloutPolicy policy) {
    return new PublishOptions(Optional.of(policy), Optional.empty(), Optional.empty());
  }

  /** Only a trace context (what a sink straight to the topic passes on). */
  public static PublishOptions traced(Optional<TraceContext> trace) {
    return new PublishOptions(Optional.empty(), Optional.empty(), trace);
  }

  /** These options with a deploy-window override. */
  public PublishOptions withWindowOverride(String why) {
    return new PublishOptions(rollout, Optional.of(why), trace);
  }
}
