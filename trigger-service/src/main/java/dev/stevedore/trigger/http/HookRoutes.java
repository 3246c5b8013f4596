package dev.stevedore.trigger.http;

import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.runtime.Problems;
import dev.stevedore.trigger.TriggerConfig.GenericHook;
import dev.stevedore.trigger.core.DeployIntent;
import dev.stevedore.trigger.core.Submitter.Submitted;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.Headers;
import dev.stevedore.trigger.hooks.HookDecision;
import dev.stevedore.trigger.hooks.WebhookParsers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Optional;

/**
 * The webhook endpoints. Each request goes: the failure budget of its address (failed attempts per
 * client address, before anything is verified), authentication that needs no body (the secret URL),
 * content type, body limit, the source's own parser (which authenticates first), and only then the
 * rate limit of the source, so unauthenticated traffic never spends it; only a parsed and
 * authenticated request reaches the {@link Submitter}. Answers 202 only after Kafka acknowledged.
 */
public final class HookRoutes {
  private static final String HOOK = "stevedore.hook";

  private final GenericHooks generic;
  private final WebhookParsers parsers;
  private final Submitter submitter;
  private final Guards guards;
  private final int bodyLimit;

  HookRoutes(GenericHooks generic, WebhookParsers parsers, Submitter submitter, Guards guards, int bodyLimit) {
    this.generic = generic;
    this.parsers = parsers;
    this.submitter = submitter;
    this.guards = guards;
    this.bodyLimit = bodyLimit;
  }

  /**
   * Checks that need no body run first (their own route), so that a wrong token, a rate-limited
   * source or a wrong content type costs no body reading; the body handler then reads at most the
   * limit. A provider without a secret has no route (404).
   */
  void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(bodyLimit);
    // The token is in the path: a failure's log line shows the pattern, never the token.
    router.post("/hooks/generic/:token").handler(Problems.logPathAs("/hooks/generic/{token}"))
        .handler(guards.metric("generic")).handler(guards.failureBudget())
        .handler(this::genericToken)
        .handler(guards.json(false));
    router.post("/hooks/generic/:token").handler(body).handler(this::generic);
    // GitHub's default content type for a webhook is a form with the JSON in `payload`.
    provider(router, "github", parsers.github(), body, List.of("application/json", "application/x-www-form-urlencoded"));
    provider(router, "gitlab", parsers.gitlab(), body, List.of("application/json"));
  }

  private void provider(Router router, String name, WebhookParsers.Provider parser, BodyHandler body,
      List<String> contentTypes) {
    if (parser == null) {
      return;
    }
    router.post("/hooks/" + name).handler(guards.metric(name)).handler(guards.failureBudget())
        .handler(guards.contentType(false, contentTypes));
    router.post("/hooks/" + name).handler(body).handler(ctx -> guards.answer(ctx, () -> {
      HookDecision decision = parser.decide(new WebhookParsers.Request(headers(ctx), Responses.body(ctx)));
      guards.requireRate(name); // authenticated: only now does the request count against the source
      return decide(decision, guards.trace(ctx));
    }));
  }

  /** A wrong token answers exactly like an unknown path. */
  private void genericToken(RoutingContext ctx) {
    GenericHook hook = generic.byToken(ctx.pathParam("token")).orElse(null);
    if (hook == null) {
      guards.failed(ctx);
      guards.refuse(ctx, HttpProblem.notFound("not found"));
      return;
    }
    ctx.put(HOOK, hook);
    if (guards.withinRate(ctx, "generic:" + hook.name())) {
      ctx.next();
    }
  }

  private void generic(RoutingContext ctx) {
    GenericHook hook = ctx.get(HOOK);
    guards.answer(ctx, () -> submit(List.of(generic.intent(hook, headers(ctx), Responses.body(ctx))), guards.trace(ctx)));
  }

  private Future<Reply> decide(HookDecision decision, Optional<TraceContext> trace) {
    if (decision instanceof HookDecision.Deploy deploy) {
      return submit(deploy.intents(), trace);
    }
    if (decision instanceof HookDecision.Ignore ignore) {
      return Future.succeededFuture(new Reply(202, new JsonObject().put("ignored", ignore.reason()), "ignored"));
    }
    return Future.succeededFuture(new Reply(200, new JsonObject().put("pong", true), "ping"));
  }

  /** Every intent of the delivery carries its trace context (W3C headers, when valid). */
  private Future<Reply> submit(List<DeployIntent> intents, Optional<TraceContext> trace) {
    return submitter.submit(intents.stream().map(i -> i.withTrace(trace)).toList()).map(done -> new Reply(202, accepted(done),
        done.stream().allMatch(Submitted::duplicate) ? "duplicate" : "accepted"));
  }

  private static Headers headers(RoutingContext ctx) {
    return name -> ctx.request().getHeader(name);
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
}
