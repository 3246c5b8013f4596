package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.PartitionOwnership;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's adapter: reads {@code stevedore.rollout.state} and holds this instance's share
 * of its partitions through {@link PartitionOwnership} (Kafka's group assignment is the election),
 * ticks the {@link RolloutCoordinator}, and runs everything given to it on its own context.
 */
public final class RolloutVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutVerticle.class);

  private final KafkaSettings kafka;
  private final RolloutSettings settings;
  private final EventCodec codec;
  private final Function<java.util.function.Predicate<String>, RolloutCoordinator> make;
  private final AtomicReference<PartitionOwnership> ownership = new AtomicReference<>();
  private final Set<String> keys = new HashSet<>();
  private RolloutCoordinator coordinator;
  private Context context;
  private long timer = -1;

  /** @param make builds the coordinator around the ownership test it is given */
  public RolloutVerticle(KafkaSettings kafka, RolloutSettings settings, EventCodec codec,
      Function<java.util.function.Predicate<String>, RolloutCoordinator> make) {
    this.kafka = kafka;
    this.settings = settings;
    this.codec = codec;
    this.make = make;
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    coordinator = make.apply(key -> {
      PartitionOwnership o = ownership.get();
      return o != null && o.owns(key);
    });
    PartitionOwnership.Settings own = new PartitionOwnership.Settings(Topics.ROLLOUT_STATE, settings.groupId(),
        settings.sessionTimeoutMs(), 0, 0);
    return PartitionOwnership.start(vertx, kafka.withClientId(kafka.clientId() + "-rollouts"), own,
        new PartitionOwnership.Listener() {
          @Override
          public void records(List<ConsumerRecord<String, byte[]>> batch) {
            batch.forEach(RolloutVerticle.this::record);
          }

          @Override
          public void assigned(Set<Integer> partitions) {
            PartitionOwnership o = ownership.get();
            Set<String> mine = new HashSet<>();
            for (String key : keys) {
              if (o != null && partitions.contains(o.partitionOf(key))) {
                mine.add(key);
              }
            }
            LOG.info("coordinating rollout partitions {} ({} known keys)", partitions, mine.size());
            coordinator.takeOver(mine);
          }

          @Override
          public void revoked(Set<Integer> partitions) {
            LOG.info("no longer coordinating rollout partitions {}", partitions);
          }
        }).map(o -> {
          ownership.set(o);
          // An assignment that came before the ownership was known here is taken over now (idempotent).
          Set<String> mine = new HashSet<>();
          keys.stream().filter(o::owns).forEach(mine::add);
          coordinator.takeOver(mine);
          timer = vertx.setPeriodic(settings.tickMs(), id -> coordinator.tick());
          return o;
        });
  }

  private void record(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      RolloutState s = codec.decode(r.value(), RolloutState.class);
      if (!s.partitionKey().equals(r.key())) {
        LOG.warn("rollout state under key {} names {}: ignored", r.key(), s.partitionKey());
        return;
      }
      keys.add(r.key());
      coordinator.recorded(s);
    } catch (EventDecodingException e) {
      LOG.warn("undecodable rollout state {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }
  }

  /** Runs {@code work} with the coordinator on its context (from an HTTP or consumer verticle). */
  public <T> Future<T> call(Function<RolloutCoordinator, Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.apply(coordinator).onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  /** Hands {@code input} to the coordinator on its context. */
  public void tell(java.util.function.Consumer<RolloutCoordinator> input) {
    if (context != null) {
      context.runOnContext(v -> input.accept(coordinator));
    }
  }

  /** Whether the state topic has been read once to its end. */
  public boolean ready() {
    PartitionOwnership o = ownership.get();
    return o != null && o.ready();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    PartitionOwnership o = ownership.get();
    return o == null ? Future.succeededFuture() : o.close();
  }

  Supplier<Set<String>> keys() {
    return () -> Set.copyOf(keys);
  }
}
