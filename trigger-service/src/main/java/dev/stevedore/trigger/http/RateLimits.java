package dev.stevedore.trigger.http;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;

/** One Resilience4j rate limiter per source (a hook, a provider, an API token); never waits. */
final class RateLimits {
  private final RateLimiterRegistry registry;

  RateLimits(int perSecond) {
    this.registry = RateLimiterRegistry.of(RateLimiterConfig.custom()
        .limitForPeriod(perSecond)
        .limitRefreshPeriod(Duration.ofSeconds(1))
        .timeoutDuration(Duration.ZERO)
        .build());
  }

  /** True when {@code source} may make one more request now. */
  boolean tryAcquire(String source) {
    return registry.rateLimiter(source).acquirePermission();
  }

  /** Whole seconds until a limiter refills: they all refill every second. */
  int retryAfterSeconds() {
    return 1;
  }
}
