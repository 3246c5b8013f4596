package dev.stevedore.common.event;

import java.time.Instant;

/**
 * Lifts the block on {@code version} of {@code service} on the hosts {@code target} selects (a
 * version is blocked on a host after it failed there and was rolled back). Published by the
 * trigger on the requests topic, signed like {@link DeployRequested}: agents act only when
 * {@link #signature()} verifies over {@link #unsigned()}.
 *
 * @param deploymentId the id of this unblock (its correlation id; no deployment runs under it)
 * @param requestedBy who lifted the block (an API token's name)
 * @param reason why (required)
 * @param keyId which trigger key signed it; {@code null} while unsigned
 * @param signature base64 Ed25519 signature; {@code null} while unsigned
 */
public record VersionUnblocked(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String service,
    String environment,
    String version,
    Target target,
    String requestedBy,
    String reason,
    String keyId,
    String signature)
    implements DeployEvent, SignedRequest<VersionUnblocked> {

  public VersionUnblocked {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    version = Fields.required("version", version);
    target = target == null ? Target.environment(environment) : target;
    requestedBy = Fields.optional("requestedBy", requestedBy);
    reason = Fields.required("reason", reason);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.VERSION_UNBLOCKED;
  }

  @Override
  public VersionUnblocked unsigned() {
    return withSignature(null, null);
  }

  @Override
  public VersionUnblocked withSignature(String keyId, String signature) {
    return new VersionUnblocked(id, source, time, deploymentId, service, environment, version, target, requestedBy,
        reason, keyId, signature);
  }

  /** The Kafka key: in order with the service's deploy requests. */
  public String partitionKey() {
    return environment + "/" + service;
  }
}
