package dev.stevedore.agent.config;

import java.time.Duration;

/**
 * Retry and circuit-breaker settings.
 *
 * @param pullAttempts attempts of a pull whose failure looks transient (not "manifest unknown")
 * @param pullBackoff first wait between pull attempts (doubles each time)
 * @param breakerFailureRate percentage of failed calls (in the last {@code breakerWindow}) that opens a breaker
 * @param breakerWindow number of calls a breaker looks at
 * @param breakerMinimumCalls calls needed before a breaker may open
 * @param breakerOpenFor how long an open breaker refuses calls before one probe goes through
 * @param stepTimeout bound on any one docker/compose/git process
 * @param outboxRetry wait before sending the outbox again after a failed publish
 */
public record ResilienceConfig(
    int pullAttempts,
    Duration pullBackoff,
    int breakerFailureRate,
    int breakerWindow,
    int breakerMinimumCalls,
    Duration breakerOpenFor,
    Duration stepTimeout,
    Duration outboxRetry) {

  public ResilienceConfig {
    pullAttempts = pullAttempts <= 0 ? 3 : pullAttempts;
    pullBackoff = positive(pullBackoff, Duration.ofMillis(500));
    breakerFailureRate = breakerFailureRate <= 0 || breakerFailureRate > 100 ? 50 : breakerFailureRate;
    breakerWindow = breakerWindow <= 0 ? 10 : breakerWindow;
    breakerMinimumCalls = breakerMinimumCalls <= 0 ? 3 : breakerMinimumCalls;
    breakerOpenFor = positive(breakerOpenFor, Duration.ofSeconds(30));
    stepTimeout = positive(stepTimeout, Duration.ofMinutes(5));
    outboxRetry = positive(outboxRetry, Duration.ofSeconds(2));
  }

  public static ResilienceConfig defaults() {
    return new ResilienceConfig(0, null, 0, 0, 0, null, null, null);
  }

  static Duration positive(Duration d, Duration fallback) {
    return d == null || d.isZero() || d.isNegative() ? fallback : d;
  }
}
