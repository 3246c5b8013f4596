package dev.stevedore.agent;

import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.Problems;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The agent's HTTP boundary (loopback by default): {@code /health/live}, {@code /health/ready}
 * (the agent core answers), {@code /metrics}, and {@code /status} (services, running versions,
 * digests, breakers, outbox size).
 */
public final class OpsVerticle extends VerticleBase {
  private final String host;
  private final int port;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  public OpsVerticle(String host, int port, PrometheusMeterRegistry registry) {
    this.host = host;
    this.port = port;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new OpsRoutes(List.of(new OpsRoutes.Check("agent", this::statusProbe)), registry).mount(router);
    router.get("/status").handler(this::status);
    Problems.install(router, e -> null);
    return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> server = s);
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  private Future<?> statusProbe() {
    return vertx.eventBus().<JsonObject>request(AgentVerticle.STATUS_ADDRESS, null)
        .map(m -> {
          JsonObject breakers = m.body().getJsonObject("breakers", new JsonObject());
          if ("OPEN".equals(breakers.getString("kafka"))) {
            throw new IllegalStateException("Kafka circuit breaker is open");
          }
          return m;
        });
  }

  private void status(RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(AgentVerticle.STATUS_ADDRESS, null)
        .onSuccess(m -> ctx.response().putHeader("content-type", "application/json").end(m.body().encodePrettily()))
        .onFailure(e -> Problems.send(ctx, 503, "the agent core did not answer: " + e.getMessage()));
  }
}
