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
}
