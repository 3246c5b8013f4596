package dev.stevedore.trigger.http;

import dev.stevedore.common.runtime.Problems;
import dev.stevedore.trigger.TriggerConfig.GenericHook;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.core.DeployIntent;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.Submitter.Submitted;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.Headers;
import dev.stevedore.trigger.hooks.HookDecision;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.Function;

/**
 * The webhook endpoints. Each request goes: rate limit, authentication that needs no body (the
 * secret URL), content type, body limit, then the source's own parser; only a parsed and
 * authenticated request reaches the {@link Submitter}. Answers 202 only after Kafka acknowledged.
 */
public final class HookRoutes {
  private static final String HOOK = "stevedore.hook";

  private final GenericHooks generic;
  private final WebhookParsers parsers;
  private final Submitter submitter;
  private final RateLimits rateLimits;
  private final TriggerMetrics metrics;
  private final CircuitBreaker breaker;
  private final int bodyLimit;
  private final int retryAfterSeconds;

  public HookRoutes(GenericHooks generic, WebhookParsers parsers, Submitter submitter, RateLimits rateLimits,
      TriggerMetrics metrics, CircuitBreaker breaker, int bodyLimit, int retryAfterSeconds) {
    this.generic = generic;
    this.parsers = parsers;
    this.submitter = submitter;
    this.rateLimits = rateLimits;
    this.metrics = metrics;
    this.breaker = breaker;
    this.bodyLimit = bodyLimit;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(bodyLimit);
    // Checks that need no body run first (their own route), so that a wrong token, a rate-limited
    // source or a wrong content type costs no body reading; the body handler then reads at most the limit.
    router.post("/hooks/generic/:token").handler(this::genericToken).handler(this::jsonOnly);
    router.post("/hooks/generic/:token").handler(body).handler(this::generic);
    if (parsers.github() != null) {
      router.post("/hooks/github").handler(ctx -> limit(ctx, "github")).handler(this::jsonOnly);
      router.post("/hooks/github").handler(body).handler(ctx -> provider(ctx, "github", parsers.github()::decide));
    }
    if (parsers.gitlab() != null) {
      router.post("/hooks/gitlab").handler(ctx -> limit(ctx, "gitlab")).handler(this::jsonOnly);
      router.post("/hooks/gitlab").handler(body).handler(ctx -> provider(ctx, "gitlab", parsers.gitlab()::decide));
    }
  }

  private void genericToken(RoutingContext ctx) {
    GenericHook hook = generic.byToken(ctx.pathParam("token")).orElse(null);
    if (hook == null) {
      metrics.request("generic", "404");
      Responses.notFound(ctx);
      return;
    }
    ctx.put(HOOK, hook);
    limit(ctx, "generic:" + hook.name());
  }

  private void limit(RoutingContext ctx, String source) {
    ctx.put("stevedore.source", source);
    if (!rateLimits.tryAcquire(source)) {
      metrics.request(metricSource(source), "429");
      ctx.response().putHeader("Retry-After", String.valueOf(rateLimits.retryAfterSeconds()));
      Problems.send(ctx, 429, "rate limit of source " + source + " exceeded");
      return;
    }
    ctx.next();
  }

  private void jsonOnly(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!base.equals("application/json")) {
      String source = ctx.get("stevedore.source");
      metrics.request(metricSource(source), "415");
      Problems.send(ctx, 415, "content type must be application/json");
      return;
    }
    ctx.next();
  }

  private void generic(RoutingContext ctx) {
    GenericHook hook = ctx.get(HOOK);
    handle(ctx, "generic", () -> HookDecision.deploy(List.of(
        generic.intent(hook, headers(ctx), bytes(ctx)))));
  }

  private void provider(RoutingContext ctx, String source, Function<WebhookParsers.Request, HookDecision> parser) {
    handle(ctx, source, () -> parser.apply(new WebhookParsers.Request(headers(ctx), bytes(ctx))));
  }

  static byte[] bytes(RoutingContext ctx) {
    return ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
  }

  private static Headers headers(RoutingContext ctx) {
    return name -> ctx.request().getHeader(name);
  }

  private void handle(RoutingContext ctx, String source, java.util.function.Supplier<HookDecision> decide) {
    HookDecision decision;
    try {
      decision = decide.get();
    } catch (HttpProblem bad) {
      metrics.request(source, String.valueOf(bad.status()));
      Problems.send(ctx, bad);
      return;
    }
    if (decision instanceof HookDecision.Pong) {
      metrics.request(source, "ping");
      Responses.json(ctx, 200, new JsonObject().put("pong", true));
    } else if (decision instanceof HookDecision.Ignore ignore) {
      metrics.request(source, "ignored");
      Responses.json(ctx, 202, new JsonObject().put("ignored", ignore.reason()));
    } else if (decision instanceof HookDecision.Deploy deploy) {
      submit(ctx, source, deploy.intents());
    }
  }

  private void submit(RoutingContext ctx, String source, List<DeployIntent> intents) {
    submitter.submit(intents).onComplete(ar -> {
      if (ar.succeeded()) {
        List<Submitted> done = ar.result();
        boolean duplicate = done.stream().allMatch(Submitted::duplicate);
        metrics.request(source, duplicate ? "duplicate" : "accepted");
        Responses.json(ctx, 202, accepted(done));
      } else if (ar.cause() instanceof HttpProblem bad) {
        metrics.request(source, String.valueOf(bad.status()));
        Problems.send(ctx, bad);
      } else {
        metrics.request(source, "503");
        Responses.unavailable(ctx, ar.cause(), breaker, retryAfterSeconds);
      }
    });
  }

  /** {@code {deploymentId, duplicate}} for one deployment, plus {@code deployments} for several. */
  static JsonObject accepted(List<Submitted> done) {
    JsonObject body = new JsonObject()
        .put("deploymentId", done.get(0).deploymentId())
        .put("duplicate", done.stream().allMatch(Submitted::duplicate));
    if (done.size() > 1) {
      JsonArray all = new JsonArray();
      done.forEach(s -> all.add(new JsonObject().put("deploymentId", s.deploymentId()).put("service", s.service())
          .put("environment", s.environment()).put("version", s.version()).put("duplicate", s.duplicate())));
      body.put("deployments", all);
    }
    return body;
  }

  private static String metricSource(String source) {
    if (source == null) {
      return "unknown";
    }
    return source.startsWith("generic:") ? "generic" : source;
  }
}
