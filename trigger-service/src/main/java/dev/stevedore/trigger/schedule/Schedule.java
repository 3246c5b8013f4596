package dev.stevedore.trigger.schedule;

import java.time.Instant;

/**
 * A deploy held until {@code notBefore} (the lecture's {@code at} job). Its id is the deployment id
 * the request will carry, so a re-fire after a crash is the same deployment.
 *
 * @param state pending, fired or cancelled
 */
public record Schedule(
    String id,
    String service,
    String environment,
    String version,
    Instant notBefore,
    String reason,
    String requestedBy,
    Instant createdAt,
    String state,
    Instant changedAt,
    String changedBy) {

  public static final String PENDING = "pending";
  public static final String FIRED = "fired";
  public static final String CANCELLED = "cancelled";

  public boolean pending() {
    return PENDING.equals(state);
  }

  public Schedule with(String newState, Instant at, String by) {
    return new Schedule(id, service, environment, version, notBefore, reason, requestedBy, createdAt, newState, at, by);
  }
}
