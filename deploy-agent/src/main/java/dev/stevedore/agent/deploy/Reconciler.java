package dev.stevedore.agent.deploy;

import dev.stevedore.common.logging.Logs;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepResult;
import dev.stevedore.agent.state.AgentState.Desired;
import dev.stevedore.agent.state.AgentState.Intent;
import dev.stevedore.agent.state.AgentState.Phase;
import dev.stevedore.agent.state.AgentState.Release;
import dev.stevedore.agent.state.AgentState.ServiceRecord;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.VersionUnblocked;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings each service from what runs to what was asked for, and keeps at it. Per service the
 * durable state holds the desired version (the newest admitted request) beside the running one;
 * while they differ the reconciler runs the cycle ({@link CycleRunner}), one attempt at a time:
 *
 * <ul>
 *   <li>a failure of the version itself (not found, a hook, the health check) ends the deployment
 *       (failed, or rolled back and the version blocked here);
 *   <li>a failure of the environment (a timeout, an unreachable daemon or registry, an open
 *       breaker) only makes it wait: the previous release is put back if anything was switched,
 *       and the next attempt comes after a back-off or as soon as the breaker lets calls through;
 *   <li>the agent's own death is never the version's fault: on start-up {@link Recovery} decides
 *       whether to verify, finish a rollback, or run the deployment again;
 *   <li>latest wins: a newer request replaces the desired version; the one it replaces ends as
 *       skipped (at once when it waits, after its attempt when one runs).
 * </ul>
 *
 * Each deployment ends with exactly one terminal event. Confined to the agent's event loop.
 */
public final class Reconciler implements DesiredVersions {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final Vertx vertx;
  private final Context context;
  private final AgentConfig config;
  private final StateStore store;
  private final Map<String, Driver> drivers;
  private final CycleRunner cycle;
  private final DeployEvents events;
  private final EventSink sink;
  private final MeterRegistry metrics;
  private final Clock clock;
  private final FleetBlocks fleet;
  /** Services with an attempt (or a recovery) in progress. */
  private final Set<String> running = new HashSet<>();
  /** The desired version whose attempt runs, per service (see {@link #cancel}). */
  private final Map<String, Desired> attempts = new HashMap<>();
  /** Services waiting for their next attempt: the timer that starts it. */
  private final Map<String, Long> timers = new HashMap<>();
  private boolean stopped;

  public Reconciler(Vertx vertx, AgentConfig config, StateStore store, Map<String, Driver> drivers, CycleRunner cycle,
      DeployEvents events, EventSink sink, MeterRegistry metrics, Clock clock) {
    this(vertx, config, store, drivers, cycle, events, sink, metrics, clock, FleetBlocks.none());
  }

  /** @param fleet the fleet-wide blocks, asked again before every attempt */
  public Reconciler(Vertx vertx, AgentConfig config, StateStore store, Map<String, Driver> drivers, CycleRunner cycle,
      DeployEvents events, EventSink sink, MeterRegistry metrics, Clock clock, FleetBlocks fleet) {
    this.fleet = fleet;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.config = config;
    this.store = store;
    this.drivers = drivers;
    this.cycle = cycle;
    this.events = events;
    this.sink = sink;
    this.metrics = metrics;
    this.clock = clock;
    // The store is held strongly by this reconciler, which lives as long as the agent.
    io.micrometer.core.instrument.FunctionCounter.builder("stevedore.agent.state.writes", store, StateStore::writes)
        .description("Writes of the state file (each an fsync'd atomic replace; saves asked for together share one)")
        .register(metrics);
    for (String service : config.services().keySet()) {
      Gauge.builder("stevedore.agent.service.diverged", () -> desired(service) == null ? 0 : 1)
          .description("1 while the service's desired version is not the one that runs")
          .tag("service", service).register(metrics);
      Gauge.builder("stevedore.agent.service.diverged.seconds", () -> {
        Desired d = desired(service);
        return d == null || d.admittedAt == 0 ? 0 : Math.max(0, clock.millis() - d.admittedAt) / 1000.0;
      }).description("Seconds since the desired and the running version last matched (0 while they match)")
          .tag("service", service).register(metrics);
    }
  }

  private AgentState state() {
    return store.state();
  }

  private Desired desired(String service) {
    ServiceRecord r = state().services.get(service);
    return r == null ? null : r.desired;
  }

  // ---- what the request handler and the poller call ---------------------------------------------

