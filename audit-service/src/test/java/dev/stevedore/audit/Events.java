package dev.stevedore.audit;

import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test events with deterministic ids, as the trigger and the agents build them. */
public final class Events {
  public static final EventCodec CODEC = new EventCodec();

  private Events() {}

  public static StoredEvent stored(StevedoreEvent e) {
    return new StoredEvent(e, CODEC.canonicalBytes(e));
  }

  public static List<StoredEvent> stored(List<? extends StevedoreEvent> events) {
    return events.stream().map(Events::stored).toList();
  }

  public static String deploymentId(String delivery) {
    return DeploymentIds.of("test", delivery);
  }

  public static DeployRequested requested(String deploymentId, String service, String environment, String version,
                                          Instant at) {
    return new DeployRequested(DeploymentIds.eventId(deploymentId, "-", "requested"), "stevedore://trigger/test", at,
        deploymentId, service, environment, version, "c0ffee" + version, "main", "acme/" + service, "ci-bot",
        "generic", "push", null, null, null);
  }

  public static DeployStarted started(String deploymentId, String host, String service, String environment,
                                      String version, Instant at) {
    return new DeployStarted(DeploymentIds.eventId(deploymentId, host, "started"), "stevedore://agent/" + host, at,
        deploymentId, host, service, environment, "v0", version, "pull-up");
  }

  public static DeployStep step(String deploymentId, String host, String service, String name, boolean ok,
                                Instant at) {
    return new DeployStep(DeploymentIds.eventId(deploymentId, host, "step-" + name), "stevedore://agent/" + host, at,
        deploymentId, host, service, name, ok, 120, ok ? 0 : 1, name + " output");
  }

  public static DeploySucceeded succeeded(String deploymentId, String host, String service, String environment,
                                          String version, Instant at) {
    return new DeploySucceeded(DeploymentIds.eventId(deploymentId, host, "outcome"), "stevedore://agent/" + host, at,
        deploymentId, host, service, environment, version, "sha256:" + "a".repeat(64), 900);
  }

  public static DeployFailed failed(String deploymentId, String host, String service, String environment,
                                    String version, Instant at) {
    return new DeployFailed(DeploymentIds.eventId(deploymentId, host, "outcome"), "stevedore://agent/" + host, at,
        deploymentId, host, service, environment, version, "pull", 1, "manifest unknown", "pull failed", "v0", 300);
  }

  public static DeployRolledBack rolledBack(String deploymentId, String host, String service, String environment,
                                            String version, Instant at) {
    return new DeployRolledBack(DeploymentIds.eventId(deploymentId, host, "outcome"), "stevedore://agent/" + host,
        at, deploymentId, host, service, environment, version, "v0", "health", "unhealthy", true, 5000);
  }

  public static DeploySkipped skipped(String deploymentId, String host, String service, String environment,
                                      String version, Instant at) {
    return new DeploySkipped(DeploymentIds.eventId(deploymentId, host, "outcome"), "stevedore://agent/" + host, at,
        deploymentId, host, service, environment, version, "already running");
  }

  public static DeployCancelled cancelled(String deploymentId, String service, String environment, Instant at) {
    return new DeployCancelled(DeploymentIds.eventId(deploymentId, "-", "cancelled"), "stevedore://trigger/test", at,
        deploymentId, service, environment, "ops", "changed my mind");
  }

  public static AgentHeartbeat heartbeat(String host, String environment, String version, Instant at) {
    return new AgentHeartbeat("hb-" + host + "-" + at.toEpochMilli(), "stevedore://agent/" + host, at, host,
        environment, Map.of("zone", "a"),
        List.of(new AgentHeartbeat.ServiceState("web", version, null, "running")), "idle", "0.1.0");
  }

  /** A whole successful deployment on one host: requested, started, two steps, succeeded. */
  public static List<StevedoreEvent> successfulDeployment(String deploymentId, String host, String service,
                                                         String environment, String version, Instant at) {
    return List.of(
        requested(deploymentId, service, environment, version, at),
        started(deploymentId, host, service, environment, version, at.plusSeconds(1)),
        step(deploymentId, host, service, "pull", true, at.plusSeconds(2)),
        step(deploymentId, host, service, "up", true, at.plusSeconds(3)),
        succeeded(deploymentId, host, service, environment, version, at.plusSeconds(4)));
  }

  // --- fleet rollouts: the trigger's events of one rollout, unsigned (sign with RequestSigner) ---

  public static dev.stevedore.common.event.RolloutPolicy canary(int hosts) {
    return new dev.stevedore.common.event.RolloutPolicy(dev.stevedore.common.event.RolloutStrategy.CANARY, hosts, null, null, 50, null, 1, null, 0, true, 60);
  }

  private static String rolloutEventId(String rolloutId, String name) {
    return DeploymentIds.eventId(rolloutId, "rollout", name);
  }

