package dev.stevedore.agent;

import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.runtime.Problems;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * The agent's ops routes (served on loopback by default): {@code /health/live},
 * {@code /health/ready} (the agent core answers and its Kafka breaker is not open), {@code /metrics}
 * (with the edge proxies' series, {@link ProxyMetricsRelay}),
 * and {@code /status} (services, running versions, digests, breakers, outbox size). The agent core
 * answers over the event bus, so these routes hold no state of their own.
 */
public final class AgentOpsRoutes implements HttpServerVerticle.Routes {
  private final PrometheusMeterRegistry registry;
  private final ProxyMetricsRelay proxies;

  public AgentOpsRoutes(PrometheusMeterRegistry registry) {
    this(registry, null);
  }

  /** With {@code proxies} (null: no blue-green service): their series follow the agent's on {@code /metrics}. */
  public AgentOpsRoutes(PrometheusMeterRegistry registry, ProxyMetricsRelay proxies) {
    this.registry = registry;
    this.proxies = proxies;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    if (proxies != null) {
      // before OpsRoutes' own /metrics, which it replaces
      router.get("/metrics").handler(ctx -> proxies.scrape().onComplete(ar -> ctx.response()
          .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(registry.scrape() + (ar.succeeded() ? ar.result() : ""))));
    }
    new OpsRoutes(List.of(new OpsRoutes.Check("agent", () -> statusProbe(vertx))), registry).mount(router);
    router.get("/status").handler(ctx -> status(vertx)
        .onSuccess(body -> ctx.response().putHeader("content-type", "application/json").end(body.encodePrettily()))
        .onFailure(e -> Problems.send(ctx, 503, "the agent core did not answer: " + e.getMessage())));
  }

  private static Future<JsonObject> status(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(AgentVerticle.STATUS_ADDRESS, null).map(m -> m.body());
  }

  private static Future<?> statusProbe(Vertx vertx) {
    return status(vertx).map(body -> {
      JsonObject breakers = body.getJsonObject("breakers", new JsonObject());
      if ("OPEN".equals(breakers.getString("kafka"))) {
        throw new IllegalStateException("Kafka circuit breaker is open");
      }
      return body;
    });
  }
}
