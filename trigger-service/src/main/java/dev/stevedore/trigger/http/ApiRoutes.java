package dev.stevedore.trigger.http;

import dev.stevedore.common.runtime.Problems;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.security.Secrets;
import dev.stevedore.trigger.TriggerConfig.ApiToken;
import dev.stevedore.trigger.TriggerConfig.Role;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.core.DeployIntent;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.core.Validation;
import dev.stevedore.trigger.history.DeploymentHistory;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.JsonBodies;
import dev.stevedore.trigger.schedule.Schedule;
import dev.stevedore.trigger.schedule.Scheduler;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The manual API (bearer tokens; role {@code deployer} to change, {@code viewer} or deployer to read):
 * deploy now or at {@code notBefore}, list/show/cancel schedules, roll a deployment back.
 */
public final class ApiRoutes {
  private static final String TOKEN = "stevedore.apiToken";
  private static final Set<String> FIELDS = Set.of("service", "environment", "version", "notBefore", "reason");
  private static final Duration MAX_HORIZON = Duration.ofDays(366);

  private final List<ApiToken> tokens;
  private final Submitter submitter;
  private final Scheduler scheduler;
  private final DeploymentHistory history;
  private final RateLimits rateLimits;
  private final TriggerMetrics metrics;
  private final CircuitBreaker breaker;
  private final Clock clock;
  private final int bodyLimit;
  private final int retryAfterSeconds;

  public ApiRoutes(List<ApiToken> tokens, Submitter submitter, Scheduler scheduler, DeploymentHistory history,
      RateLimits rateLimits, TriggerMetrics metrics, CircuitBreaker breaker, Clock clock, int bodyLimit,
      int retryAfterSeconds) {
    this.tokens = List.copyOf(tokens);
    this.submitter = submitter;
    this.scheduler = scheduler;
    this.history = history;
    this.rateLimits = rateLimits;
    this.metrics = metrics;
    this.breaker = breaker;
    this.clock = clock;
    this.bodyLimit = bodyLimit;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(bodyLimit);
    router.route("/api/v1/*").handler(this::authenticate);
    router.post("/api/v1/deployments").handler(ctx -> jsonBody(ctx, false));
    router.post("/api/v1/deployments").handler(body).handler(ctx -> guarded(ctx, Role.DEPLOYER, this::deploy));
    router.post("/api/v1/deployments/:id/rollback").handler(ctx -> jsonBody(ctx, true));
    router.post("/api/v1/deployments/:id/rollback").handler(body).handler(ctx -> guarded(ctx, Role.DEPLOYER, this::rollback));
    router.get("/api/v1/schedules").handler(ctx -> guarded(ctx, Role.VIEWER, this::listSchedules));
    router.get("/api/v1/schedules/:id").handler(ctx -> guarded(ctx, Role.VIEWER, this::showSchedule));
    router.delete("/api/v1/schedules/:id").handler(ctx -> guarded(ctx, Role.DEPLOYER, this::cancelSchedule));
  }

