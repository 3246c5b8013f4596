package dev.stevedore.proxy;

import dev.stevedore.common.security.Secrets;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;

/**
 * The admin endpoint (loopback only): {@code GET /state} and {@code PUT /upstream} need the bearer
 * token; {@code GET /metrics} and {@code GET /health} do not (they reveal no secret and change
 * nothing). A switch is persisted before it takes effect, so a proxy restarted after a 200 serves
 * the colour the 200 named.
 */
final class AdminVerticle extends VerticleBase {
  private final ProxyConfig config;
  private final Traffic traffic;
  private final StateFile file;
  private final Clock clock;
  /** JVM, process and build-info meters; the traffic counters are Traffic's own text. */
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  /** {@code registry}: the process's one registry (a new proxy waiting for the admin port deploys this again and again). */
  AdminVerticle(ProxyConfig config, Traffic traffic, StateFile file, Clock clock, PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.config = config;
    this.traffic = traffic;
    this.file = file;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.response().end("ok"));
    router.get("/metrics").handler(this::metrics);
    router.route("/state").handler(this::authorised);
    router.route("/upstream").handler(this::authorised);
    router.get("/state").handler(this::state);
    router.put("/upstream").handler(BodyHandler.create().setBodyLimit(4_096)).handler(this::switchTo);
    return vertx.createHttpServer().requestHandler(router).listen(config.adminPort(), config.adminHost())
        .onSuccess(s -> server = s);
  }

  int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  private void authorised(RoutingContext ctx) {
    String header = ctx.request().getHeader("authorization");
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : "";
    if (!Secrets.constantTimeEquals(config.adminToken(), given)) {
      ctx.response().setStatusCode(401).putHeader("www-authenticate", "Bearer").end();
      return;
    }
    ctx.next();
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(traffic.prometheus() + registry.scrape());
  }

  private void state(RoutingContext ctx) {
    json(ctx, 200, describe(traffic.state()));
  }

  private void switchTo(RoutingContext ctx) {
    Upstream next;
    try {
      JsonObject body = ctx.body().asJsonObject();
      next = new Upstream(body.getString("colour"), body.getInteger("port", 0));
    } catch (RuntimeException e) {
      json(ctx, 400, new JsonObject().put("error", "expected {\"colour\": \"blue\", \"port\": 8081}: " + e.getMessage()));
      return;
    }
    // one switch at a time: the admin verticle is a single instance, on one event loop
    ProxyState before = traffic.state();
    ProxyState after = before.switchTo(next, clock.instant());
    if (after == before) {
      json(ctx, 200, describe(before));
      return;
    }
    vertx.executeBlocking(() -> {
      file.save(after);
      return after;
    }).onSuccess(saved -> {
      traffic.set(saved);
      json(ctx, 200, describe(saved));
    }).onFailure(e -> json(ctx, 500, new JsonObject().put("error", "state not saved, not switched: " + e.getMessage())));
  }

  private JsonObject describe(ProxyState s) {
    JsonObject out = new JsonObject().put("generation", s.generation())
        .put("switchedAt", s.switchedAt() == null ? null : s.switchedAt().toString())
        .put("inFlight", new JsonObject(new java.util.LinkedHashMap<>(traffic.inFlight())));
    if (s.active() != null) {
      out.put("colour", s.active().colour()).put("port", s.active().port());
    }
    return out;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
