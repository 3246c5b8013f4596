package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.history.DeploymentHistory;
import dev.stevedore.trigger.schedule.Schedule;
import dev.stevedore.trigger.schedule.ScheduleService;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The manual API's use cases: deploy now or hold until {@code notBefore}, and roll a deployment
 * back to the version that succeeded before it. Ids are derived from the caller and its delivery
 * id, so a retried call is the same deployment.
 */
public final class ManualDeployments {
  private final Submitter submitter;
  private final ScheduleService schedules;
  private final Optional<DeploymentHistory> history;
  private final Clock clock;
  private final Optional<Unblocks> unblocks;
  private final Optional<Cancellations> cancellations;

  public ManualDeployments(Submitter submitter, ScheduleService schedules, Optional<DeploymentHistory> history,
      Clock clock) {
    this(submitter, schedules, history, clock, Optional.empty());
  }

  public ManualDeployments(Submitter submitter, ScheduleService schedules, Optional<DeploymentHistory> history,
      Clock clock, Optional<Unblocks> unblocks) {
    this(submitter, schedules, history, clock, unblocks, Optional.empty());
  }

  public ManualDeployments(Submitter submitter, ScheduleService schedules, Optional<DeploymentHistory> history,
      Clock clock, Optional<Unblocks> unblocks, Optional<Cancellations> cancellations) {
    this.submitter = submitter;
    this.schedules = schedules;
    this.history = history;
    this.clock = clock;
    this.unblocks = unblocks;
    this.cancellations = cancellations;
  }

  /**
   * Withdraws a published deployment where it still waits (see {@link Cancellations}): its service
   * and environment come from the verified history, never from the caller. 501 without history or
   * where this instance cannot publish cancellations, 404 for a deployment the history does not know
   * (a schedule not yet published is cancelled with {@code DELETE /api/v1/schedules/{id}}).
   */
  public Future<Cancellations.Cancelled> cancel(String caller, String delivery, CancelRequest request) {
    if (history.isEmpty() || cancellations.isEmpty()) {
      return Future.failedFuture(HttpProblem.of(501, "cancelling needs history.enabled: true"));
    }
    Optional<DeploymentHistory.Requested> known = history.get().request(request.deploymentId());
    if (known.isEmpty()) {
      return Future.failedFuture(HttpProblem.of(404, "deployment " + request.deploymentId()
          + " is not known to this trigger (a schedule not yet published is cancelled with DELETE /api/v1/schedules/{id})"));
    }
    DeploymentHistory.Requested d = known.get();
    return cancellations.get().cancel(caller, delivery, d.deploymentId(), d.service(), d.environment(),
        request.reason().orElse(null));
  }

  /** Lifts a blocked version (see {@link Unblocks}); 501 where this instance cannot publish unblocks. */
  public Future<Unblocks.Lifted> unblock(String caller, String delivery, UnblockRequest request) {
    return unblocks.map(u -> u.unblock(caller, delivery, request))
        .orElseGet(() -> Future.failedFuture(HttpProblem.of(501, "unblocking is not available on this instance")));
  }

  /** The answer to a deploy: its id, whether it was known already, and its schedule when held. */
  public record Accepted(String deploymentId, boolean duplicate, Optional<Schedule> schedule) {}

  /** The answer to a rollback: the new deployment, and what it rolls back to. */
  public record RolledBack(String deploymentId, boolean duplicate, String rollbackOf, String version,
      String previousDeploymentId) {}

  /** {@code caller}: the API token's name; {@code delivery}: the idempotency key (or a fresh id). */
  public Future<Accepted> deploy(String caller, String delivery, DeployRequest request) {
    return deploy(caller, delivery, request, Optional.empty());
  }

  /**
   * With the W3C trace context of the API request, passed on with the request it publishes (a
   * deployment held for later is a trace of its own: schedules do not keep it).
   */
  public Future<Accepted> deploy(String caller, String delivery, DeployRequest request, Optional<TraceContext> trace) {
    String id = DeploymentIds.of("manual:" + caller, delivery);
    String by = "api:" + caller;
    Instant now = clock.instant();
    if (request.notBefore().isPresent() && request.notBefore().get().isAfter(now.plusSeconds(1))) {
      Schedule s = new Schedule(id, request.service(), request.environment(), request.version(),
          request.notBefore().get(), request.reason(), by, now, Schedule.State.PENDING, now, by);
      return schedules.add(s).map(added -> new Accepted(id, added.duplicate(), Optional.of(added.schedule())));
    }
    // A window override is written into the signed request's reason too, so the audit log shows it on every wave.
    Optional<String> windowOverride = request.windowOverride().map(why -> "by " + by + ": " + why);
    String reason = windowOverride.map(w -> request.reason() + " (deploy window overridden " + w + ")")
        .orElse(request.reason());
    DeployIntent intent = new DeployIntent(DeployIntent.Trigger.MANUAL, id, request.service(), request.environment(),
        request.version(), null, null, null, by, reason, request.force(), request.rollout(), windowOverride, trace);
    return submitter.submit(List.of(intent)).map(done -> new Accepted(id, done.get(0).duplicate(), Optional.empty()));
  }

  /** 501 without history, 404 for an unknown deployment, 409 when nothing succeeded before it. */
  public Future<RolledBack> rollback(String caller, String delivery, RollbackRequest request) {
    return rollback(caller, delivery, request, Optional.empty());
  }

  /** With the W3C trace context of the API request, passed on with the rollback request. */
  public Future<RolledBack> rollback(String caller, String delivery, RollbackRequest request,
      Optional<TraceContext> trace) {
    if (history.isEmpty()) {
      return Future.failedFuture(HttpProblem.of(501, "rollback needs history.enabled: true"));
    }
    String of = request.deploymentId();
    DeploymentHistory.RollbackTarget target = history.get().rollbackTarget(of);
    if (target.unknown()) {
      return Future.failedFuture(HttpProblem.of(404, target.problem()));
    }
    if (target.previous() == null) {
      return Future.failedFuture(HttpProblem.of(409, target.problem()));
    }
    DeploymentHistory.Requested d = target.deployment();
    String version = target.previous().version();
    String id = DeploymentIds.of("rollback:" + caller, of + "/" + delivery);
    String why = request.reason().orElse("rollback of deployment " + of + " to " + version);
    DeployIntent intent = new DeployIntent(DeployIntent.Trigger.ROLLBACK, id, d.service(), d.environment(), version,
        null, null, null, "api:" + caller, why).withTrace(trace);
    return submitter.submit(List.of(intent)).map(done -> new RolledBack(id, done.get(0).duplicate(), of, version,
        target.previous().deploymentId()));
  }

  /** What is published when a schedule is due: its id is the deployment id given when it was held. */
  public static DeployIntent intentOf(Schedule s) {
    return new DeployIntent(DeployIntent.Trigger.SCHEDULE, s.id(), s.service(), s.environment(), s.version(), null,
        null, null, s.requestedBy(), s.reason());
  }
}
