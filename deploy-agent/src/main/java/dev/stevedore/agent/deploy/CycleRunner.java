package dev.stevedore.agent.deploy;

import dev.stevedore.common.logging.Logs;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepPlan;
import dev.stevedore.agent.driver.StepResult;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.agent.state.AgentState.Release;
import dev.stevedore.agent.state.StateStore;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the steps of one {@link Attempt} and reports how it went; decides nothing about what comes
 * next (that is the {@link Reconciler}'s). Every step is journaled in the intent and the state is
 * on disk before the step runs, so a crash at any line leaves a journal that says how far it got.
 */
public final class CycleRunner {
  private static final Logger LOG = LoggerFactory.getLogger(CycleRunner.class);

  /** How an attempt's forward run ended. */
  public sealed interface Report {
    /** Every step and the health check passed; {@code running} is what now runs. */
    record Reached(Running running) implements Report {}

    /** {@code step} failed; {@code switched}: what runs may have changed before it did. */
    record Failed(String step, StepResult result, boolean switched) implements Report {}
  }

  private final StateStore store;
  private final EventSink sink;
  private final DeployEvents events;
  private final HealthChecker health;
  private final StepGate gate;

  public CycleRunner(StateStore store, EventSink sink, DeployEvents events, HealthChecker health, StepGate gate) {
    this.store = store;
    this.sink = sink;
    this.events = events;
    this.health = health;
    this.gate = gate;
  }

  /** The driver's forward steps, then the health check. */
  public Future<Report> forward(Attempt a) {
    return steps(a, a.driver().forward(a.job().version()), 0);
  }

  /** Only the health check of what runs (a crash left the new release running, unchecked). */
  public Future<Report> verify(Attempt a) {
    return checked(a, a.driver().inspect());
  }

  /**
   * Puts the release that ran before back (the driver's rollback steps, then a health check);
   * succeeds with whether it is healthy.
   */
  public Future<Boolean> restore(Attempt a, String failedStep, String reason, StepResult.Fault fault) {
    a.intent().rollingBack = true;
    a.intent().failedStep = failedStep;
    a.intent().failReason = reason;
    a.intent().failFault = fault;
    Release from = a.intent().from;
    Running previous = new Running(from.imageId, from.imageRef, from.digest, "none", "unknown");
    return restoreSteps(a, a.driver().rollback(from.version, previous), 0).compose(ok -> !ok
        ? Future.succeededFuture(false)
        : run(a, healthCheck(a, "rollback-health-check")).map(StepResult::ok));
  }

  private Future<Boolean> restoreSteps(Attempt a, List<StepPlan> plan, int index) {
    if (index == plan.size()) {
      return Future.succeededFuture(true);
    }
    return run(a, plan.get(index)).compose(r -> r.ok() ? restoreSteps(a, plan, index + 1) : Future.succeededFuture(false));
  }

  private Future<Report> steps(Attempt a, List<StepPlan> plan, int index) {
    if (index == plan.size()) {
      a.intent().forwardDone = true;
      // What now runs is read while the health check runs (it is needed only on success).
      return checked(a, a.driver().target(a.job().version()));
    }
    StepPlan step = plan.get(index);
    boolean quiet = step.switches() && !step.name().equals("post-deploy");
    if (quiet) {
      sink.hold();
    }
    return run(a, step).andThen(ar -> {
      if (quiet) {
        sink.release();
      }
    }).compose(r -> r.ok()
        ? steps(a, plan, index + 1)
        : Future.succeededFuture(new Report.Failed(step.name(), r, a.intent().switched)));
  }

  private Future<Report> checked(Attempt a, Future<Running> after) {
    Future<Running> running = after.recover(e -> Future.succeededFuture(Running.absent()));
    return run(a, healthCheck(a, "health-check")).compose(r -> r.ok()
        ? running.map(Report.Reached::new)
        : Future.succeededFuture(new Report.Failed("health-check", r, true)));
  }

  private StepPlan healthCheck(Attempt a, String name) {
    return new StepPlan(name, true, () -> health.check(a.service().healthCheck(), a.driver()::inspect));
  }

  /** Journals the step (on disk before it runs), runs it, and queues its {@code deploy.step} event. */
  Future<StepResult> run(Attempt a, StepPlan step) {
    a.intent().step = step.name();
    if (step.switches()) {
      a.intent().switched = true;
    }
    int number = ++a.progress().stepNumber;
    a.intent().stepNumber = number;
    long[] started = new long[1];
    return save()
        .compose(v -> gate.pass("before", step.name()))
        .compose(v -> {
          started[0] = System.nanoTime();
          try {
            return step.action().get();
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .recover(e -> Future.succeededFuture(StepResult.unavailable(step.name() + ": " + e.getMessage(), 0)))
        // the step's wall time, retries and back-off included
        .map(r -> r.withDuration((System.nanoTime() - started[0]) / 1_000_000))
        .compose(r -> gate.pass("after", step.name()).map(r))
        .map(r -> {
          Logs.withDeployment(a.job().deploymentId(), () ->
              LOG.info("deployment {}: step {} {} in {} ms{}", a.job().deploymentId(), step.name(), r.ok() ? "ok" : "FAILED",
              r.durationMs(), r.ok() ? "" : " (" + r.reason() + (r.transientFailure() ? "; not the version's fault" : "") + ")"));
          sink.emit(events.step(a.job(), number, step.name(), r), a.job().extensions());
          return r;
        });
  }

  /** Queues a step event that is not a driver step ({@code waiting}, {@code restarted}). */
  void note(DeployJob job, AgentState.Desired progress, String name, StepResult r) {
    sink.emit(events.step(job, ++progress.stepNumber, name, r), job.extensions());
  }

  private Future<Void> save() {
    return store.save().onSuccess(v -> sink.saved());
  }
}
