package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.core.PublishOptions;
import dev.stevedore.trigger.core.RequestSink;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the trigger's signed requests go once rollouts exist: a version blocked fleet-wide is
 * refused (409, with how to lift it); a request whose policy is {@code all-at-once} (the default)
 * goes straight to the requests topic as before; any other becomes a {@code pending} rollout state
 * on the compacted state topic, which the coordinator that owns its key plans and runs. Rollback
 * requests are never held in waves (they restore what ran).
 */
public final class RolloutSink implements RequestSink {
  private final RequestSink direct;
  private final Blocklist blocklist;
  private final RolloutPolicies policies;
  private final RolloutMachine machine;
  private final Function<RolloutState, Future<Void>> record;
  private final boolean enabled;
  private final Clock clock;
  private final DeployWindows windows;

  /** @param record signs and writes a state to {@code stevedore.rollout.state}; completes on acknowledgement */
  public RolloutSink(RequestSink direct, Blocklist blocklist, RolloutPolicies policies, RolloutMachine machine,
      Function<RolloutState, Future<Void>> record, boolean enabled, Clock clock) {
    this(direct, blocklist, policies, machine, record, enabled, clock, new DeployWindows(java.util.Map.of()));
  }

  /**
   * @param windows the deploy windows: a request outside them is refused (409 with the next opening)
   *     or recorded as a pending rollout that the coordinator starts at the opening, per environment
   */
  public RolloutSink(RequestSink direct, Blocklist blocklist, RolloutPolicies policies, RolloutMachine machine,
      Function<RolloutState, Future<Void>> record, boolean enabled, Clock clock, DeployWindows windows) {
    this.windows = windows;
    this.direct = direct;
    this.blocklist = blocklist;
    this.policies = policies;
    this.machine = machine;
    this.record = record;
    this.enabled = enabled;
    this.clock = clock;
  }

  /**
   * {@code options.trace()} goes on a request published now, and into a pending rollout's state (its
   * waves carry it); {@code options.rollout()} overrides the policy within the configured bounds;
   * {@code options.windowOverride()} starts it outside the environment's deploy windows.
   */
  @Override
  public Future<Void> publish(DeployRequested r, PublishOptions options) {
    Optional<RolloutPolicy> override = options.rollout();
    Optional<String> windowOverride = options.windowOverride();
    Optional<TraceContext> trace = options.trace();
    boolean rollback = "rollback".equals(r.trigger());
    Optional<VersionBlocked> block = blocklist.block(r.environment(), r.service(), r.version());
    if (block.isPresent() && !rollback) {
      VersionBlocked b = block.get();
      return Future.failedFuture(HttpProblem.of(409, "version " + r.version() + " of " + r.environment() + "/"
          + r.service() + " is blocked fleet-wide since rollout " + b.rolloutId() + " halted (" + b.reason()
          + "); a deployer lifts it with DELETE /api/v1/blocks/" + r.environment() + "/" + r.service() + "/"
          + r.version() + " and a reason"));
    }
    if (!enabled || rollback) {
      if (override.isPresent() && !enabled) {
        return Future.failedFuture(HttpProblem.badRequest("rollouts are disabled on this trigger (rollouts.enabled)"));
      }
      return direct.publish(r, PublishOptions.traced(trace));
    }
    RolloutPolicy policy;
    try {
      policy = policies.resolve(r.environment(), r.service(), override);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(HttpProblem.badRequest(e.getMessage()));
    }
    Instant now = clock.instant();
    DeployWindows.Decision window = windowOverride.isPresent() ? null : windows.decide(r.environment(), now);
    boolean closed = window != null && !window.open();
    if (closed && window.refuse()) {
      return Future.failedFuture(HttpProblem.of(409, r.environment() + " is closed for deploys now (" + window.reason()
          + "); " + window.opensAt().map(t -> "it opens at " + t).orElse("it does not open within a year")
          + "; a deployer may override with \"windowOverride\": \"<reason>\""));
    }
    if (policy.strategy() == RolloutStrategy.ALL_AT_ONCE && !closed) {
      return direct.publish(r, PublishOptions.traced(trace));
    }
    // Outside a window (wait), or overridden: a pending rollout that records it; all-at-once is one wave.
    String detail = closed ? "waiting for a deploy window (" + window.reason() + "), next opening "
        + window.opensAt().map(Instant::toString).orElse("none within a year") : "requested";
    return record.apply(machine.pending(r.deploymentId(), r.environment(), r.service(), r.version(), policy, r.time(),
        r.trigger(), r.requestedBy(), r.reason(), r.commit(), r.branch(), r.repository(), windowOverride.orElse(null),
        detail, now, trace));
  }
}
