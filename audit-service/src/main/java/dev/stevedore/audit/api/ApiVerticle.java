package dev.stevedore.audit.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.common.ops.OpsRoutes;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP boundary: query API under /api/v1 (bearer token), health and metrics. */
public final class ApiVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);

  private final AuditConfig.Http config;
  private final QueryHandlers handlers;
  private final BearerAuth auth;
  private final OpsRoutes ops;
  private final PrometheusMeterRegistry registry;
  private final ObjectMapper json;
  private HttpServer server;

  public ApiVerticle(AuditConfig.Http config, QueryHandlers handlers, BearerAuth auth, OpsRoutes ops,
                     PrometheusMeterRegistry registry, ObjectMapper json) {
    this.config = config;
    this.handlers = handlers;
    this.auth = auth;
    this.ops = ops;
    this.registry = registry;
    this.json = json;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    ops.mount(router);
    router.route("/api/*").handler(this::timed).handler(auth);
    router.get("/api/v1/deployments").handler(handlers::listDeployments);
    router.get("/api/v1/deployments/:id").handler(handlers::deployment);
    router.get("/api/v1/hosts").handler(handlers::hosts);
    router.get("/api/v1/services/:service/history").handler(handlers::serviceHistory);
    router.get("/api/v1/metrics/dora").handler(handlers::dora);
    router.get("/api/v1/export").handler(handlers::export);
    router.get("/api/v1/audit/verify").handler(handlers::verify);
    router.route().failureHandler(this::failure);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host()).setPort(config.port())
        .setMaxInitialLineLength(8192).setMaxHeaderSize(16384);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> {
      server = s;
      LOG.info("audit API listening on {}:{}", config.host(), s.actualPort());
    });
  }

  public int port() {
    return server.actualPort();
  }

  private void timed(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> {
      String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath();
      Timer.builder("stevedore_audit_query_latency").tag("route", route)
          .tag("status", String.valueOf(ctx.response().getStatusCode()))
          .publishPercentiles(0.5, 0.99).register(registry)
          .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    });
    ctx.next();
  }

  private void failure(RoutingContext ctx) {
    Throwable e = ctx.failure();
    int status;
    String message;
    if (e instanceof BadRequest || e instanceof IllegalArgumentException) {
      status = 400;
      message = e.getMessage();
    } else if (e instanceof NotFound) {
      status = 404;
      message = e.getMessage();
    } else if (e != null && isUnavailable(e)) {
      status = 503;
      message = "the database is unavailable; retry later";
      ctx.response().putHeader("Retry-After", "5");
      LOG.warn("query failed, database unavailable: {}", e.toString());
    } else if (e == null) {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      message = status == 404 ? "not found" : status == 405 ? "method not allowed" : "request failed";
    } else {
      status = 500;
      message = "internal error";
      LOG.error("query failed", e);
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    try {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(json.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException jpe) {
      ctx.response().setStatusCode(status).end();
    }
  }

  static boolean isUnavailable(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null && chain.size() < 10; t = t.getCause()) {
      chain.add(t);
    }
    return chain.stream().anyMatch(t -> t instanceof SQLException
        || t instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException
        || t instanceof java.util.concurrent.TimeoutException);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
