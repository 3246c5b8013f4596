package dev.stevedore.common.event;

import java.time.Instant;

/**
 * A request to deploy {@code version} of {@code service} to the hosts {@code target} selects.
 * Published by the trigger service and signed with its Ed25519 key: agents act only on requests
 * whose {@link #signature()} verifies over {@link #unsigned()}.
 *
 * @param trigger what caused it: github, gitlab, generic, manual, schedule, rollback (the agent's
 *     polling mode publishes no request: its events carry the source suffix {@code /poll})
 * @param requestedBy the person or system that asked (a CI user, a token's name)
 * @param keyId which trigger key signed it; {@code null} while unsigned
 * @param signature base64 Ed25519 signature; {@code null} while unsigned
 * @param force {@code true}: deploy even when the host already runs this version (otherwise that is
 *     a no-op that says so); absent means false
 */
public record DeployRequested(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String service,
    String environment,
    String version,
    String commit,
    String branch,
    String repository,
    String requestedBy,
    String trigger,
    String reason,
    Target target,
    String keyId,
    String signature,
    Boolean force)
    implements DeployEvent, SignedRequest<DeployRequested> {

  public DeployRequested {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    version = Fields.required("version", version);
    commit = Fields.optional("commit", commit);
    branch = Fields.optional("branch", branch);
    repository = Fields.optional("repository", repository);
    requestedBy = Fields.optional("requestedBy", requestedBy);
    trigger = Fields.required("trigger", trigger);
    reason = Fields.optional("reason", reason);
    target = target == null ? Target.environment(environment) : target;
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
    force = Boolean.TRUE.equals(force) ? Boolean.TRUE : null;
  }

  /** A request that is not forced. */
  public DeployRequested(String id, String source, Instant time, String deploymentId, String service,
      String environment, String version, String commit, String branch, String repository, String requestedBy,
      String trigger, String reason, Target target, String keyId, String signature) {
    this(id, source, time, deploymentId, service, environment, version, commit, branch, repository, requestedBy,
        trigger, reason, target, keyId, signature, null);
  }

  public boolean forced() {
    return Boolean.TRUE.equals(force);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_REQUESTED;
  }

  /** This request without key id and signature: the form that is signed. */
  @Override
  public DeployRequested unsigned() {
    return withSignature(null, null);
  }

  @Override
  public DeployRequested withSignature(String keyId, String signature) {
    return new DeployRequested(id, source, time, deploymentId, service, environment, version,
        commit, branch, repository, requestedBy, trigger, reason, target, keyId, signature, force);
  }

  /** The Kafka key: keeps one service's requests in order on one partition. */
  public String partitionKey() {
    return environment + "/" + service;
  }
}
