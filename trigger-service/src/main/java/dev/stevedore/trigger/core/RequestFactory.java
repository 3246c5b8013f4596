package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploymentIds;
import java.time.Clock;
import java.util.function.UnaryOperator;

/** Turns an intent into the signed {@code deploy.requested} event (pure apart from the clock). */
public final class RequestFactory {
  private final UnaryOperator<DeployRequested> signer;
  private final String source;
  private final Clock clock;

  /** @param signer sets key id and signature (common's {@code RequestSigner}) */
  public RequestFactory(UnaryOperator<DeployRequested> signer, String instanceId, Clock clock) {
    this.signer = signer;
    this.source = "stevedore://trigger/" + instanceId;
    this.clock = clock;
  }

  public DeployRequested build(DeployIntent intent) {
    DeployRequested unsigned = new DeployRequested(
        DeploymentIds.eventId(intent.deploymentId(), "trigger", "requested"),
        source,
        clock.instant(),
        intent.deploymentId(),
        intent.service(),
        intent.environment(),
        intent.version(),
        intent.commit(),
        intent.branch(),
        intent.repository(),
        intent.requestedBy(),
        intent.trigger().word(),
        intent.reason(),
        null,
        null,
        null,
        intent.force() ? Boolean.TRUE : null);
    return signer.apply(unsigned);
  }
}