  public static dev.stevedore.common.event.RolloutStarted rolloutStarted(String rolloutId, String service,
      String environment, String version, List<List<String>> waves, List<String> unreached, Instant at) {
    List<dev.stevedore.common.event.RolloutWave> planned = new java.util.ArrayList<>();
    for (int i = 0; i < waves.size(); i++) {
      planned.add(new dev.stevedore.common.event.RolloutWave(i, waves.get(i), i == 0));
    }
    return new dev.stevedore.common.event.RolloutStarted(rolloutEventId(rolloutId, "started"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, canary(waves.get(0).size()),
        planned, unreached, null, "ci-bot", "release", null, null);
  }

  public static dev.stevedore.common.event.RolloutWaveStarted waveStarted(String rolloutId, String service,
      String environment, String version, int wave, List<String> hosts, Instant at) {
    return new dev.stevedore.common.event.RolloutWaveStarted(rolloutEventId(rolloutId, "wave-" + wave + "-started"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, wave, hosts, wave == 0,
        DeploymentIds.eventId(rolloutId, "wave-" + wave, "requested"), null, null);
  }

  public static dev.stevedore.common.event.RolloutWaveFinished waveFinished(String rolloutId, String service,
      String environment, String version, int wave, List<String> succeeded, List<String> failed, Instant at) {
    return new dev.stevedore.common.event.RolloutWaveFinished(rolloutEventId(rolloutId, "wave-" + wave + "-finished"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, wave, succeeded, failed, List.of(),
        List.of(), null, null);
  }

  public static dev.stevedore.common.event.RolloutHalted halted(String rolloutId, String service, String environment,
      String version, int wave, List<String> failed, List<dev.stevedore.common.event.HostVersion> rollbacks,
      Instant at) {
    return new dev.stevedore.common.event.RolloutHalted(rolloutEventId(rolloutId, "halted"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, wave,
        "1 of 2 hosts failed (threshold 1)", failed, rollbacks, true, null, null);
  }

  public static dev.stevedore.common.event.RolloutRolledBack rolloutRolledBack(String rolloutId, String service,
      String environment, String version, List<dev.stevedore.common.event.HostVersion> rolledBack, Instant at) {
    return new dev.stevedore.common.event.RolloutRolledBack(rolloutEventId(rolloutId, "rolled-back"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, rolledBack, List.of(), null, null);
  }

  public static dev.stevedore.common.event.RolloutSucceeded rolloutSucceeded(String rolloutId, String service,
      String environment, String version, List<String> succeeded, Instant at) {
    return new dev.stevedore.common.event.RolloutSucceeded(rolloutEventId(rolloutId, "succeeded"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, succeeded, List.of(), List.of(),
        List.of(), null, null);
  }

  public static dev.stevedore.common.event.RolloutSuperseded superseded(String rolloutId, String service,
      String environment, String version, String by, String byVersion, Instant at) {
    return new dev.stevedore.common.event.RolloutSuperseded(rolloutEventId(rolloutId, "superseded"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, by, byVersion, null, null);
  }

  public static dev.stevedore.common.event.VersionBlocked blocked(String rolloutId, String service, String environment,
      String version, List<String> hosts, Instant at) {
    return new dev.stevedore.common.event.VersionBlocked(rolloutEventId(rolloutId, "blocked"),
        "stevedore://trigger/test", at, rolloutId, environment, service, version, "rollout halted", hosts, null, null);
  }

  /**
   * A canary of two (web-1 fails, web-2 succeeds) that halts, blocks the version and sends both
   * back to v1; web-3 and web-4 never get a wave, web-5 was unreached. Deploy events included.
   */
  public static List<StevedoreEvent> haltedCanary(String rolloutId, String service, String environment, Instant t0) {
    var back = List.of(new dev.stevedore.common.event.HostVersion("web-1", "v1"),
        new dev.stevedore.common.event.HostVersion("web-2", "v1"));
    String rollback = DeploymentIds.of("rollout-rollback", rolloutId + "/v1");
    return List.of(
        requested(rolloutId, service, environment, "v2", t0),
        rolloutStarted(rolloutId, service, environment, "v2", List.of(List.of("web-1", "web-2"),
            List.of("web-3", "web-4")), List.of("web-5"), t0.plusMillis(10)),
        waveStarted(rolloutId, service, environment, "v2", 0, List.of("web-1", "web-2"), t0.plusMillis(20)),
        failed(rolloutId, "web-1", service, environment, "v2", t0.plusSeconds(5)),
        succeeded(rolloutId, "web-2", service, environment, "v2", t0.plusSeconds(6)),
        waveFinished(rolloutId, service, environment, "v2", 0, List.of("web-2"), List.of("web-1"), t0.plusSeconds(7)),
        halted(rolloutId, service, environment, "v2", 0, List.of("web-1"), back, t0.plusSeconds(8)),
        blocked(rolloutId, service, environment, "v2", List.of("web-1"), t0.plusSeconds(8)),
        succeeded(rollback, "web-2", service, environment, "v1", t0.plusSeconds(12)),
        rolloutRolledBack(rolloutId, service, environment, "v2", back, t0.plusSeconds(13)));
  }
}