  /**
   * An admitted request becomes the service's desired version (replacing an older one, latest
   * wins). The future completes once that is on disk: the request's offset may then be committed.
   *
   * <p>The attempt is started at once, not after that write: its first step waits for the write
   * of its own journal, which is asked for in this same task and so carries the desired version
   * too ({@link StateStore#save()} shares one write between the saves of a task). One fsync'd write
   * before the first step instead of two in a row; nothing runs before both are on disk.
   */
  @Override
  public Future<Void> submit(DeployJob job) {
    ServiceRecord record = state().service(job.service());
    Desired old = record.desired;
    if (old != null && old.deploymentId.equals(job.deploymentId())) {
      return Future.succeededFuture();
    }
    record.applied(job.deploymentId(), job.requestTime());
    if (old != null) {
      supersede(job.service(), record, old, "superseded by deployment " + job.deploymentId() + " (version " + job.version() + ")");
    }
    Desired d = Desired.of(job);
    d.admittedAt = clock.millis();
    record.desired = d;
    Logs.withDeployment(job.deploymentId(), () ->
        LOG.info("deployment {}: {} should run {} (trigger {})", job.deploymentId(), job.service(), job.version(), job.trigger()));
    Future<Void> durable = save();
    kick(job.service());
    return durable;
  }

  /**
   * An admitted request for the version that already runs (and no attempt in progress): nothing to
   * deploy; it still replaces whatever waited, since it is the newest request.
   */
  @Override
  public Future<Void> alreadyRuns(DeployJob job) {
    ServiceRecord record = state().service(job.service());
    record.applied(job.deploymentId(), job.requestTime());
    if (record.desired != null) {
      supersede(job.service(), record, record.desired, "superseded by deployment " + job.deploymentId()
          + ", which asks for the version that runs (" + job.version() + ")");
      record.desired = null;
    }
    return skip(job, "version " + job.version() + " already runs here; nothing to do (a forced request deploys it again)");
  }

  /** Publishes {@code deploy.skipped} for a request this agent will not run, and remembers it. */
  @Override
  public Future<Void> skip(DeployJob job, String reason) {
    terminal(job, reason);
    return save();
  }

  /**
   * Lifts this host's block on the unblock's version of its service (a verified, targeted
   * {@code version.unblocked}), logs it, and records it as a step {@code unblock} of the deployment
   * that blocked it. Nothing happens where the version is not blocked. Completes once on disk.
   */
  @Override
  public Future<Void> unblock(VersionUnblocked u) {
    ServiceRecord record = state().services.get(u.service());
    List<AgentState.Block> lifted = record == null ? List.of() : record.unblock(u.version(), u.time());
    if (lifted.isEmpty()) {
      LOG.info("unblock {}: {} {} is not blocked here (or was blocked again after {}); nothing to do",
          u.deploymentId(), u.service(), u.version(), u.time());
      return Future.succeededFuture();
    }
    for (AgentState.Block b : lifted) {
      LOG.warn("unblock {}: {} {} is allowed again (blocked since {} by deployment {}: {}); lifted by {}: {}",
          u.deploymentId(), u.service(), u.version(), b.since, b.deploymentId, b.reason, u.requestedBy(), u.reason());
      if (b.deploymentId != null) {
        sink.emit(events.unblocked(b.deploymentId, config.eventSource(), u, b.since, b.reason));
      }
    }
    return save();
  }

  /**
   * Withdraws a desired version that waits (for a dependency, or behind the running attempt of
   * another deployment of the service), never one whose own attempt runs, and publishes its
   * {@code deploy.skipped}; true when there was one. When another deployment's attempt runs, that
   * one is the desired version again, as if the withdrawn one had never come (it finishes as
   * itself, not as superseded). Used by a verified {@code deploy.cancelled} and by a push that
   * waited too long. Completes once that is on disk.
   */
  @Override
  public Future<Boolean> cancel(String service, String deploymentId, String reason) {
    ServiceRecord record = state().services.get(service);
    if (record == null || record.desired == null || !record.desired.deploymentId.equals(deploymentId)
        || (record.intent != null && deploymentId.equals(record.intent.deploymentId))) {
      return Future.succeededFuture(false);
    }
    Desired attempt = attempts.get(service);
    if (attempt != null && attempt.deploymentId.equals(deploymentId)) {
      return Future.succeededFuture(false);
    }
    DeployJob job = record.desired.job(service);
    record.desired = attempt;
    if (!running.contains(service)) {
      cancelTimer(service);
      record.state = Phase.IDLE;
    }
    return skip(job, reason).map(true);
  }

