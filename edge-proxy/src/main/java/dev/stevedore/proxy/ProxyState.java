package dev.stevedore.proxy;

import java.time.Instant;

/**
 * What the proxy serves: the active upstream (null before the first switch), how many switches
 * happened ({@code generation}), and when the last one did. Persisted on every switch.
 */
public record ProxyState(Upstream active, long generation, Instant switchedAt) {
  public static ProxyState empty() {
    return new ProxyState(null, 0, null);
  }

  /** The state after pointing at {@code next}; the same state when it already is the active one. */
  public ProxyState switchTo(Upstream next, Instant now) {
    return next.equals(active) ? this : new ProxyState(next, generation + 1, now);
  }
}
