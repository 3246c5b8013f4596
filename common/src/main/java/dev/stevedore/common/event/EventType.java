package dev.stevedore.common.event;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The CloudEvents {@code type} of every Stevedore event and the record that carries it. On the wire
 * a type is reverse-DNS qualified ({@link #cloudEventsType()}, e.g. {@code
 * dev.stevedore.deploy.requested}); readers also accept the short name written before 0.2
 * ({@link #typeName()}, e.g. {@code deploy.requested}), which stays the name in logs, the audit
 * store, its API and the canonical (signed) form.
 */
public enum EventType {
  DEPLOY_REQUESTED("deploy.requested", DeployRequested.class, "requested"),
  DEPLOY_CANCELLED("deploy.cancelled", DeployCancelled.class, "cancelled"),
  DEPLOY_STARTED("deploy.started", DeployStarted.class, "running"),
  DEPLOY_STEP("deploy.step", DeployStep.class, "running"),
  DEPLOY_SUCCEEDED("deploy.succeeded", DeploySucceeded.class, "succeeded"),
  DEPLOY_FAILED("deploy.failed", DeployFailed.class, "failed"),
  DEPLOY_ROLLED_BACK("deploy.rolled-back", DeployRolledBack.class, "rolled-back"),
  DEPLOY_SKIPPED("deploy.skipped", DeploySkipped.class, "skipped"),
  AGENT_HEARTBEAT("agent.heartbeat", AgentHeartbeat.class, "alive"),
  VERSION_UNBLOCKED("version.unblocked", VersionUnblocked.class, "unblocked"),
  VERSION_BLOCKED("version.blocked", VersionBlocked.class, "blocked"),
  ROLLOUT_STARTED("rollout.started", RolloutStarted.class, "rolling-out"),
  ROLLOUT_WAVE_STARTED("rollout.wave-started", RolloutWaveStarted.class, "rolling-out"),
  ROLLOUT_WAVE_FINISHED("rollout.wave-finished", RolloutWaveFinished.class, "rolling-out"),
  ROLLOUT_HALTED("rollout.halted", RolloutHalted.class, "halted"),
  ROLLOUT_SUCCEEDED("rollout.succeeded", RolloutSucceeded.class, "succeeded"),
  ROLLOUT_ROLLED_BACK("rollout.rolled-back", RolloutRolledBack.class, "rolled-back"),
  ROLLOUT_SUPERSEDED("rollout.superseded", RolloutSuperseded.class, "superseded"),
  ROLLOUT_STATE("rollout.state", RolloutState.class, "rolling-out");

  /** The reverse-DNS prefix of every type Stevedore writes. */
  public static final String PREFIX = "dev.stevedore.";

  private static final Map<String, EventType> BY_NAME = Arrays.stream(values())
      .flatMap(t -> java.util.stream.Stream.of(Map.entry(t.typeName, t), Map.entry(PREFIX + t.typeName, t)))
      .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

  private final String typeName;
  private final Class<? extends StevedoreEvent> recordClass;
  private final String status;

  EventType(String typeName, Class<? extends StevedoreEvent> recordClass, String status) {
    this.typeName = typeName;
    this.recordClass = recordClass;
    this.status = status;
  }

  /**
   * The short name, e.g. {@code deploy.requested}: what logs, the audit store and its API show, and
   * the {@code type} in the canonical form that is signed and hashed (so signatures made before the
   * prefix still verify).
   */
  public String typeName() {
    return typeName;
  }

  /** The CloudEvents {@code type} written on Kafka, e.g. {@code dev.stevedore.deploy.requested}. */
  public String cloudEventsType() {
    return PREFIX + typeName;
  }

  public Class<? extends StevedoreEvent> recordClass() {
    return recordClass;
  }

  /** The deployment status an event of this type leads to. */
  public String status() {
    return status;
  }

  public boolean terminal() {
    return Outcome.class.isAssignableFrom(recordClass);
  }

  /** The type named by its CloudEvents type or its short name; empty for any other string. */
  public static Optional<EventType> byName(String typeName) {
    return Optional.ofNullable(BY_NAME.get(typeName));
  }
}
