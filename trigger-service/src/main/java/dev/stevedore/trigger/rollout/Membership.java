package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.AgentHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which hosts exist, from the agents' heartbeats (the newest per host): environment, labels, the
 * services each manages with the version running, and when it last spoke (the heartbeat's own
 * time). A host whose newest heartbeat is older than the deadline is silent: reported as unreached,
 * never waited for. Thread-safe; the caller verifies heartbeats before {@link #heard}.
 *
 * <p>Silence is measured against the newest heartbeat heard from any host, not only the clock: a
 * trigger that hears nobody (its consumer behind, its link to Kafka cut, the heartbeat partition
 * without a leader) cannot tell a dead host from its own deafness, so nobody falls silent until
 * other hosts are heard again. A whole fleet that dies is then given up on by the wave timeout.
 */
public final class Membership {
  private final Map<String, AgentHeartbeat> latest = new ConcurrentHashMap<>();
  /** The newest heartbeat time heard from any host; null before the first. */
  private final java.util.concurrent.atomic.AtomicReference<Instant> newest = new java.util.concurrent.atomic.AtomicReference<>();

  /** Hosts of one environment that manage one service, split by liveness, with what each runs. */
  public record Candidates(List<String> alive, List<String> silent, Map<String, String> running) {
    public Candidates {
      alive = List.copyOf(alive);
      silent = List.copyOf(silent);
      running = Collections.unmodifiableMap(new HashMap<>(running));
    }
  }

  /** Keeps {@code heartbeat} when it is newer than what is known of its host. */
  public void heard(AgentHeartbeat heartbeat) {
    latest.merge(heartbeat.host(), heartbeat, (old, now) -> now.time().isBefore(old.time()) ? old : now);
    newest.accumulateAndGet(heartbeat.time(), (a, b) -> a == null || b.isAfter(a) ? b : a);
  }

  /**
   * The hosts of {@code environment} whose heartbeat lists {@code service} (and whose labels carry
   * every entry of {@code labels}), sorted; alive when the heartbeat is at most {@code deadline} old.
   */
  public Candidates candidates(String environment, String service, Map<String, String> labels, Instant now,
      Duration deadline) {
    List<String> alive = new ArrayList<>();
    List<String> silent = new ArrayList<>();
    Map<String, String> running = new HashMap<>();
    for (AgentHeartbeat h : latest.values()) {
      if (!h.environment().equals(environment) || !manages(h, service)
          || !labels.entrySet().stream().allMatch(e -> e.getValue().equals(h.labels().get(e.getKey())))) {
        continue;
      }
      (alive(h, now, deadline) ? alive : silent).add(h.host());
      String version = runningVersion(h, service);
      if (version != null) {
        running.put(h.host(), version);
      }
    }
    Collections.sort(alive);
    Collections.sort(silent);
    return new Candidates(alive, silent, running);
  }

  /**
   * Whether {@code host} spoke within {@code deadline} of {@code now}, or of the newest heartbeat
   * heard from any host when that is older; unknown hosts are silent.
   */
  public boolean alive(String host, Instant now, Duration deadline) {
    AgentHeartbeat h = latest.get(host);
    return h != null && alive(h, now, deadline);
  }

  /** What {@code host} last said it runs of {@code service}; null when unknown. */
  public String running(String host, String service) {
    AgentHeartbeat h = latest.get(host);
    return h == null ? null : runningVersion(h, service);
  }

  /** What {@code host} said it runs of {@code service} in a heartbeat dated after {@code after}; else null. */
  public String reportedAfter(String host, String service, Instant after) {
    AgentHeartbeat h = latest.get(host);
    return h == null || !h.time().isAfter(after) ? null : runningVersion(h, service);
  }

  /** The machine's view of the fleet for one environment and service at {@code now}. */
  public RolloutMachine.Fleet fleet(String environment, String service, Map<String, String> labels, Instant now,
      Duration deadline) {
    return new RolloutMachine.Fleet() {
      @Override
      public boolean alive(String host) {
        return Membership.this.alive(host, now, deadline);
      }

      @Override
      public List<String> aliveHosts() {
        return candidates(environment, service, labels, now, deadline).alive();
      }

      @Override
      public String running(String host) {
        return Membership.this.running(host, service);
      }

      @Override
      public String reportedAfter(String host, Instant after) {
        return Membership.this.reportedAfter(host, service, after);
      }
    };
  }

  public int size() {
    return latest.size();
  }

  private boolean alive(AgentHeartbeat h, Instant now, Duration deadline) {
    Instant heard = newest.get();
    Instant reference = heard == null || heard.isAfter(now) ? now : heard;
    return !h.time().isBefore(reference.minus(deadline)) && !"stopping".equals(h.state());
  }

  private static boolean manages(AgentHeartbeat h, String service) {
    return h.services().stream().anyMatch(s -> s.name().equals(service));
  }

  private static String runningVersion(AgentHeartbeat h, String service) {
    return h.services().stream().filter(s -> s.name().equals(service)).map(AgentHeartbeat.ServiceState::version)
        .filter(v -> v != null).findFirst().orElse(null);
  }
}
