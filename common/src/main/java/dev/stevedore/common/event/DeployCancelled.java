package dev.stevedore.common.event;

import java.time.Instant;

/**
 * Withdraws a request that has not started yet (an operator's stop through the trigger's API).
 * Published by the trigger on the requests topic, signed like {@link DeployRequested}: agents act
 * only when {@link #signature()} verifies over {@link #unsigned()} against the trigger keys they
 * trust, and only on a request of that service and environment that still waits.
 *
 * @param deploymentId the deployment being withdrawn
 * @param requestedBy who cancelled (an API token's name)
 * @param keyId which trigger key signed it; {@code null} while unsigned
 * @param signature base64 Ed25519 signature; {@code null} while unsigned
 */
public record DeployCancelled(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String service,
    String environment,
    String requestedBy,
    String reason,
    String keyId,
    String signature)
    implements DeployEvent, SignedRequest<DeployCancelled> {

  public DeployCancelled {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    requestedBy = Fields.optional("requestedBy", requestedBy);
    reason = Fields.optional("reason", reason);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** An unsigned cancellation (to be signed with {@code RequestSigner.sign}). */
  public DeployCancelled(String id, String source, Instant time, String deploymentId, String service,
      String environment, String requestedBy, String reason) {
    this(id, source, time, deploymentId, service, environment, requestedBy, reason, null, null);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_CANCELLED;
  }

  @Override
  public DeployCancelled unsigned() {
    return withSignature(null, null);
  }

  @Override
  public DeployCancelled withSignature(String keyId, String signature) {
    return new DeployCancelled(id, source, time, deploymentId, service, environment, requestedBy, reason, keyId,
        signature);
  }

  /** The Kafka key: the partition of the request it withdraws, so it is read after that request. */
  public String partitionKey() {
    return environment + "/" + service;
  }
}
