package dev.stevedore.common.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The operational endpoints every Stevedore service serves: {@code /health/live} (the process
 * answers), {@code /health/ready} (every named check passes) and {@code /metrics} (Prometheus).
 */
public final class OpsRoutes {
  /** A named readiness check: a future that succeeds while the dependency is usable. */
  public record Check(String name, Supplier<Future<?>> probe) {}

  private final List<Check> checks;
  private final PrometheusMeterRegistry registry;

  public OpsRoutes(List<Check> checks, PrometheusMeterRegistry registry) {
    this.checks = List.copyOf(checks);
    this.registry = registry;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(this::metrics);
  }

  /** Only {@code /health/live}: for a public port, when the rest is served on a management port. */
  public void mountLive(Router router) {
    router.get("/health/live").handler(this::live);
  }

  private void live(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("status", "UP").encode());
  }

  private void ready(RoutingContext ctx) {
    Map<String, Future<?>> results = new LinkedHashMap<>();
    checks.forEach(c -> results.put(c.name(), safe(c.probe())));
    Future.join(List.copyOf(results.values())).onComplete(ignored -> {
      JsonObject body = new JsonObject();
      boolean up = true;
      for (Map.Entry<String, Future<?>> e : results.entrySet()) {
        boolean ok = e.getValue().succeeded();
        up &= ok;
        body.put(e.getKey(), ok ? "UP" : "DOWN: " + e.getValue().cause().getMessage());
      }
      body.put("status", up ? "UP" : "DOWN");
      ctx.response().setStatusCode(up ? 200 : 503)
          .putHeader("content-type", "application/json").end(body.encode());
    });
  }

  private static Future<?> safe(Supplier<Future<?>> probe) {
    try {
      return probe.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
  }
}