  /** True while an attempt (or a recovery) of {@code service} runs. */
  public boolean busy(String service) {
    return running.contains(service);
  }

  /** True when the deployment is this host's desired version of a service, or its attempt runs. */
  @Override
  public boolean holds(String deploymentId) {
    return state().services.values().stream().anyMatch(r ->
        (r.desired != null && r.desired.deploymentId.equals(deploymentId))
            || (r.intent != null && deploymentId.equals(r.intent.deploymentId)));
  }

  /** Starts work on every service whose desired version differs from what runs (after start-up). */
  public void resume() {
    config.services().keySet().forEach(this::kick);
  }

  /** A dependency answers again (a breaker let calls through): every waiting service tries at once. */
  public void wake() {
    context.runOnContext(v -> {
      for (String service : new ArrayList<>(timers.keySet())) {
        cancelTimer(service);
        kick(service);
      }
    });
  }

  public void stop() {
    stopped = true;
    new ArrayList<>(timers.keySet()).forEach(this::cancelTimer);
  }

  // ---- the loop ---------------------------------------------------------------------------------

  /** Runs the next attempt for {@code service} if it has a desired version and nothing runs or waits on a timer. */
  public void kick(String service) {
    if (stopped || running.contains(service) || timers.containsKey(service)) {
      return;
    }
    ServiceRecord record = state().services.get(service);
    Driver driver = drivers.get(service);
    if (record == null || record.desired == null || driver == null) {
      return;
    }
    Desired d = record.desired;
    DeployJob job = d.job(service);
    Instant now = clock.instant();
    // Admission again at the start of every attempt: a version blocked meanwhile does not run.
    if (record.isBlocked(d.version, now) && !"rollback".equals(d.trigger)) {
      record.desired = null;
      record.state = Phase.IDLE;
      skip(job, "version " + d.version + " is blocked on this host after a failed rollout");
      return;
    }
    var fleetBlock = "rollback".equals(d.trigger) ? null : fleet.find(config.environment(), service, d.version);
    if (fleetBlock != null) {
      // Blocked fleet-wide while it waited (a rollout halted elsewhere): it does not start here.
      record.desired = null;
      record.state = Phase.IDLE;
      skip(job, Admission.fleetBlockReason(fleetBlock));
      return;
    }
    if (d.attempts == 0 && !d.force && !job.polled() && record.current != null && d.version.equals(record.current.version)) {
      record.desired = null;
      record.state = Phase.IDLE;
      skip(job, "version " + d.version + " already runs here; nothing to do (a forced request deploys it again)");
      return;
    }
    String blocker = driver.waitingFor();
    if (blocker != null) {
      waitFor(job, record, d, blocker);
      return;
    }
    start(job, record, d, driver);
  }

  private void start(DeployJob job, ServiceRecord record, Desired d, Driver driver) {
    String service = job.service();
    running.add(service);
    attempts.put(service, d);
    long now = clock.millis();
    if (d.waitingSince != null) {
      d.waitedMs += Math.max(0, now - d.waitingSince);
      d.waitingSince = null;
      d.waitReason = null;
    }
    d.attempts++;
    if (d.firstStartedAt == 0) {
      d.firstStartedAt = now;
    }
    io.micrometer.core.instrument.Counter.builder("stevedore.agent.attempts")
        .description("deployment attempts started, by service").tag("service", label(service))
        .register(metrics).increment();
    // The recorded release is trusted (the agent wrote it after the last deployment); docker is
    // asked only when there is none.
    Future<Running> current = record.current != null && record.current.imageId != null
        ? Future.succeededFuture(new Running(record.current.imageId, record.current.imageRef, record.current.digest, "none", "running"))
        : driver.inspect();
    current.recover(e -> {
      Logs.withDeployment(job.deploymentId(), () ->
          LOG.warn("deployment {}: cannot inspect {}: {}", job.deploymentId(), service, e.getMessage()));
      return Future.succeededFuture(Running.absent());
    }).compose(runningNow -> {
      Intent intent = new Intent();
      intent.deploymentId = job.deploymentId();
      intent.environment = job.environment();
      intent.toVersion = job.version();
      intent.from = currentRelease(record, runningNow);
      intent.step = "started";
      intent.startedAt = now;
      intent.requestTime = job.requestTime() == null ? null : job.requestTime().toString();
      intent.eventSource = job.eventSource();
      record.intent = intent;
      record.state = Phase.DEPLOYING;
      Attempt a = new Attempt(job, config.services().get(service), driver, record, intent, d);
      if (!d.announced) {
        d.announced = true;
        sink.emit(events.started(job, a.fromVersion(), a.service().strategy().word()), job.extensions());
      }
      Logs.withDeployment(job.deploymentId(), () ->
          LOG.info("deployment {}: {} -> {}, attempt {} (trigger {})", job.deploymentId(), service, job.version(), d.attempts,
          job.trigger()));
      return cycle.forward(a).compose(report -> settle(a, report));
    }).onComplete(ar -> {
      running.remove(service);
      attempts.remove(service);
      if (ar.failed()) {
        // The state could not be written: the journal on disk is what a restart will recover from.
        Logs.withDeployment(job.deploymentId(), () ->
            LOG.error("deployment {}: attempt ended without a durable outcome: {}", job.deploymentId(), ar.cause().toString()));
        retryLater(service, config.resilience().retryBackoffMax());
        return;
      }
      kick(service);
    });
  }

