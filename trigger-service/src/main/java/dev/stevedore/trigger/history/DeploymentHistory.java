package dev.stevedore.trigger.history;

import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the rollback endpoint and the duplicate answers know: each requested deployment (service,
 * environment, version, time) and, per environment/service, the deployments that succeeded,
 * newest first (bounded), and the last outcome of each version. Thread-safe.
 *
 * <p>Only {@link #requested requests} whose signature the caller verified against the trigger's
 * own keys make a deployment known. An outcome counts only when it matches a known request (same
 * deployment id, service, environment and version); one that arrives before its request (the two
 * topics are read independently) waits for it, bounded. An outcome for a deployment no verified
 * request names, or one that contradicts its request, changes nothing here.
 */
public final class DeploymentHistory {
  private static final int MAX_EARLY_PER_DEPLOYMENT = 64;

  /** A deployment as requested. */
  public record Requested(String deploymentId, String service, String environment, String version, Instant time) {}

  /** A deployment that succeeded (on at least one host). */
  public record Succeeded(String deploymentId, String version, Instant time) {}

  /** Where a rollback of a deployment leads: the target, or why there is none. */
  public record RollbackTarget(Requested deployment, Succeeded previous, String problem, boolean unknown) {}

  /** The newest outcome seen for one version of one service: whether it ended healthy on the new version. */
  private record Last(Instant time, boolean ok) {}

  private final int perService;
  private final Map<String, Requested> requests;
  private final Map<String, List<Outcome>> early;
  private final Map<String, Deque<Succeeded>> succeeded = new HashMap<>();
  private final Map<String, Map<String, Last>> lastOutcome = new HashMap<>();

  public DeploymentHistory(int perService, int maxRequests) {
    this.perService = perService;
    this.requests = bounded(maxRequests);
    this.early = bounded(maxRequests);
  }

  private static <V> Map<String, V> bounded(int max) {
    return new LinkedHashMap<>(1024, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  /** A request whose signature verifies against the trigger's own keys (the caller checks). */
  public synchronized void requested(DeployRequested r) {
    Requested d = new Requested(r.deploymentId(), r.service(), r.environment(), r.version(), r.time());
    if (requests.putIfAbsent(r.deploymentId(), d) != null) {
      return;
    }
    List<Outcome> waiting = early.remove(r.deploymentId());
    if (waiting != null) {
      waiting.forEach(o -> apply(d, o));
    }
  }

  /** An outcome: counts once a verified request with the same id, service, environment and version is known. */
  public synchronized void outcome(Outcome o) {
    Requested d = requests.get(o.deploymentId());
    if (d == null) {
      List<Outcome> waiting = early.computeIfAbsent(o.deploymentId(), k -> new ArrayList<>());
      if (waiting.size() < MAX_EARLY_PER_DEPLOYMENT) {
        waiting.add(o);
      }
      return;
    }
    apply(d, o);
  }

  public void succeeded(DeploySucceeded s) {
    outcome(s);
  }

  private void apply(Requested d, Outcome o) {
    if (!matches(d, o)) {
      return;
    }
    if (o instanceof DeploySucceeded s) {
      last(s.environment(), s.service(), s.version(), s.time(), true);
      addSuccess(s);
    } else if (o instanceof DeployFailed || o instanceof DeployRolledBack) {
      last(o.environment(), o.service(), o.version(), o.time(), false);
    } // DeploySkipped: nothing ran, nothing learned about the version
  }

  /** The outcome speaks of the deployment as it was requested. */
  static boolean matches(Requested d, Outcome o) {
    return d.deploymentId().equals(o.deploymentId()) && d.service().equals(o.service())
        && d.environment().equals(o.environment()) && d.version().equals(o.version());
  }

  private void last(String environment, String service, String version, Instant time, boolean ok) {
    lastOutcome.computeIfAbsent(key(environment, service), k -> new HashMap<>())
        .merge(version, new Last(time, ok), (old, now) -> now.time().isBefore(old.time()) ? old : now);
  }

  private void addSuccess(DeploySucceeded s) {
    Deque<Succeeded> list = succeeded.computeIfAbsent(key(s.environment(), s.service()), k -> new ArrayDeque<>());
    for (Succeeded known : list) {
      if (known.deploymentId().equals(s.deploymentId())) {
        return; // another host of the same deployment
      }
    }
    list.addFirst(new Succeeded(s.deploymentId(), s.version(), s.time()));
    if (list.size() > perService) {
      list.removeLast();
    }
  }

  /**
   * The newest deployment of the same service and environment that succeeded before
   * {@code deploymentId} was requested, with a version other than its own, and whose version's
   * last outcome on that service was not a failure or a rollback (a version that failed since is
   * blocked, whatever succeeded with it earlier).
   */
  public synchronized RollbackTarget rollbackTarget(String deploymentId) {
    Requested d = requests.get(deploymentId);
    if (d == null) {
      return new RollbackTarget(null, null, "deployment " + deploymentId + " is not known to this trigger", true);
    }
    String key = key(d.environment(), d.service());
    Deque<Succeeded> list = succeeded.getOrDefault(key, new ArrayDeque<>());
    Map<String, Last> lasts = lastOutcome.getOrDefault(key, Map.of());
    Succeeded best = null;
    boolean skippedBlocked = false;
    for (Succeeded s : list) {
      if (s.deploymentId().equals(deploymentId) || s.version().equals(d.version())) {
        continue;
      }
      Instant requestedAt = timeOfRequest(s.deploymentId(), s.time());
      if (!requestedAt.isBefore(d.time())) {
        continue;
      }
      Last last = lasts.get(s.version());
      if (last != null && !last.ok()) {
        skippedBlocked = true;
        continue;
      }
      if (best == null || s.time().isAfter(best.time())) {
        best = s;
      }
    }
    if (best == null) {
      return new RollbackTarget(d, null, "no version of " + d.environment() + "/" + d.service()
          + " other than " + d.version() + " is known to have succeeded before deployment " + deploymentId
          + (skippedBlocked ? " without failing or being rolled back since" : ""), false);
    }
    return new RollbackTarget(d, best, null, false);
  }

  /** The verified request with this deployment id, if read from the topic. */
  public synchronized java.util.Optional<Requested> request(String deploymentId) {
    return java.util.Optional.ofNullable(requests.get(deploymentId));
  }

  /** True when a verified request with this deployment id has been read from the topic. */
  public synchronized boolean knows(String deploymentId) {
    return requests.containsKey(deploymentId);
  }

  private Instant timeOfRequest(String deploymentId, Instant fallback) {
    Requested r = requests.get(deploymentId);
    return r == null ? fallback : r.time();
  }

  private static String key(String environment, String service) {
    return environment + "/" + service;
  }
}
