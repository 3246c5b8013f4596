package dev.stevedore.audit.dashboard;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's sessions: a random id (256 bits, base64url) mapped server-side to the principal
 * of the reader token that logged in, with an absolute expiry. The token itself is never stored in
 * the cookie nor kept here. At most {@code max} sessions live; beyond, the oldest is dropped.
 */
public final class Sessions {
  private record Session(String principal, long expiresAt) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;
  private final int max;

  public Sessions(Clock clock, Duration ttl, int max) {
    if (ttl.isNegative() || ttl.isZero() || max < 1) {
      throw new IllegalArgumentException("a session needs a positive lifetime and room for one");
    }
    this.clock = clock;
    this.ttl = ttl;
    this.max = max;
  }

  public Duration ttl() {
    return ttl;
  }

  /** A new session for {@code principal}; returns its id (the cookie's value). */
  public String create(String principal) {
    purge();
    while (sessions.size() >= max) {
      sessions.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().expiresAt()))
          .ifPresent(e -> sessions.remove(e.getKey()));
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    sessions.put(id, new Session(principal, clock.millis() + ttl.toMillis()));
    return id;
  }

  /** The principal of a live session; empty for an unknown, malformed or expired id (which is dropped). */
  public Optional<String> principal(String id) {
    if (id == null || id.length() != 43) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    if (clock.millis() >= s.expiresAt()) {
      sessions.remove(id, s);
      return Optional.empty();
    }
    return Optional.of(s.principal());
  }

  public void remove(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  public int size() {
    return sessions.size();
  }

  private void purge() {
    long now = clock.millis();
    sessions.values().removeIf(s -> now >= s.expiresAt());
  }
}
