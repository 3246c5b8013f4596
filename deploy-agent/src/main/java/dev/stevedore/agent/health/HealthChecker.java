package dev.stevedore.agent.health;

import dev.stevedore.agent.config.HealthCheckConfig;
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
  /** Prefix of a probe answer that no later probe can change (the container exited or docker says unhealthy). */
  private static final String FINAL = "final: ";

  private final Vertx vertx;
  private final WebClient client;

  public HealthChecker(Vertx vertx, WebClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  public Future<StepResult> check(HealthCheckConfig config, Supplier<Future<Running>> container) {
    if (config.type().equals("none")) {
      return Future.succeededFuture(StepResult.ok("no health check configured", 0));
    }
    long start = System.nanoTime();
    long deadline = start + config.deadline().toNanos();
    Promise<StepResult> promise = Promise.promise();
    attempt(config, container, start, deadline, 0, "", promise);
    return promise.future();
  }

  private void attempt(HealthCheckConfig config, Supplier<Future<Running>> container, long start, long deadline,
      int probes, String last, Promise<StepResult> promise) {
    Future<String> probe = config.type().equals("http") ? http(config) : container(container);
    probe.onComplete(ar -> {
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      String status = ar.succeeded() ? ar.result() : "error: " + ar.cause().getMessage();
      if (ar.succeeded() && ar.result() == null) {
        promise.complete(StepResult.ok("healthy after " + (probes + 1) + " probe(s)", elapsedMs));
        return;
      }
      long now = System.nanoTime();
      boolean definitive = ar.succeeded() && ar.result().startsWith(FINAL);
      if (definitive || now + config.interval().toNanos() > deadline) {
        if (definitive) {
          promise.complete(new StepResult(false, null, "last probe: " + status, status.substring(FINAL.length()), elapsedMs));
          return;
        }
        promise.complete(new StepResult(false, null, "last probe: " + status,
            "not healthy within " + config.deadline().toMillis() + " ms (" + (probes + 1) + " probes; last: " + status + ")",
            elapsedMs));
        return;
      }
      vertx.setTimer(Math.max(1, config.interval().toMillis()),
          id -> attempt(config, container, start, deadline, probes + 1, status, promise));
    });
  }

  /** Null when healthy, else what the probe saw. */
  private Future<String> http(HealthCheckConfig config) {
    long timeout = Math.max(200, Math.min(config.interval().toMillis() * 4, 5_000));
    return client.getAbs(config.url()).timeout(timeout).send()
        .map(r -> r.statusCode() == config.expectedStatus() ? null : "HTTP " + r.statusCode());
  }

  private static Future<String> container(Supplier<Future<Running>> container) {
    return container.get().map(r -> {
      if (!r.present()) {
        return "no container";
      }
      if (!r.status().equals("running")) {
        return FINAL + "the container is " + r.status();
      }
      if (r.health().equals("none")) {
        return FINAL + "the container has no healthcheck (use type http)";
      }
      if (r.health().equals("unhealthy")) {
        return FINAL + "docker reports the container unhealthy";
      }
      return r.health().equals("healthy") ? null : r.health();
    });
  }
}
