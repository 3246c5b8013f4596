package dev.stevedore.trigger.schedule;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Locale;

/**
 * A deploy held until {@code notBefore} (the lecture's {@code at} job). Its id is the deployment id
 * the request will carry, so a re-fire after a crash or a takeover is the same deployment.
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
    State state,
    Instant changedAt,
    String changedBy) {

  /**
   * Where a schedule is: waiting, claimed for publishing by its owner (recorded before the request is
   * published), published, or cancelled. Written in lower case on the schedule topic and in the API.
   */
  public enum State {
    @JsonProperty("pending") PENDING,
    @JsonProperty("firing") FIRING,
    @JsonProperty("fired") FIRED,
    @JsonProperty("cancelled") CANCELLED;

    /** The word the journal and the API use. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public boolean pending() {
    return state == State.PENDING;
  }

  /** Fired or cancelled: nothing changes it any more. */
  public boolean finished() {
    return state == State.FIRED || state == State.CANCELLED;
  }

  public Schedule with(State newState, Instant at, String by) {
    return new Schedule(id, service, environment, version, notBefore, reason, requestedBy, createdAt, newState, at, by);
  }
}
