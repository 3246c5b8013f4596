package dev.stevedore.trigger.history;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploySucceeded;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the rollback endpoint knows: each requested deployment (service, environment, version, time)
 * and, per environment/service, the deployments that succeeded, newest first (bounded). Fed from the
 * requests and events topics; thread-safe.
 */
public final class DeploymentHistory {
  /** A deployment as requested. */
  public record Requested(String deploymentId, String service, String environment, String version, Instant time) {}

  /** A deployment that succeeded (on at least one host). */
  public record Succeeded(String deploymentId, String version, Instant time) {}

  /** Where a rollback of a deployment leads: the target, or why there is none. */
  public record RollbackTarget(Requested deployment, Succeeded previous, String problem, boolean unknown) {}

  private final int perService;
  private final int maxRequests;
  private final Map<String, Requested> requests;
  private final Map<String, Deque<Succeeded>> succeeded = new HashMap<>();

  public DeploymentHistory(int perService, int maxRequests) {
    this.perService = perService;
    this.maxRequests = maxRequests;
    this.requests = new LinkedHashMap<>(1024, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Requested> eldest) {
        return size() > DeploymentHistory.this.maxRequests;
      }
    };
  }

  public synchronized void requested(DeployRequested r) {
    requests.putIfAbsent(r.deploymentId(),
        new Requested(r.deploymentId(), r.service(), r.environment(), r.version(), r.time()));
  }

  public synchronized void succeeded(DeploySucceeded s) {
    Deque<Succeeded> list = succeeded.computeIfAbsent(key(s.environment(), s.service()), k -> new ArrayDeque<>());
    for (Succeeded known : list) {
      if (known.deploymentId().equals(s.deploymentId())) {
        return; // another host of the same deployment
      }
    }
    requests.putIfAbsent(s.deploymentId(),
        new Requested(s.deploymentId(), s.service(), s.environment(), s.version(), s.time()));
    list.addFirst(new Succeeded(s.deploymentId(), s.version(), s.time()));
    if (list.size() > perService) {
      list.removeLast();
    }
  }

  /**
   * The newest deployment of the same service and environment that succeeded before
   * {@code deploymentId} was requested, with a version other than its own.
   */
  public synchronized RollbackTarget rollbackTarget(String deploymentId) {
    Requested d = requests.get(deploymentId);
    if (d == null) {
      return new RollbackTarget(null, null, "deployment " + deploymentId + " is not known to this trigger", true);
    }
    Deque<Succeeded> list = succeeded.getOrDefault(key(d.environment(), d.service()), new ArrayDeque<>());
    Succeeded best = null;
    for (Iterator<Succeeded> it = list.iterator(); it.hasNext(); ) {
      Succeeded s = it.next();
      if (s.deploymentId().equals(deploymentId) || s.version().equals(d.version())) {
        continue;
      }
      Instant requestedAt = timeOfRequest(s.deploymentId(), s.time());
      if (requestedAt.isBefore(d.time()) && (best == null || s.time().isAfter(best.time()))) {
        best = s;
      }
    }
    if (best == null) {
      return new RollbackTarget(d, null, "no version of " + d.environment() + "/" + d.service()
          + " other than " + d.version() + " is known to have succeeded before deployment " + deploymentId, false);
    }
    return new RollbackTarget(d, best, null, false);
  }

  /** True when a request with this deployment id has been read from the topic. */
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
