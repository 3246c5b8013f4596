package dev.stevedore.audit.api;

import dev.stevedore.audit.dashboard.DashboardRoutes;
import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.BearerGuard;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.runtime.OpenApiRoute;
import dev.stevedore.common.ops.ServiceMetrics;
import java.time.Duration;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit's routes: the query API under /api/v1 (bearer token of the role reader, each query
 * timed), health and metrics. Served by common's {@link dev.stevedore.common.runtime.HttpServerVerticle}.
 */
public final class ApiRoutes implements HttpServerVerticle.Routes {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

  private final QueryHandlers handlers;
  private final BearerGuard<String> auth;
  private final OpsRoutes ops;
  private final PrometheusMeterRegistry registry;
  private final DashboardRoutes dashboard;

  public ApiRoutes(QueryHandlers handlers, BearerGuard<String> auth, OpsRoutes ops, PrometheusMeterRegistry registry) {
    this(handlers, auth, ops, registry, null);
  }

  /** {@code dashboard}: the web dashboard under /ui, or null for none. */
  public ApiRoutes(QueryHandlers handlers, BearerGuard<String> auth, OpsRoutes ops, PrometheusMeterRegistry registry,
                   DashboardRoutes dashboard) {
    this.dashboard = dashboard;
    this.handlers = handlers;
    this.auth = auth;
    this.ops = ops;
    this.registry = registry;
  }

  /** The OpenAPI description of the query API, served at {@link OpenApiRoute#PATH}. */
  public static final String OPENAPI = "openapi/audit.yaml";

  @Override
  public void mount(Vertx vertx, Router router) {
    ops.mount(router);
    OpenApiRoute.mount(router, OPENAPI);
    router.route("/api/*").handler(this::timed)
        .handler(auth.handler("stevedore-audit", "stevedore.reader", "a bearer token of the role reader is required"));
    router.get("/api/v1/deployments").handler(handlers::listDeployments);
    router.get("/api/v1/deployments/:id").handler(handlers::deployment);
    router.get("/api/v1/rollouts").handler(handlers::listRollouts);
    router.get("/api/v1/rollouts/:id").handler(handlers::rollout);
    router.get("/api/v1/hosts").handler(handlers::hosts);
    router.get("/api/v1/fleet").handler(handlers::fleet);
    router.get("/api/v1/services/:service/history").handler(handlers::serviceHistory);
    router.get("/api/v1/metrics/dora").handler(handlers::dora);
    router.get("/api/v1/metrics/dora/series").handler(handlers::doraSeries);
    router.get("/api/v1/export").handler(handlers::export);
    router.get("/api/v1/audit/verify").handler(handlers::verify);
    router.get("/api/v1/audit/conflicts").handler(handlers::conflicts);
    router.get("/api/v1/audit/unverified").handler(handlers::unverified);
    if (dashboard != null) {
      dashboard.mount(router);
    }
  }

  private void timed(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> {
      String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath();
      ServiceMetrics.latency("stevedore_audit_query_latency", Duration.ofMillis(1), Duration.ofSeconds(30))
          .description("audit API answers by route and status").tag("route", route)
          .tag("status", String.valueOf(ctx.response().getStatusCode()))
          .register(registry)
          .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    });
    ctx.next();
  }

  /** The audit's own failures: bad input from a parser, and an unreachable database (503). */
  public static HttpProblem classify(Throwable e) {
    if (e instanceof IllegalArgumentException) {
      return HttpProblem.badRequest(e.getMessage());
    }
    if (isUnavailable(e)) {
      LOG.warn("query failed, database unavailable: {}", e.toString());
      return HttpProblem.of(503, "the database is unavailable; retry later").withHeader("Retry-After", "5");
    }
    return null;
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
}
