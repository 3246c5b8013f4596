package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.event.VersionUnblocked;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifts a blocked version: signs a {@code version.unblocked} for the environment (or the hosts
 * named) and publishes it on the requests topic; agents that blocked the version verify it and
 * allow the version again. Answers once Kafka acknowledged it.
 */
public final class Unblocks {
  private static final Logger LOG = LoggerFactory.getLogger(Unblocks.class);

  /** The answer: the unblock's id and what it lifts where. */
  public record Lifted(String unblockId, String environment, String service, String version, List<String> hosts) {}

  private final SignedPublisher<VersionUnblocked> publisher;
  private final String source;
  private final Clock clock;

  /**
   * @param signer sets key id and signature (common's {@code RequestSigner::sign})
   * @param sink publishes to the requests topic keyed {@code environment/service}; completes on acknowledgement
   */
  public Unblocks(UnaryOperator<VersionUnblocked> signer, Function<VersionUnblocked, Future<Void>> sink,
      String instanceId, Clock clock, long timeoutMs) {
    this.publisher = new SignedPublisher<>(signer, sink, timeoutMs);
    this.source = "stevedore://trigger/" + instanceId;
    this.clock = clock;
  }

  /** {@code caller}: the API token's name; {@code delivery}: the idempotency key (or a fresh id). */
  public Future<Lifted> unblock(String caller, String delivery, UnblockRequest r) {
    String id = DeploymentIds.of("unblock:" + caller, delivery);
    return publisher.publish(new VersionUnblocked(DeploymentIds.eventId(id, "trigger", "unblocked"),
        source, clock.instant(), id, r.service(), r.environment(), r.version(),
        new Target(r.environment(), r.hosts(), Map.of()), "api:" + caller, r.reason(), null, null)).map(event -> {
      LOG.info("unblock {}: {} {} {} allowed again on {} by api:{}: {}", id, r.environment(), r.service(), r.version(),
          r.hosts().isEmpty() ? "every host" : r.hosts(), caller, r.reason());
      return new Lifted(id, r.environment(), r.service(), r.version(), r.hosts());
    });
  }
}
