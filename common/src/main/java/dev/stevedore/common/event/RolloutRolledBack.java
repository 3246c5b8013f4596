package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * After a halt, the rollback requests are done: the hosts back on their previous version, and those whose rollback failed or never answered.
 * Published by the trigger's fleet coordinator, signed like {@link DeployRequested}.
 */
public record RolloutRolledBack(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    List<HostVersion> rolledBack,
    List<String> failed,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutRolledBack> {

  public RolloutRolledBack {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    rolledBack = Fields.list(rolledBack);
    failed = Fields.list(failed);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_ROLLED_BACK;
  }

  @Override
  public RolloutRolledBack unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutRolledBack withSignature(String keyId, String signature) {
    return new RolloutRolledBack(id, source, time, rolloutId, environment, service, version, rolledBack, failed, keyId, signature);
  }
}
