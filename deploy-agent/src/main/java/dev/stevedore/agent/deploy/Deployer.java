package dev.stevedore.agent.deploy;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepPlan;
import dev.stevedore.agent.driver.StepResult;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.agent.state.AgentState.Intent;
import dev.stevedore.agent.state.AgentState.Release;
import dev.stevedore.agent.state.AgentState.ServiceRecord;
import dev.stevedore.agent.state.Outbox;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's cycle for one service: intent written, the driver's steps, health check, rollback
 * to the previous release on failure after the switch, state persisted, exactly one terminal
 * event. Every event goes through the durable outbox; the returned future completes once the
 * outcome is on disk (which is when the consumer may commit the request's offset).
 *
 * <p>Confined to the agent's event loop: callers serialise work per service (see {@link ServiceQueue}).
 */
public final class Deployer {
  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);
  private static final int TAIL = 4096;

  private final Vertx vertx;
  private final AgentConfig config;
  private final StateStore store;
  private final Outbox outbox;
  private final Runnable published;
  private final Runnable hold;
  private final Runnable release;
  private final Map<String, Driver> drivers;
  private final HealthChecker health;
  private final MeterRegistry metrics;

  public Deployer(Vertx vertx, AgentConfig config, StateStore store, Outbox outbox, Runnable afterSave,
      Map<String, Driver> drivers, HealthChecker health, MeterRegistry metrics) {
    this(vertx, config, store, outbox, afterSave, () -> { }, () -> { }, drivers, health, metrics);
  }

  /**
   * @param hold called before a switching step ({@code down}, {@code up}, {@code checkout},
   *     {@code restart}) runs, {@code release} after it: the relay defers Kafka traffic meanwhile
   */
  public Deployer(Vertx vertx, AgentConfig config, StateStore store, Outbox outbox, Runnable afterSave,
      Runnable hold, Runnable release, Map<String, Driver> drivers, HealthChecker health, MeterRegistry metrics) {
    this.hold = hold;
    this.release = release;
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.outbox = outbox;
    this.published = afterSave;
    this.drivers = drivers;
    this.health = health;
    this.metrics = metrics;
  }

  private AgentState state() {
    return store.state();
  }

  /** Mutable context of one deployment run. */
  private final class Run {
    final DeployJob job;
    final ServiceConfig service;
    final Driver driver;
    final ServiceRecord record;
    final Intent intent;

    Run(DeployJob job, ServiceRecord record, Intent intent) {
      this.job = job;
      this.service = config.services().get(job.service());
      this.driver = drivers.get(job.service());
      this.record = record;
      this.intent = intent;
    }

    String eventId(String name) {
      return DeploymentIds.eventId(job.deploymentId(), config.hostId(), name);
    }

    long elapsed() {
      return Math.max(0, System.currentTimeMillis() - intent.startedAt);
    }

    String fromVersion() {
      return intent.from == null ? null : intent.from.version;
    }
  }

  // ---- entry points ------------------------------------------------------------------------------

  /** Runs a deployment to its terminal event. */
  public Future<Void> deploy(DeployJob job) {
    ServiceRecord record = state().service(job.service());
    Driver driver = drivers.get(job.service());
    LOG.info("deployment {}: {} -> {} (trigger {})", job.deploymentId(), job.service(), job.version(), job.trigger());
    // The recorded release is trusted (the agent wrote it after the last deployment); docker is
    // asked only when there is none.
    Future<Running> now = record.current != null && record.current.imageId != null
        ? Future.succeededFuture(new Running(record.current.imageId, record.current.imageRef, record.current.digest, "none", "running"))
        : driver.inspect();
    return now.recover(e -> {
      LOG.warn("deployment {}: cannot inspect {}: {}", job.deploymentId(), job.service(), e.getMessage());
      return Future.succeededFuture(Running.absent());
    }).compose(running -> {
      Intent intent = new Intent();
      intent.deploymentId = job.deploymentId();
      intent.environment = job.environment();
      intent.toVersion = job.version();
      intent.from = currentRelease(record, running);
      intent.step = "started";
      intent.startedAt = System.currentTimeMillis();
      intent.requestTime = job.requestTime() == null ? null : job.requestTime().toString();
      intent.eventSource = job.eventSource();
      record.intent = intent;
      record.state = "deploying";
      Run run = new Run(job, record, intent);
      emit(new DeployStarted(run.eventId("started"), job.eventSource(), Instant.now(), job.deploymentId(),
          config.hostId(), job.service(), job.environment(), run.fromVersion(), job.version(), run.service.strategy()));
      return steps(run, driver.forward(job.version()), 0);
    });
  }

  /** Publishes {@code deploy.skipped} for a request this agent will not run, and remembers it. */
  public Future<Void> skip(DeployJob job, String reason) {
    LOG.info("deployment {}: skipped ({})", job.deploymentId(), reason);
    state().markProcessed(job.deploymentId(), config.processedLimit());
    emit(new DeploySkipped(DeploymentIds.eventId(job.deploymentId(), config.hostId(), "outcome"), job.eventSource(),
        Instant.now(), job.deploymentId(), config.hostId(), job.service(), job.environment(), job.version(), reason));
    count("skipped");
    return save();
  }

  /**
   * Finishes or undoes the deployment an earlier process left in {@code service}'s intent: nothing
   * switched yet -> failed (the old release still runs); the new release runs and is healthy ->
   * succeeded; anything else -> rolled back to the previous release.
   */
  public Future<Void> recover(String service) {
    ServiceRecord record = state().service(service);
    Intent intent = record.intent;
    DeployJob job = new DeployJob(intent.deploymentId, service, intent.environment, intent.toVersion,
        intent.requestTime == null ? null : Instant.parse(intent.requestTime), "recovery",
        intent.eventSource == null ? config.eventSource() : intent.eventSource);
    Run run = new Run(job, record, intent);
    String step = intent.step;
    String why = "the agent restarted during " + step;
    LOG.warn("deployment {}: recovering {} ({})", job.deploymentId(), service, why);
    if (!run.driver.switches(step) && !step.startsWith("rollback")) {
      return failed(run, step, StepResult.failed(why + "; nothing had been switched", 0),
          why + " (before the switch); " + orNothing(run.fromVersion()) + " keeps serving");
    }
    if (step.startsWith("rollback")) {
      return rollback(run, intent.failedStep == null ? step : intent.failedStep,
          intent.failReason == null ? why : intent.failReason);
    }
    return run.driver.inspect().recover(e -> Future.succeededFuture(Running.absent())).compose(running -> {
      boolean newRuns = running.present() && (intent.from == null || !running.imageId().equals(intent.from.imageId));
      if (newRuns && mayBeComplete(run, step)) {
        return runStep(run, new StepPlan("health-check", true,
            () -> health.check(run.service.healthCheck(), run.driver::inspect)))
            .compose(r -> r.ok() ? succeeded(run, run.driver.inspect()) : afterSwitchFailure(run, "health-check", r));
      }
      return afterSwitchFailure(run, step, StepResult.failed(why + "; the new release is not running", 0));
    });
  }

  private static boolean mayBeComplete(Run run, String step) {
    return step.equals("health-check") || (run.service.driver().equals("compose") && step.equals("up"));
  }

  // ---- the cycle ----------------------------------------------------------------------------------

  private Future<Void> steps(Run run, List<StepPlan> plan, int index) {
    if (index == plan.size()) {
      // What now runs is read while the health check runs (it is needed only on success).
      Future<Running> after = run.driver.target(run.job.version()).recover(e -> Future.succeededFuture(Running.absent()));
      return runStep(run, new StepPlan("health-check", true, () -> health.check(run.service.healthCheck(), run.driver::inspect)))
          .compose(r -> r.ok() ? succeeded(run, after) : afterSwitchFailure(run, "health-check", r));
    }
    StepPlan step = plan.get(index);
    boolean quiet = step.switches() && !step.name().equals("post-deploy");
    if (quiet) {
      hold.run();
    }
    return runStep(run, step).andThen(ar -> {
      if (quiet) {
        release.run();
      }
    }).compose(r -> {
      if (r.ok()) {
        return steps(run, plan, index + 1);
      }
      return step.switches() ? afterSwitchFailure(run, step.name(), r)
          : failed(run, step.name(), r, step.name() + " failed: " + r.reason() + "; " + orNothing(run.fromVersion()) + " keeps serving");
    });
  }

  /** Records the step in the intent (on disk), runs it, and queues its {@code deploy.step} event. */
  private Future<StepResult> runStep(Run run, StepPlan step) {
    run.intent.step = step.name();
    int n = ++run.intent.stepNumber;
    long[] started = new long[1];
    return save()
        .compose(v -> pause("before", step.name()))
        .compose(v -> {
          started[0] = System.nanoTime();
          try {
            return step.action().get();
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .recover(e -> Future.succeededFuture(StepResult.failed(step.name() + ": " + e.getMessage(), 0)))
        .map(r -> {
          // the step's wall time, retries and back-off included
          long ms = (System.nanoTime() - started[0]) / 1_000_000;
          return new StepResult(r.ok(), r.exitCode(), r.output(), r.reason(), ms);
        })
        .compose(r -> pause("after", step.name()).map(r))
        .map(r -> {
          LOG.info("deployment {}: step {} {} in {} ms{}", run.job.deploymentId(), step.name(), r.ok() ? "ok" : "FAILED",
              r.durationMs(), r.ok() ? "" : " (" + r.reason() + ")");
          emit(new DeployStep(run.eventId("step:" + n + ":" + step.name()), run.job.eventSource(), Instant.now(),
              run.job.deploymentId(), config.hostId(), run.job.service(), step.name(), r.ok(), r.durationMs(), r.exitCode(),
              tail(r.output().isEmpty() && r.reason() != null ? r.reason() : r.output())));
          return r;
        });
  }

  private Future<Void> succeeded(Run run, Future<Running> inspected) {
    return inspected.recover(e -> Future.succeededFuture(Running.absent())).compose(running -> {
      ServiceRecord record = run.record;
      Release next = new Release(run.job.version(), running.imageId(), running.imageRef(), running.digest());
      Release from = run.intent.from;
      if (from != null && (from.imageId == null || !from.imageId.equals(next.imageId))) {
        record.previous = from;
      }
      record.current = next;
      record.appliedDeploymentId = run.job.deploymentId();
      record.appliedRequestTime = run.intent.requestTime;
      record.intent = null;
      record.state = "idle";
      record.blocked.remove(run.job.version());
      state().markProcessed(run.job.deploymentId(), config.processedLimit());
      emit(new DeploySucceeded(run.eventId("outcome"), run.job.eventSource(), Instant.now(), run.job.deploymentId(),
          config.hostId(), run.job.service(), run.job.environment(), run.job.version(), running.digest(), run.elapsed()));
      LOG.info("deployment {}: {} now runs {} ({} ms)", run.job.deploymentId(), run.job.service(), run.job.version(), run.elapsed());
      count("succeeded");
      metrics.timer("stevedore.agent.deploy.duration", "outcome", "succeeded")
          .record(java.time.Duration.ofMillis(run.elapsed()));
      return save();
    });
  }

  /** Failed before anything was switched: the old release still runs. */
  private Future<Void> failed(Run run, String step, StepResult r, String reason) {
    ServiceRecord record = run.record;
    record.intent = null;
    record.state = "idle";
    state().markProcessed(run.job.deploymentId(), config.processedLimit());
    emit(new DeployFailed(run.eventId("outcome"), run.job.eventSource(), Instant.now(), run.job.deploymentId(),
        config.hostId(), run.job.service(), run.job.environment(), run.job.version(), step, r.exitCode(),
        tail(r.output()), reason, run.fromVersion(), run.elapsed()));
    LOG.warn("deployment {}: failed at {}: {}", run.job.deploymentId(), step, reason);
    count("failed");
    return save();
  }

  private Future<Void> afterSwitchFailure(Run run, String step, StepResult r) {
    String reason = step + " failed: " + r.reason();
    if (!run.service.rollback() || run.intent.from == null || run.intent.from.version == null) {
      run.record.current = new Release(run.job.version(), null, null, null);
      Future<Void> out = failed(run, step, r, reason + (run.service.rollback()
          ? "; no previous release to roll back to" : "; rollback is off for this service"));
      run.record.state = "failed";
      return out;
    }
    return rollback(run, step, reason);
  }

  private Future<Void> rollback(Run run, String failedStep, String reason) {
    run.intent.failedStep = failedStep;
    run.intent.failReason = reason;
    Release from = run.intent.from;
    Running previous = new Running(from.imageId, from.imageRef, from.digest, "none", "unknown");
    List<StepPlan> plan = run.driver.rollback(from.version, previous);
    return rollbackSteps(run, plan, 0).compose(ok -> ok
        ? runStep(run, new StepPlan("rollback-health-check", true,
            () -> health.check(run.service.healthCheck(), run.driver::inspect))).map(StepResult::ok)
        : Future.succeededFuture(false)).compose(healthy -> {
          ServiceRecord record = run.record;
          record.current = from;
          record.intent = null;
          record.state = healthy ? "idle" : "failed";
          if (!record.blocked.contains(run.job.version())) {
            record.blocked.add(run.job.version());
          }
          while (record.blocked.size() > 50) {
            record.blocked.remove(0);
          }
          state().markProcessed(run.job.deploymentId(), config.processedLimit());
          emit(new DeployRolledBack(run.eventId("outcome"), run.job.eventSource(), Instant.now(), run.job.deploymentId(),
              config.hostId(), run.job.service(), run.job.environment(), run.job.version(), from.version, failedStep,
              reason, healthy, run.elapsed()));
          LOG.warn("deployment {}: rolled back to {} (healthy: {}): {}", run.job.deploymentId(), from.version, healthy, reason);
          count("rolled-back");
          return save();
        });
  }

  private Future<Boolean> rollbackSteps(Run run, List<StepPlan> plan, int index) {
    if (index == plan.size()) {
      return Future.succeededFuture(true);
    }
    return runStep(run, plan.get(index)).compose(r -> r.ok() ? rollbackSteps(run, plan, index + 1) : Future.succeededFuture(false));
  }

  // ---- helpers ------------------------------------------------------------------------------------

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

  private void emit(AgentEvent event) {
    outbox.add(Topics.EVENTS, event.deploymentId(), event);
  }

  private Future<Void> save() {
    return store.save().onSuccess(v -> published.run());
  }

  private Future<Void> pause(String when, String step) {
    if (!config.testHooks().pausesAt(when, step)) {
      return Future.succeededFuture();
    }
    LOG.warn("test hook: pausing {}:{} for {}", when, step, config.testHooks().pauseFor());
    Promise<Void> promise = Promise.promise();
    // Written aside and renamed: a test polling for the marker never reads it half written.
    vertx.executeBlocking(() -> Files.move(
            Files.writeString(store.directory().resolve("paused-at.tmp"), when + ":" + step, StandardCharsets.UTF_8),
            store.directory().resolve("paused-at"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING))
        .onComplete(ar -> vertx.setTimer(config.testHooks().pauseFor().toMillis(), id -> promise.complete()));
    return promise.future();
  }

  private void count(String outcome) {
    metrics.counter("stevedore.agent.deployments", "outcome", outcome).increment();
  }

  private static String orNothing(String version) {
    return version == null ? "the running release" : version;
  }

  private static String tail(String s) {
    if (s == null) {
      return null;
    }
    return s.length() <= TAIL ? s : s.substring(s.length() - TAIL);
  }
}
