package dev.stevedore.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;

/**
 * Bounds on a signed request's time, so that one request cannot make an agent skip every later
 * one (dated in the future) and an old captured request cannot be replayed to a host.
 *
 * @param maxClockSkew how far a request's time may lie ahead of this host's clock
 * @param maxAge how old a request may be when it arrives
 * @param subscription how the agent reads the requests topic ({@link Subscription})
 */
public record RequestPolicy(Duration maxClockSkew, Duration maxAge, Subscription subscription) {
  /**
   * How the requests consumer gets its partitions. Both keep the offsets in the group
   * {@code stevedore-agent-<host>} (committed once a request's side effect is durable), so lag
   * tools see them and a restart resumes where the host stopped.
   */
  public enum Subscription {
    /**
     * {@code assign()} every partition of the requests topic (looked up again every few minutes) and
     * commit to the group without joining it: no join at start, no group heartbeats while idle (the
     * broker's idle cost per host is its fetches only). For large fleets.
     */
    ASSIGN,
    /**
     * {@code subscribe()} as the single static member ({@code group.instance.id} = host id) of the
     * group: a second process started with the same host id elsewhere fences the first; joins at
     * start and heartbeats every 15 s. The default.
     */
    GROUP;

    @JsonCreator
    public static Subscription of(String name) {
      for (Subscription s : values()) {
        if (s.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
          return s;
        }
      }
      throw new IllegalArgumentException("requests.subscription must be assign or group, not '" + name + "'");
    }

    @JsonValue
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public RequestPolicy {
    maxClockSkew = ResilienceConfig.positive(maxClockSkew, Duration.ofMinutes(5));
    maxAge = ResilienceConfig.positive(maxAge, Duration.ofDays(7));
    subscription = subscription == null ? Subscription.GROUP : subscription;
  }

  public RequestPolicy(Duration maxClockSkew, Duration maxAge) {
    this(maxClockSkew, maxAge, null);
  }

  public static RequestPolicy defaults() {
    return new RequestPolicy(null, null, null);
  }
}
