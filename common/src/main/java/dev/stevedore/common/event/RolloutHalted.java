package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * The rollout stopped: no further wave. Hosts that took the new version are sent back to the version each ran before ({@code rollbacks}); {@code blocked}: the version is now blocked fleet-wide (only when the version itself failed).
 * Published by the trigger's fleet coordinator, signed like {@link DeployRequested}.
 */
public record RolloutHalted(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    int wave,
    String reason,
    List<String> failed,
    List<HostVersion> rollbacks,
    boolean blocked,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutHalted> {

  public RolloutHalted {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    if (wave < 0) {
      throw new IllegalArgumentException("wave must not be negative");
    }
    reason = Fields.required("reason", reason);
    failed = Fields.list(failed);
    rollbacks = Fields.list(rollbacks);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_HALTED;
  }

  @Override
  public RolloutHalted unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutHalted withSignature(String keyId, String signature) {
    return new RolloutHalted(id, source, time, rolloutId, environment, service, version, wave, reason, failed, rollbacks, blocked, keyId, signature);
  }
}
