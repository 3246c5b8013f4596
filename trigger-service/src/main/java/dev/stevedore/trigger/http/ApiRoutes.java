package dev.stevedore.trigger.http;

import dev.stevedore.common.runtime.BearerGuard;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.TriggerConfig.ApiToken;
import dev.stevedore.trigger.TriggerConfig.Role;
import dev.stevedore.trigger.core.CancelRequest;
import dev.stevedore.trigger.core.DeployRequest;
import dev.stevedore.trigger.core.JsonBodies;
import dev.stevedore.trigger.rollout.RolloutApi;
import dev.stevedore.trigger.rollout.RolloutMachine;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import dev.stevedore.trigger.core.ManualDeployments;
import dev.stevedore.trigger.core.RollbackRequest;
import dev.stevedore.trigger.core.UnblockRequest;
import dev.stevedore.trigger.core.Validation;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.schedule.Schedule;
import dev.stevedore.trigger.schedule.ScheduleService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The manual API (bearer tokens; role {@code deployer} to change, {@code viewer} or deployer to read):
 * deploy now or at {@code notBefore}, list/show/cancel schedules, roll a deployment back, cancel a
 * published deployment that waits, lift a blocked version. The routes
 * are a table; the use cases are {@link ManualDeployments} and {@link ScheduleService}.
 */
public final class ApiRoutes {
  private static final String TOKEN = "stevedore.apiToken";
  static final long KEEP_ALIVE_MS = 15_000;

  /** Whether a route reads a JSON body. */
  private enum Body { NONE, REQUIRED, OPTIONAL }

  @FunctionalInterface
  private interface Action {
    Future<Reply> run(RoutingContext ctx, ApiToken token);
  }

  private final BearerGuard<ApiToken> tokens;
  private final ManualDeployments deployments;
  private final ScheduleService schedules;
  private final Guards guards;
  private final Clock clock;
  private final int bodyLimit;
  private final RolloutApi rollouts;

  ApiRoutes(List<ApiToken> tokens, ManualDeployments deployments, ScheduleService schedules, Guards guards,
      Clock clock, int bodyLimit, RolloutApi rollouts) {
    this.rollouts = rollouts;
    Map<String, ApiToken> byValue = new LinkedHashMap<>();
    tokens.forEach(t -> byValue.putIfAbsent(t.token(), t));
    this.tokens = BearerGuard.of(byValue);
    this.deployments = deployments;
    this.schedules = schedules;
    this.guards = guards;
    this.clock = clock;
    this.bodyLimit = bodyLimit;
  }

  void mount(Router router) {
    router.route("/api/v1/*").handler(guards.metric("api")).handler(this::authenticate);
    route(router, HttpMethod.POST, "/api/v1/deployments", Role.DEPLOYER, Body.REQUIRED, this::deploy);
    route(router, HttpMethod.POST, "/api/v1/deployments/:id/rollback", Role.DEPLOYER, Body.OPTIONAL, this::rollback);
    route(router, HttpMethod.POST, "/api/v1/deployments/:id/cancel", Role.DEPLOYER, Body.OPTIONAL, this::cancel);
    route(router, HttpMethod.GET, "/api/v1/schedules", Role.VIEWER, Body.NONE, this::listSchedules);
    route(router, HttpMethod.GET, "/api/v1/schedules/:id", Role.VIEWER, Body.NONE, this::showSchedule);
    route(router, HttpMethod.DELETE, "/api/v1/schedules/:id", Role.DEPLOYER, Body.NONE, this::cancelSchedule);
    route(router, HttpMethod.DELETE, "/api/v1/blocks/:environment/:service/:version", Role.DEPLOYER, Body.REQUIRED,
        this::unblock);
    route(router, HttpMethod.GET, "/api/v1/deployments/:id", Role.VIEWER, Body.NONE, this::deploymentState);
    route(router, HttpMethod.GET, "/api/v1/rollouts/:id", Role.VIEWER, Body.NONE, this::rollout);
    for (RolloutMachine.Command command : RolloutMachine.Command.values()) {
      route(router, HttpMethod.POST, "/api/v1/rollouts/:id/" + command.name().toLowerCase(Locale.ROOT), Role.DEPLOYER,
          Body.OPTIONAL, (ctx, token) -> rolloutCommand(ctx, token, command));
    }
  }

