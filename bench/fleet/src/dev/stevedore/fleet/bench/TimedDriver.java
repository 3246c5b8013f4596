package dev.stevedore.fleet.bench;

import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepPlan;
import dev.stevedore.agent.driver.StepResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * A driver that only takes time: each step completes after {@code stepMs} on a Vert.x timer (no
 * process, no sleep), {@code fetch} then {@code restart} (which switches the running version).
 * Tells {@link Probe} when the first step of a version starts and when the last one ends, so the
 * bench sees when the real agent (consumer, admission, state, outbox) got to work.
 */
final class TimedDriver implements Driver {
  interface Probe {
    void started(String host, String version, long nanos);

    void switched(String host, String version, long nanos);
  }

  private final Vertx vertx;
  private final String host;
  private final long stepMs;
  private final Probe probe;
  private volatile String running;

  TimedDriver(Vertx vertx, String host, long stepMs, Probe probe, String initial) {
    this.vertx = vertx;
    this.host = host;
    this.stepMs = stepMs;
    this.probe = probe;
    this.running = initial;
  }

  @Override
  public Future<Running> inspect() {
    String v = running;
    return Future.succeededFuture(v == null ? Running.absent() : new Running(v, null, v, "none", "running"));
  }

  @Override
  public List<StepPlan> forward(String version) {
    return List.of(
        new StepPlan("fetch", false, () -> {
          probe.started(host, version, System.nanoTime());
          return after(null);
        }),
        new StepPlan("restart", true, () -> after(version).onSuccess(r -> probe.switched(host, version, System.nanoTime()))));
  }

  @Override
  public List<StepPlan> rollback(String version, Running previous) {
    return List.of(new StepPlan("rollback", true, () -> after(version)));
  }

  private Future<StepResult> after(String switchTo) {
    Promise<StepResult> done = Promise.promise();
    long start = System.nanoTime();
    vertx.setTimer(stepMs, id -> {
      if (switchTo != null) {
        running = switchTo;
      }
      done.complete(StepResult.ok("", (System.nanoTime() - start) / 1_000_000));
    });
    return done.future();
  }
}