  /** Bearer token (every one compared in constant time), then the token's rate limit. */
  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    ApiToken found = null;
    for (ApiToken t : tokens) {
      if (Secrets.constantTimeEquals(t.token(), given) && found == null) {
        found = t;
      }
    }
    if (found == null) {
      if (!rateLimits.tryAcquire("api:anonymous")) {
        tooMany(ctx, "api:anonymous");
        return;
      }
      metrics.request("api", "401");
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"stevedore\"");
      Problems.send(ctx, 401, given == null ? "missing bearer token" : "unknown token");
      return;
    }
    if (!rateLimits.tryAcquire("api:" + found.name())) {
      tooMany(ctx, "api:" + found.name());
      return;
    }
    ctx.put(TOKEN, found);
    ctx.next();
  }

  private void tooMany(RoutingContext ctx, String source) {
    metrics.request("api", "429");
    ctx.response().putHeader("Retry-After", String.valueOf(rateLimits.retryAfterSeconds()));
    Problems.send(ctx, 429, "rate limit of " + source + " exceeded");
  }

  private void jsonBody(RoutingContext ctx, boolean optional) {
    String type = ctx.request().getHeader("content-type");
    String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    String length = ctx.request().getHeader("content-length");
    boolean empty = "0".equals(length) || (length == null && ctx.request().getHeader("transfer-encoding") == null);
    if (!base.equals("application/json") && !(optional && empty)) {
      metrics.request("api", "415");
      Problems.send(ctx, 415, "content type must be application/json");
      return;
    }
    ctx.next();
  }

  private interface Action {
    Future<JsonObject> run(RoutingContext ctx, ApiToken token);
  }

  /** Role check, then the action; HttpProblem becomes its status, anything else from Kafka a 503. */
  private void guarded(RoutingContext ctx, Role role, Action action) {
    ApiToken token = ctx.get(TOKEN);
    if (!token.may(role)) {
      metrics.request("api", "403");
      Problems.send(ctx, 403, "token " + token.name() + " lacks role " + role.name().toLowerCase(Locale.ROOT));
      return;
    }
    Future<JsonObject> result;
    try {
      result = action.run(ctx, token);
    } catch (HttpProblem bad) {
      result = Future.failedFuture(bad);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        int status = ar.result().getInteger("status", 200);
        ar.result().remove("status");
        metrics.request("api", String.valueOf(status));
        Responses.json(ctx, status, ar.result());
      } else if (ar.cause() instanceof HttpProblem bad) {
        metrics.request("api", String.valueOf(bad.status()));
        Problems.send(ctx, bad);
      } else {
        metrics.request("api", "503");
        Responses.unavailable(ctx, ar.cause(), breaker, retryAfterSeconds);
      }
    });
  }

  private Future<JsonObject> deploy(RoutingContext ctx, ApiToken token) {
    JsonNode json = JsonBodies.object(HookRoutes.bytes(ctx));
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw HttpProblem.badRequest("unknown field '" + (field.length() > 64 ? field.substring(0, 64) : field) + "'");
      }
    }
    String service = Validation.name("service", JsonBodies.text(json, "service"));
    String environment = Validation.name("environment", JsonBodies.text(json, "environment"));
    String version = Validation.version(JsonBodies.text(json, "version"));
    String reason = Validation.text("reason", JsonBodies.text(json, "reason"));
    if (reason == null || reason.isBlank()) {
      throw HttpProblem.badRequest("missing reason");
    }
    Instant notBefore = notBefore(JsonBodies.text(json, "notBefore"));
    String id = DeploymentIds.of("manual:" + token.name(), delivery(ctx));
    String by = "api:" + token.name();
    Instant now = clock.instant();
    if (notBefore != null && notBefore.isAfter(now.plusSeconds(1))) {
      Schedule s = new Schedule(id, service, environment, version, notBefore, reason, by, now, Schedule.PENDING, now, by);
      return scheduler.add(s).map(added -> new JsonObject().put("status", 202)
          .put("deploymentId", id).put("duplicate", added.duplicate()).put("scheduled", true)
          .put("schedule", toJson(added.schedule())));
    }
    DeployIntent intent = new DeployIntent("manual", id, service, environment, version, null, null, null, by, reason);
    return submitter.submit(List.of(intent)).map(done -> new JsonObject().put("status", 202)
        .put("deploymentId", id).put("duplicate", done.get(0).duplicate()));
  }

  private Future<JsonObject> rollback(RoutingContext ctx, ApiToken token) {
    String of = uuid(ctx.pathParam("id"));
    String reason = null;
    if (HookRoutes.bytes(ctx).length > 0) {
      JsonNode json = JsonBodies.object(HookRoutes.bytes(ctx));
      for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
        if (!"reason".equals(it.next())) {
          throw HttpProblem.badRequest("a rollback takes only 'reason'");
        }
      }
      reason = Validation.text("reason", JsonBodies.text(json, "reason"));
    }
    if (history == null) {
      throw HttpProblem.of(501, "rollback needs history.enabled: true");
    }
    DeploymentHistory.RollbackTarget target = history.rollbackTarget(of);
    if (target.unknown()) {
      throw HttpProblem.of(404, target.problem());
    }
    if (target.previous() == null) {
      throw HttpProblem.of(409, target.problem());
    }
    DeploymentHistory.Requested d = target.deployment();
    String version = target.previous().version();
    String id = DeploymentIds.of("rollback:" + token.name(), of + "/" + delivery(ctx));
    String why = reason != null ? reason : "rollback of deployment " + of + " to " + version;
    DeployIntent intent = new DeployIntent("rollback", id, d.service(), d.environment(), version, null, null, null,
        "api:" + token.name(), why);
    return submitter.submit(List.of(intent)).map(done -> new JsonObject().put("status", 202)
        .put("deploymentId", id).put("duplicate", done.get(0).duplicate())
        .put("rollbackOf", of).put("version", version).put("previousDeploymentId", target.previous().deploymentId()));
  }

  private Future<JsonObject> listSchedules(RoutingContext ctx, ApiToken token) {
    return scheduler.pending().map(list -> {
      JsonArray all = new JsonArray();
      list.forEach(s -> all.add(toJson(s)));
      return new JsonObject().put("schedules", all);
    });
  }

  private Future<JsonObject> showSchedule(RoutingContext ctx, ApiToken token) {
    String id = uuid(ctx.pathParam("id"));
    return scheduler.get(id).compose(s -> s.isPresent() ? Future.succeededFuture(toJson(s.get()))
        : Future.failedFuture(HttpProblem.of(404, "no schedule " + id)));
  }

  private Future<JsonObject> cancelSchedule(RoutingContext ctx, ApiToken token) {
    return scheduler.cancel(uuid(ctx.pathParam("id")), "api:" + token.name()).map(ApiRoutes::toJson);
  }

  private Instant notBefore(String text) {
    if (text == null) {
      return null;
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw HttpProblem.badRequest("notBefore must be an RFC 3339 time such as 2030-01-31T12:00:00Z");
    }
    if (at.isAfter(clock.instant().plus(MAX_HORIZON))) {
      throw HttpProblem.badRequest("notBefore is more than " + MAX_HORIZON.toDays() + " days ahead");
    }
    return at;
  }

  private static String delivery(RoutingContext ctx) {
    String key = Validation.deliveryId(GenericHooks.IDEMPOTENCY_KEY, ctx.request().getHeader(GenericHooks.IDEMPOTENCY_KEY));
    return key != null ? key : UUID.randomUUID().toString();
  }

  private static String uuid(String id) {
    try {
      return UUID.fromString(id).toString().equals(id.toLowerCase(Locale.ROOT)) ? id.toLowerCase(Locale.ROOT) : fail(id);
    } catch (IllegalArgumentException e) {
      return fail(id);
    }
  }

  private static String fail(String id) {
    throw HttpProblem.of(404, "no such deployment or schedule");
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
        .put("state", s.state())
        .put("changedAt", s.changedAt() == null ? null : s.changedAt().toString())
        .put("changedBy", s.changedBy());
  }
}