  /** Content type (before the body is read), body limit, role, then the action. */
  private void route(Router router, HttpMethod method, String path, Role role, Body body, Action action) {
    if (body != Body.NONE) {
      router.route(method, path).handler(guards.json(body == Body.OPTIONAL));
    }
    Route route = router.route(method, path);
    if (body != Body.NONE) {
      route.handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    }
    route.handler(ctx -> {
      ApiToken token = ctx.get(TOKEN);
      if (!token.may(role)) {
        guards.refuse(ctx, HttpProblem.of(403, "token " + token.name() + " lacks role "
            + role.name().toLowerCase(Locale.ROOT)));
        return;
      }
      guards.answer(ctx, () -> action.run(ctx, token));
    });
  }

  /** Bearer token (every one compared in constant time), then the token's rate limit. */
  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    ApiToken token = tokens.authenticate(header).orElse(null);
    if (token == null) {
      if (guards.withinRate(ctx, "api:anonymous")) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"stevedore\"");
        guards.refuse(ctx, HttpProblem.unauthorized(
            BearerGuard.token(header).isEmpty() ? "missing bearer token" : "unknown token"));
      }
      return;
    }
    if (guards.withinRate(ctx, "api:" + token.name())) {
      ctx.put(TOKEN, token);
      ctx.next();
    }
  }

  private Future<Reply> deploy(RoutingContext ctx, ApiToken token) {
    DeployRequest request = DeployRequest.parse(Responses.body(ctx), clock.instant());
    return deployments.deploy(token.name(), delivery(ctx), request, guards.trace(ctx)).map(a -> {
      JsonObject body = new JsonObject().put("deploymentId", a.deploymentId()).put("duplicate", a.duplicate());
      a.schedule().ifPresent(s -> body.put("scheduled", true).put("schedule", toJson(s)));
      return Reply.of(202, body);
    });
  }

  private Future<Reply> rollback(RoutingContext ctx, ApiToken token) {
    RollbackRequest request = RollbackRequest.parse(uuid(ctx.pathParam("id")), Responses.body(ctx));
    return deployments.rollback(token.name(), delivery(ctx), request, guards.trace(ctx)).map(r -> Reply.of(202, new JsonObject()
        .put("deploymentId", r.deploymentId()).put("duplicate", r.duplicate())
        .put("rollbackOf", r.rollbackOf()).put("version", r.version())
        .put("previousDeploymentId", r.previousDeploymentId())));
  }

  private Future<Reply> cancel(RoutingContext ctx, ApiToken token) {
    CancelRequest request = CancelRequest.parse(uuid(ctx.pathParam("id")), Responses.body(ctx));
    return deployments.cancel(token.name(), delivery(ctx), request).map(c -> Reply.of(202, new JsonObject()
        .put("cancellationId", c.cancellationId()).put("deploymentId", c.deploymentId())
        .put("environment", c.environment()).put("service", c.service())));
  }

  private Future<Reply> unblock(RoutingContext ctx, ApiToken token) {
    UnblockRequest request = UnblockRequest.parse(ctx.pathParam("environment"), ctx.pathParam("service"),
        ctx.pathParam("version"), Responses.body(ctx));
    return deployments.unblock(token.name(), delivery(ctx), request).map(u -> Reply.of(202, new JsonObject()
        .put("unblockId", u.unblockId()).put("environment", u.environment()).put("service", u.service())
        .put("version", u.version()).put("hosts", new JsonArray(u.hosts()))));
  }

  /** With {@code ?wait=PT10M}: answers once finished or after the wait; blanks every 15 s keep the connection open. */
  private Future<Reply> deploymentState(RoutingContext ctx, ApiToken token) {
    String id = uuid(ctx.pathParam("id"));
    Duration wait = RolloutApi.parseWait(ctx.queryParams().get("wait"));
    long keepAlive = wait.isZero() ? -1 : ctx.vertx().setPeriodic(KEEP_ALIVE_MS, t -> {
      HttpServerResponse r = ctx.response();
      if (r.ended() || r.closed()) {
        return;
      }
      if (!r.headWritten()) {
        r.setChunked(true).setStatusCode(200).putHeader("content-type", "application/json");
      }
      r.write(" ");
    });
    return rollouts.deployment(id, wait).map(json -> Reply.of(200, json)).onComplete(ar -> {
      if (keepAlive >= 0) {
        ctx.vertx().cancelTimer(keepAlive);
      }
    });
  }

  private Future<Reply> rollout(RoutingContext ctx, ApiToken token) {
    return rollouts.rollout(uuid(ctx.pathParam("id"))).map(json -> Reply.of(200, json));
  }

  private Future<Reply> rolloutCommand(RoutingContext ctx, ApiToken token, RolloutMachine.Command command) {
    String id = uuid(ctx.pathParam("id"));
    byte[] body = Responses.body(ctx);
    String reason = null;
    if (body.length > 0) {
      com.fasterxml.jackson.databind.JsonNode json = JsonBodies.object(body, java.util.Set.of("reason"));
      reason = Validation.text("reason", JsonBodies.text(json, "reason"));
    }
    if (command == RolloutMachine.Command.ABORT && (reason == null || reason.isBlank())) {
      throw HttpProblem.badRequest("abort needs a reason");
    }
    return rollouts.command(id, command, "api:" + token.name(), reason).map(json -> Reply.of(200, json));
  }

  private Future<Reply> listSchedules(RoutingContext ctx, ApiToken token) {
    return schedules.pending().map(list -> {
      JsonArray all = new JsonArray();
      list.forEach(s -> all.add(toJson(s)));
      return Reply.of(200, new JsonObject().put("schedules", all));
    });
  }

  private Future<Reply> showSchedule(RoutingContext ctx, ApiToken token) {
    String id = uuid(ctx.pathParam("id"));
    return schedules.get(id).compose(s -> s.isPresent() ? Future.succeededFuture(Reply.of(200, toJson(s.get())))
        : Future.failedFuture(HttpProblem.notFound("no schedule " + id)));
  }

  private Future<Reply> cancelSchedule(RoutingContext ctx, ApiToken token) {
    return schedules.cancel(uuid(ctx.pathParam("id")), "api:" + token.name()).map(s -> Reply.of(200, toJson(s)));
  }

  /** The caller's idempotency key, or a fresh id (then every call is a new deployment). */
  private static String delivery(RoutingContext ctx) {
    String key = Validation.deliveryId(GenericHooks.IDEMPOTENCY_KEY, ctx.request().getHeader(GenericHooks.IDEMPOTENCY_KEY));
    return key != null ? key : UUID.randomUUID().toString();
  }

  /** A deployment or schedule id from the path: a UUID, else 404 (as any unknown resource). */
  static String uuid(String id) {
    String lower = id.toLowerCase(Locale.ROOT);
    try {
      if (UUID.fromString(id).toString().equals(lower)) {
        return lower;
      }
    } catch (IllegalArgumentException e) {
      // not a UUID: 404 below
    }
    throw HttpProblem.notFound("no such deployment or schedule");
  }

  static JsonObject toJson(Schedule s) {
    return new JsonObject()
        .put("id", s.id())
        .put("deploymentId", s.id())
        .put("service", s.service())
        .put("environment", s.environment())
        .put("version", s.version())
        .put("notBefore", s.notBefore().toString())
        .put("reason", s.reason())
        .put("requestedBy", s.requestedBy())
        .put("createdAt", s.createdAt().toString())
        .put("state", s.state().word())
        .put("changedAt", s.changedAt() == null ? null : s.changedAt().toString())
        .put("changedBy", s.changedBy());
  }
}
