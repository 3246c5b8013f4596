package dev.stevedore.agent.deploy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The per-service lock with "latest wins": one deployment runs per service; of the requests that
 * arrive meanwhile only the newest waits, and each one it replaces is skipped as superseded.
 * Confined to the event loop.
 */
public final class ServiceQueue {
  private final Function<DeployJob, Future<Void>> runner;
  private final BiFunction<DeployJob, String, Future<Void>> skipper;
  private final Map<String, Slot> slots = new HashMap<>();

  private static final class Slot {
    DeployJob running;
    DeployJob pending;
    Promise<Void> pendingDone;
  }

  /**
   * @param runner runs a job to its durable outcome
   * @param skipper publishes a skip with a reason
   */
  public ServiceQueue(Function<DeployJob, Future<Void>> runner, BiFunction<DeployJob, String, Future<Void>> skipper) {
    this.runner = runner;
    this.skipper = skipper;
  }

  /** Queues a job; the future completes when its outcome (done or skipped) is durable. */
  public Future<Void> submit(DeployJob job) {
    Slot slot = slots.computeIfAbsent(job.service(), s -> new Slot());
    if (slot.running == null) {
      slot.running = job;
      return start(slot, job);
    }
    Promise<Void> done = Promise.promise();
    if (slot.pending != null) {
      DeployJob old = slot.pending;
      Promise<Void> oldDone = slot.pendingDone;
      skipper.apply(old, "superseded by deployment " + job.deploymentId() + " (version " + job.version() + ")")
          .onComplete(oldDone);
    }
    slot.pending = job;
    slot.pendingDone = done;
    return done.future();
  }

  /** Withdraws a job that waits (not one that runs); true when there was one to withdraw. */
  public boolean cancel(String service, String deploymentId, String reason) {
    Slot slot = slots.get(service);
    if (slot == null || slot.pending == null || !slot.pending.deploymentId().equals(deploymentId)) {
      return false;
    }
    DeployJob job = slot.pending;
    Promise<Void> done = slot.pendingDone;
    slot.pending = null;
    slot.pendingDone = null;
    skipper.apply(job, reason).onComplete(done);
    return true;
  }

  public boolean busy(String service) {
    Slot slot = slots.get(service);
    return slot != null && slot.running != null;
  }

  /** True when the deployment runs or waits here. */
  public boolean holds(String deploymentId) {
    return slots.values().stream().anyMatch(s ->
        (s.running != null && s.running.deploymentId().equals(deploymentId))
            || (s.pending != null && s.pending.deploymentId().equals(deploymentId)));
  }

  private Future<Void> start(Slot slot, DeployJob job) {
    Future<Void> result;
    try {
      result = runner.apply(job);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.andThen(ar -> next(slot));
  }

  private void next(Slot slot) {
    slot.running = null;
    if (slot.pending != null) {
      DeployJob job = slot.pending;
      Promise<Void> done = slot.pendingDone;
      slot.pending = null;
      slot.pendingDone = null;
      slot.running = job;
      start(slot, job).onComplete(done);
    }
  }
}
