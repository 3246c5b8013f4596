package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeploymentIds;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Withdraws a published deployment that has not started: signs a {@code deploy.cancelled} with the
 * trigger's request-signing key and publishes it on the requests topic, on the partition of the
 * request it withdraws. Agents honour it only when the signature verifies, and only where the
 * request still waits. Answers once Kafka acknowledged it.
 */
public final class Cancellations {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellations.class);

  /** The answer: the cancellation's id and the deployment it withdraws. */
  public record Cancelled(String cancellationId, String deploymentId, String environment, String service) {}

  private final SignedPublisher<DeployCancelled> publisher;
  private final String source;
  private final Clock clock;

  /**
   * @param signer sets key id and signature (common's {@code RequestSigner::sign})
   * @param sink publishes to the requests topic keyed {@code environment/service}; completes on acknowledgement
   */
  public Cancellations(UnaryOperator<DeployCancelled> signer, Function<DeployCancelled, Future<Void>> sink,
      String instanceId, Clock clock, long timeoutMs) {
    this.publisher = new SignedPublisher<>(signer, sink, timeoutMs);
    this.source = "stevedore://trigger/" + instanceId;
    this.clock = clock;
  }

  /**
   * {@code caller}: the API token's name; {@code delivery}: the idempotency key (or a fresh id);
   * {@code service} and {@code environment}: those of the verified request being withdrawn.
   */
  public Future<Cancelled> cancel(String caller, String delivery, String deploymentId, String service,
      String environment, String reason) {
    String eventId = DeploymentIds.eventId(deploymentId, "trigger", "cancelled:" + caller + ":" + delivery);
    return publisher.publish(new DeployCancelled(eventId, source, clock.instant(), deploymentId, service,
        environment, "api:" + caller, reason)).map(event -> {
      LOG.info("deployment {}: cancellation of {} {} published by api:{}{}", deploymentId, environment, service, caller,
          reason == null ? "" : ": " + reason);
      return new Cancelled(eventId, deploymentId, environment, service);
    });
  }
}