  private Future<Void> settle(Attempt a, CycleRunner.Report report) {
    if (report instanceof CycleRunner.Report.Reached reached) {
      return succeeded(a, reached.running());
    }
    CycleRunner.Report.Failed f = (CycleRunner.Report.Failed) report;
    String reason = f.step() + " failed: " + f.result().reason();
    if (f.result().transientFailure()) {
      boolean restore = f.switched() && a.canRestore();
      Future<Boolean> restored = restore ? cycle.restore(a, f.step(), reason, StepResult.Fault.ENVIRONMENT)
          : Future.succeededFuture(false);
      return restored.compose(healthy -> afterEnvironmentFailure(a, reason, restore));
    }
    if (!f.switched()) {
      return failed(a, f.step(), f.result(), reason + "; " + orRunning(a.fromVersion()) + " keeps serving");
    }
    if (!a.canRestore()) {
      a.record().current = new Release(a.job().version(), null, null, null);
      Future<Void> out = failed(a, f.step(), f.result(), reason + (a.service().rollback()
          ? "; no previous release to roll back to" : "; rollback is off for this service"));
      a.record().state = Phase.FAILED;
      return out;
    }
    return cycle.restore(a, f.step(), reason, StepResult.Fault.VERSION)
        .compose(healthy -> rolledBack(a, f.step(), reason, healthy));
  }

  private Future<Void> succeeded(Attempt a, Running running) {
    ServiceRecord record = a.record();
    DeployJob job = a.job();
    Release next = new Release(job.version(), running.imageId(), running.imageRef(), running.digest());
    Release from = a.intent().from;
    if (from != null && (from.imageId == null || !from.imageId.equals(next.imageId))) {
      record.previous = from;
    }
    record.current = next;
    record.unblock(job.version());
    end(a, Phase.IDLE);
    long ms = a.elapsedMs(clock.millis());
    sink.emit(events.succeeded(job, a.progress(), running.digest(), ms), job.extensions());
    Logs.withDeployment(job.deploymentId(), () ->
        LOG.info("deployment {}: {} now runs {} ({} ms, {} attempt(s))", job.deploymentId(), job.service(), job.version(), ms,
        a.progress().attempts));
    count(job.service(), "succeeded");
    dev.stevedore.common.ops.ServiceMetrics.latency("stevedore.agent.deploy.duration", Duration.ofSeconds(1),
            Duration.ofMinutes(30))
        .description("time from a deployment's start to the new version running, by service")
        .tags("service", label(job.service()), "outcome", "succeeded").register(metrics).record(Duration.ofMillis(ms));
    return save();
  }

  /** Ended for a reason of the version's, before anything switched (or with nothing to restore). */
  private Future<Void> failed(Attempt a, String step, StepResult r, String reason) {
    end(a, Phase.IDLE);
    sink.emit(events.failed(a.job(), a.progress(), step, r, reason, a.fromVersion(), a.elapsedMs(clock.millis())),
        a.job().extensions());
    Logs.withDeployment(a.job().deploymentId(), () ->
        LOG.warn("deployment {}: failed at {}: {}", a.job().deploymentId(), step, reason));
    count(a.job().service(), "failed");
    return save();
  }

