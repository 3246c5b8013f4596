package dev.stevedore.trigger.http;

import dev.stevedore.common.runtime.OpenApiRoute;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.core.ManualDeployments;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.rollout.RolloutApi;
import dev.stevedore.trigger.hooks.WebhookParsers;
import dev.stevedore.trigger.schedule.ScheduleService;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.function.Consumer;

/** Every route of the trigger (webhooks and the manual API) over one set of {@link Guards}. */
public final class TriggerRoutes implements Consumer<Router> {
  private final HookRoutes hooks;
  private final ApiRoutes api;

  public TriggerRoutes(TriggerConfig config, GenericHooks generic, WebhookParsers parsers, Submitter submitter,
      ManualDeployments deployments, ScheduleService schedules, TriggerMetrics metrics, CircuitBreaker breaker,
      Clock clock) {
    this(config, generic, parsers, submitter, deployments, schedules, metrics, breaker, clock,
        new RolloutApi(java.util.Optional.empty(), java.util.Optional.empty(), null, clock));
  }

  public TriggerRoutes(TriggerConfig config, GenericHooks generic, WebhookParsers parsers, Submitter submitter,
      ManualDeployments deployments, ScheduleService schedules, TriggerMetrics metrics, CircuitBreaker breaker,
      Clock clock, RolloutApi rollouts) {
    TriggerConfig.Limits limits = config.limits();
    Guards guards = guards(limits, metrics, breaker);
    this.hooks = new HookRoutes(generic, parsers, submitter, guards, limits.bodyLimitBytes());
    this.api = new ApiRoutes(config.api().tokens(), deployments, schedules, guards, clock, limits.bodyLimitBytes(),
        rollouts);
  }

  /**
   * Only the webhook routes, over guards of their own (rate limits, failure budget): the start-up
   * warm-up's router, which shares no state with the service's.
   */
  public static Consumer<Router> hooksOnly(TriggerConfig.Limits limits, GenericHooks generic, WebhookParsers parsers,
      Submitter submitter, TriggerMetrics metrics, CircuitBreaker breaker) {
    HookRoutes hooks = new HookRoutes(generic, parsers, submitter, guards(limits, metrics, breaker),
        limits.bodyLimitBytes());
    return hooks::mount;
  }

  /** The guards of one set of routes (rate limits, failure budget, breaker), from {@code limits}. */
  private static Guards guards(TriggerConfig.Limits limits, TriggerMetrics metrics, CircuitBreaker breaker) {
    return new Guards(new RateLimits(limits.ratePerSecond()),
        new FailureBudget(limits.failedAttemptsPerMinute(), System::currentTimeMillis), metrics, breaker,
        limits.retryAfterSeconds());
  }

  /** The OpenAPI description of these routes, served at {@link OpenApiRoute#PATH}. */
  public static final String OPENAPI = "openapi/trigger.yaml";

  @Override
  public void accept(Router router) {
    OpenApiRoute.mount(router, OPENAPI);
    hooks.mount(router);
    api.mount(router);
  }
}
