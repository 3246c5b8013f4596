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
 * @param retryBackoff first wait before a deployment that failed for a reason outside the version
 *     (timeout, outage, open breaker) is tried again; doubles per attempt
 * @param retryBackoffMax longest wait between such attempts
 * @param maxAttempts attempts of one deployment before the agent gives up on it; 0: no limit (it
 *     keeps trying until the outage ends or a newer request replaces it)
 * @param maxRestarts attempts of one deployment the agent itself may die in before it gives up
 * @param blockFor how long a version that failed and was rolled back stays blocked on this host
 */
public record ResilienceConfig(
    int pullAttempts,
    Duration pullBackoff,
    int breakerFailureRate,
    int breakerWindow,
    int breakerMinimumCalls,
    Duration breakerOpenFor,
    Duration stepTimeout,
    Duration outboxRetry,
    Duration retryBackoff,
    Duration retryBackoffMax,
    int maxAttempts,
    int maxRestarts,
    Duration blockFor) {

  public ResilienceConfig {
    pullAttempts = pullAttempts <= 0 ? 3 : pullAttempts;
    pullBackoff = positive(pullBackoff, Duration.ofMillis(500));
    breakerFailureRate = breakerFailureRate <= 0 || breakerFailureRate > 100 ? 50 : breakerFailureRate;
    breakerWindow = breakerWindow <= 0 ? 10 : breakerWindow;
    breakerMinimumCalls = breakerMinimumCalls <= 0 ? 3 : breakerMinimumCalls;
    breakerOpenFor = positive(breakerOpenFor, Duration.ofSeconds(30));
    stepTimeout = positive(stepTimeout, Duration.ofMinutes(5));
    outboxRetry = positive(outboxRetry, Duration.ofSeconds(2));
    retryBackoff = positive(retryBackoff, Duration.ofSeconds(1));
    retryBackoffMax = positive(retryBackoffMax, Duration.ofSeconds(30));
    if (retryBackoffMax.compareTo(retryBackoff) < 0) {
      retryBackoffMax = retryBackoff;
    }
    maxAttempts = Math.max(0, maxAttempts);
    maxRestarts = maxRestarts <= 0 ? 3 : maxRestarts;
    blockFor = positive(blockFor, Duration.ofHours(24));
  }

  public ResilienceConfig(int pullAttempts, Duration pullBackoff, int breakerFailureRate, int breakerWindow,
      int breakerMinimumCalls, Duration breakerOpenFor, Duration stepTimeout, Duration outboxRetry) {
    this(pullAttempts, pullBackoff, breakerFailureRate, breakerWindow, breakerMinimumCalls, breakerOpenFor, stepTimeout,
        outboxRetry, null, null, 0, 0, null);
  }

  /** The wait before attempt {@code attempts + 1} after {@code attempts} failed ones: doubling, capped. */
  public Duration backoff(int attempts) {
    long ms = retryBackoff.toMillis();
    for (int i = 1; i < attempts && ms < retryBackoffMax.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, retryBackoffMax.toMillis()));
  }

  public static ResilienceConfig defaults() {
    return new ResilienceConfig(0, null, 0, 0, 0, null, null, null, null, null, 0, 0, null);
  }

  static Duration positive(Duration d, Duration fallback) {
    return d == null || d.isZero() || d.isNegative() ? fallback : d;
  }
}