  private Future<Void> rolledBack(Attempt a, String failedStep, String reason, boolean healthy) {
    ServiceRecord record = a.record();
    Release from = a.intent().from;
    record.current = from;
    Instant now = clock.instant();
    record.block(a.job().version(), reason, a.job().deploymentId(), now, now.plus(config.resilience().blockFor()));
    end(a, healthy ? Phase.IDLE : Phase.FAILED);
    sink.emit(events.rolledBack(a.job(), a.progress(), from.version, failedStep, reason, healthy, a.elapsedMs(clock.millis())),
        a.job().extensions());
    Logs.withDeployment(a.job().deploymentId(), () ->
        LOG.warn("deployment {}: rolled back to {} (healthy: {}): {}", a.job().deploymentId(), from.version, healthy, reason));
    count(a.job().service(), "rolled-back");
    return save();
  }

  /**
   * The attempt failed for a reason outside the version (the previous release was put back if
   * anything had switched): wait and try again, unless a newer request replaced it or the
   * configured attempts are spent.
   */
  private Future<Void> afterEnvironmentFailure(Attempt a, String reason, boolean restored) {
    ServiceRecord record = a.record();
    if (restored) {
      record.current = a.intent().from;
    }
    Desired d = a.progress();
    int max = config.resilience().maxAttempts();
    if (record.desired != d) {
      return abandoned(a, "superseded by deployment " + (record.desired == null ? "(none)" : record.desired.deploymentId)
          + " after an attempt failed (" + reason + ")");
    }
    if (max > 0 && d.attempts >= max) {
      return failed(a, a.intent().step, StepResult.unavailable(reason, 0), "gave up after " + d.attempts + " attempts; last: "
          + reason + "; " + orRunning(a.fromVersion()) + " keeps serving");
    }
    record.intent = null;
    return waitFor(a.job(), record, d, reason);
  }

  /** Ends the attempt's deployment as skipped (superseded); never blocks the version. */
  private Future<Void> abandoned(Attempt a, String reason) {
    ServiceRecord record = a.record();
    Desired d = a.progress();
    record.intent = null;
    if (record.desired == d) {
      record.desired = null;
    }
    if (record.state != Phase.FAILED) {
      record.state = Phase.IDLE;
    }
    return skip(a.job(), reason);
  }

  private Future<Void> waitFor(DeployJob job, ServiceRecord record, Desired d, String reason) {
    if (d.waitingSince == null) {
      d.waitingSince = clock.millis();
    }
    if (!reason.equals(d.waitReason)) {
      d.waitReason = reason;
      cycle.note(job, d, "waiting", StepResult.unavailable(reason, 0));
    }
    record.state = Phase.WAITING;
    Duration delay = config.resilience().backoff(Math.max(1, d.attempts));
    Logs.withDeployment(job.deploymentId(), () ->
        LOG.warn("deployment {}: {} waits: {}; next attempt in {} ms, or as soon as the dependency answers", job.deploymentId(),
        job.service(), reason, delay.toMillis()));
    retryLater(job.service(), delay);
    return save();
  }

