package dev.stevedore.agent.health;

import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.util.function.Supplier;

/**
 * Probes a service until it is healthy or the deadline passes, with timers between probes (no
 * thread waits). {@code http}: GET the URL, healthy on the expected status. {@code container}: the
 * container's own Docker healthcheck says {@code healthy}.
 */
public final class HealthChecker {
  /** What one probe saw. */
  private sealed interface Probe {
    /** Healthy. */
    record Healthy() implements Probe {}

    /** Not healthy yet: a later probe may pass. */
    record NotYet(String seen) implements Probe {}

    /** Not healthy, and no later probe can change it (the container exited, docker says unhealthy). */
    record Final(String seen) implements Probe {}
  }

  private static final Probe HEALTHY = new Probe.Healthy();

  private final Vertx vertx;
  private final WebClient client;

  public HealthChecker(Vertx vertx, WebClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  public Future<StepResult> check(HealthCheckConfig config, Supplier<Future<Running>> container) {
    if (config.type() == HealthCheckType.NONE) {
      return Future.succeededFuture(StepResult.ok("no health check configured", 0));
    }
    long start = System.nanoTime();
    long deadline = start + config.deadline().toNanos();
    Promise<StepResult> promise = Promise.promise();
    attempt(config, container, start, deadline, 0, promise);
    return promise.future();
  }

  private void attempt(HealthCheckConfig config, Supplier<Future<Running>> container, long start, long deadline,
      int probes, Promise<StepResult> promise) {
    Future<Probe> probe = config.type() == HealthCheckType.HTTP ? http(config) : container(container);
    probe.onComplete(ar -> {
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      Probe seen = ar.succeeded() ? ar.result() : new Probe.NotYet("error: " + ar.cause().getMessage());
      if (seen instanceof Probe.Healthy) {
        promise.complete(StepResult.ok("healthy after " + (probes + 1) + " probe(s)", elapsedMs));
        return;
      }
      if (seen instanceof Probe.Final f) {
        promise.complete(new StepResult(false, null, "last probe: " + f.seen(), f.seen(), elapsedMs));
        return;
      }
      String status = ((Probe.NotYet) seen).seen();
      if (System.nanoTime() + config.interval().toNanos() > deadline) {
        promise.complete(new StepResult(false, null, "last probe: " + status,
            "not healthy within " + config.deadline().toMillis() + " ms (" + (probes + 1) + " probes; last: " + status + ")",
            elapsedMs));
        return;
      }
      vertx.setTimer(Math.max(1, config.interval().toMillis()),
          id -> attempt(config, container, start, deadline, probes + 1, promise));
    });
  }

  private Future<Probe> http(HealthCheckConfig config) {
    long timeout = Math.max(200, Math.min(config.interval().toMillis() * 4, 5_000));
    return client.getAbs(config.url()).timeout(timeout).send()
        .map(r -> r.statusCode() == config.expectedStatus() ? HEALTHY : new Probe.NotYet("HTTP " + r.statusCode()));
  }

  private static Future<Probe> container(Supplier<Future<Running>> container) {
    return container.get().map(r -> {
      if (!r.present()) {
        return new Probe.NotYet("no container");
      }
      if (!r.status().equals("running")) {
        return new Probe.Final("the container is " + r.status());
      }
      if (r.health().equals("none")) {
        return new Probe.Final("the container has no healthcheck (use type http)");
      }
      if (r.health().equals("unhealthy")) {
        return new Probe.Final("docker reports the container unhealthy");
      }
      return r.health().equals("healthy") ? HEALTHY : new Probe.NotYet(r.health());
    });
  }
}
