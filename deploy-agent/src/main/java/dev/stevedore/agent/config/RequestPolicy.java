package dev.stevedore.agent.config;

import java.time.Duration;

/**
 * Bounds on a signed request's time, so that one request cannot make an agent skip every later
 * one (dated in the future) and an old captured request cannot be replayed to a host.
 *
 * @param maxClockSkew how far a request's time may lie ahead of this host's clock
 * @param maxAge how old a request may be when it arrives
 */
public record RequestPolicy(Duration maxClockSkew, Duration maxAge) {
  public RequestPolicy {
    maxClockSkew = ResilienceConfig.positive(maxClockSkew, Duration.ofMinutes(5));
    maxAge = ResilienceConfig.positive(maxAge, Duration.ofDays(7));
  }

  public static RequestPolicy defaults() {
    return new RequestPolicy(null, null);
  }
}
