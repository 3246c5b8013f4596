package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.event.VersionUnblocked;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

  private final UnaryOperator<VersionUnblocked> signer;
  private final Function<VersionUnblocked, Future<Void>> sink;
  private final String source;
  private final Clock clock;
  private final long timeoutMs;

  /**
   * @param signer sets key id and signature (common's {@code RequestSigner::sign})
   * @param sink publishes to the requests topic keyed {@code environment/service}; completes on acknowledgement
   */
  public Unblocks(UnaryOperator<VersionUnblocked> signer, Function<VersionUnblocked, Future<Void>> sink,
      String instanceId, Clock clock, long timeoutMs) {
    this.signer = signer;
    this.sink = sink;
    this.source = "stevedore://trigger/" + instanceId;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
  }

  /** {@code caller}: the API token's name; {@code delivery}: the idempotency key (or a fresh id). */
  public Future<Lifted> unblock(String caller, String delivery, UnblockRequest r) {
    String id = DeploymentIds.of("unblock:" + caller, delivery);
    VersionUnblocked event = signer.apply(new VersionUnblocked(DeploymentIds.eventId(id, "trigger", "unblocked"),
        source, clock.instant(), id, r.service(), r.environment(), r.version(),
        new Target(r.environment(), r.hosts(), Map.of()), "api:" + caller, r.reason(), null, null));
    Future<Void> published;
    try {
      published = sink.apply(event);
    } catch (RuntimeException e) {
      published = Future.failedFuture(e);
    }
    return published.timeout(timeoutMs, TimeUnit.MILLISECONDS).map(v -> {
      LOG.info("unblock {}: {} {} {} allowed again on {} by api:{}: {}", id, r.environment(), r.service(), r.version(),
          r.hosts().isEmpty() ? "every host" : r.hosts(), caller, r.reason());
      return new Lifted(id, r.environment(), r.service(), r.version(), r.hosts());
    });
  }
}
