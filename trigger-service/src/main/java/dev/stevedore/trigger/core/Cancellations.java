package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeploymentIds;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
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

  private final UnaryOperator<DeployCancelled> signer;
  private final Function<DeployCancelled, Future<Void>> sink;
  private final String source;
  private final Clock clock;
  private final long timeoutMs;

  /**
   * @param signer sets key id and signature (common's {@code RequestSigner::sign})
   * @param sink publishes to the requests topic keyed {@code environment/service}; completes on acknowledgement
   */
  public Cancellations(UnaryOperator<DeployCancelled> signer, Function<DeployCancelled, Future<Void>> sink,
      String instanceId, Clock clock, long timeoutMs) {
    this.signer = signer;
    this.sink = sink;
    this.source = "stevedore://trigger/" + instanceId;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
  }

  /**
   * {@code caller}: the API token's name; {@code delivery}: the idempotency key (or a fresh id);
   * {@code service} and {@code environment}: those of the verified request being withdrawn.
   */
  public Future<Cancelled> cancel(String caller, String delivery, String deploymentId, String service,
      String environment, String reason) {
    String eventId = DeploymentIds.eventId(deploymentId, "trigger", "cancelled:" + caller + ":" + delivery);
    DeployCancelled event = signer.apply(new DeployCancelled(eventId, source, clock.instant(), deploymentId, service,
        environment, "api:" + caller, reason));
    Future<Void> published;
    try {
      published = sink.apply(event);
    } catch (RuntimeException e) {
      published = Future.failedFuture(e);
    }
    return published.timeout(timeoutMs, TimeUnit.MILLISECONDS).map(v -> {
      LOG.info("deployment {}: cancellation of {} {} published by api:{}{}", deploymentId, environment, service, caller,
          reason == null ? "" : ": " + reason);
      return new Cancelled(eventId, deploymentId, environment, service);
    });
  }
}