  private void retryLater(String service, Duration delay) {
    cancelTimer(service);
    if (stopped) {
      return;
    }
    timers.put(service, vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
      timers.remove(service);
      kick(service);
    }));
  }

  private void cancelTimer(String service) {
    Long id = timers.remove(service);
    if (id != null) {
      vertx.cancelTimer(id);
    }
  }

  /** Clears the attempt and, when it was the desired one, the desired version; marks the deployment done. */
  private void end(Attempt a, Phase phase) {
    ServiceRecord record = a.record();
    record.intent = null;
    if (record.desired == a.progress()) {
      record.desired = null;
    }
    record.state = phase;
    state().markProcessed(a.job().deploymentId(), config.processedLimit());
  }

  /** Ends a deployment that did not (or no longer) run as skipped. */
  private void terminal(DeployJob job, String reason) {
    Logs.withDeployment(job.deploymentId(), () ->
        LOG.info("deployment {}: skipped ({})", job.deploymentId(), reason));
    state().markProcessed(job.deploymentId(), config.processedLimit());
    sink.emit(events.skipped(job, reason), job.extensions());
    count(job.service(), "skipped");
  }

  /** A newer request replaces {@code old}: it ends now when it waits, after its attempt when one runs. */
  private void supersede(String service, ServiceRecord record, Desired old, String reason) {
    boolean attemptRuns = record.intent != null && old.deploymentId.equals(record.intent.deploymentId);
    if (attemptRuns) {
      return;
    }
    cancelTimer(service);
    if (record.state == Phase.WAITING) {
      record.state = Phase.IDLE;
    }
    terminal(old.job(service), reason);
  }

  // ---- crash recovery ---------------------------------------------------------------------------

  /**
   * Decides, for every service an earlier process left mid-attempt, what to do (see
   * {@link Recovery}) and does what must happen before anything else runs (verify, finish a
   * rollback, end an abandoned deployment). Deployments to run again start with {@link #resume()}.
   */
  public Future<Void> recoverAll() {
    Future<Void> chain = Future.succeededFuture();
    for (String name : new ArrayList<>(state().services.keySet())) {
      ServiceRecord record = state().services.get(name);
      if (record.intent == null) {
        continue;
      }
      if (!config.services().containsKey(name) || !drivers.containsKey(name)) {
        LOG.error("state has an unfinished deployment of {} which is no longer configured; dropping it", name);
        record.intent = null;
        record.desired = null;
        continue;
      }
      chain = chain.compose(v -> recover(name));
    }
    return chain.compose(v -> save());
  }

  private Future<Void> recover(String name) {
    ServiceRecord record = state().services.get(name);
    Intent intent = record.intent;
    intent.upgradeLegacy();
    if (record.desired == null) {
      // State of an older agent: the interrupted attempt is the desired one.
      record.desired = Desired.of(intent, "recovery", config.eventSource());
    }
    Desired progress = record.desired.deploymentId.equals(intent.deploymentId) ? record.desired
        : Desired.of(intent, "recovery", config.eventSource());
    progress.stepNumber = Math.max(progress.stepNumber, intent.stepNumber);
    DeployJob job = progress.job(name);
    Driver driver = drivers.get(name);
    Attempt a = new Attempt(job, config.services().get(name), driver, record, intent, progress);
    running.add(name);
    return driver.inspect().recover(e -> Future.succeededFuture(Running.absent())).compose(now -> {
      boolean newRuns = now.present() && (intent.from == null || !now.imageId().equals(intent.from.imageId));
      Recovery.Plan plan = Recovery.decide(intent, record.desired, config.resilience().maxRestarts(), newRuns);
      Logs.withDeployment(job.deploymentId(), () ->
          LOG.warn("deployment {}: {} was interrupted during {}: {}", job.deploymentId(), name, intent.step, plan));
      if (plan instanceof Recovery.Plan.FinishRollback fr) {
        return cycle.restore(a, fr.failedStep(), fr.reason(), fr.fault()).compose(healthy -> fr.fault() == StepResult.Fault.VERSION
            ? rolledBack(a, fr.failedStep(), fr.reason(), healthy)
            : afterEnvironmentFailure(a, fr.reason(), true));
      }
      if (plan instanceof Recovery.Plan.Verify) {
        return cycle.verify(a).compose(report -> settle(a, report));
      }
      if (plan instanceof Recovery.Plan.Rerun rerun) {
        progress.restarts++;
        cycle.note(job, progress, "restarted", StepResult.unavailable(rerun.why(), 0));
        record.intent = null;
        record.state = Phase.IDLE;
        return save();
      }
      Recovery.Plan.Abandon abandon = (Recovery.Plan.Abandon) plan;
      Future<Boolean> restored = abandon.restore() && a.canRestore()
          ? cycle.restore(a, intent.step, abandon.why(), StepResult.Fault.ENVIRONMENT)
          : Future.succeededFuture(false);
      return restored.compose(ok -> {
        if (ok) {
          record.current = intent.from;
        }
        if (abandon.superseded()) {
          return abandoned(a, abandon.why());
        }
        return failed(a, intent.step, StepResult.unavailable(abandon.why(), 0), abandon.why());
      });
    }).andThen(ar -> running.remove(name));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** The release that runs now: the recorded one, refreshed with what docker says runs. */
  private static Release currentRelease(ServiceRecord record, Running running) {
    if (record.current != null) {
      Release r = record.current;
      if (running.present() && (r.imageId == null || !r.imageId.equals(running.imageId()))) {
        return new Release(r.version, running.imageId(), running.imageRef(), running.digest());
      }
      return r;
    }
    if (!running.present()) {
      return null;
    }
    return new Release(running.versionGuess(), running.imageId(), running.imageRef(), running.digest());
  }

  private Future<Void> save() {
    return store.save().onSuccess(v -> sink.saved());
  }

  /** Per-service meters only for configured services: a hostile request cannot add label values. */
  private String label(String service) {
    return config.services().containsKey(service) ? service : "other";
  }

  private void count(String service, String outcome) {
    io.micrometer.core.instrument.Counter.builder("stevedore.agent.deployments")
        .description("deployments ended, by service and outcome").tags("service", label(service), "outcome", outcome)
        .register(metrics).increment();
  }

  private static String orRunning(String version) {
    return version == null ? "the running release" : version;
  }
}
