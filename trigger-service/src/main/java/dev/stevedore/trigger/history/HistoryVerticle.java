package dev.stevedore.trigger.history;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.runtime.KafkaClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the requests and events topics from the beginning into {@link DeploymentHistory}, through
 * a {@link HistoryFeed} that admits only requests signed with the trigger's own keys. The group
 * is this process's own and never commits: every start reads the retained history again, and
 * nothing else depends on its offsets. Records it cannot decode are skipped (the agents and the
 * audit service dead-letter them).
 */
public final class HistoryVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryVerticle.class);
  /** How often the history's lag behind the requests topic is measured (three admin calls each time). */
  static final long LAG_INTERVAL_MS = 5_000;

  private final KafkaSettings settings;
  private final String instanceId;
  private final Map<String, Consumer<StevedoreEvent>> feeds;
  private final java.util.function.BiConsumer<String, String> tombstones;
  private final EventCodec codec;
  private final ReadBack readBack;
  private volatile boolean stopped;
  private KafkaConsumer<String, byte[]> consumer;

  /** @param feed what decides which decoded events reach the history (see {@link HistoryFeed}) */
  public HistoryVerticle(KafkaSettings settings, String instanceId, Consumer<StevedoreEvent> feed, EventCodec codec) {
    this(settings, instanceId, Map.of(Topics.REQUESTS, feed, Topics.EVENTS, feed), codec, (topic, key) -> { });
  }

  /**
   * @param feeds per topic read, what its decoded events go to
   * @param tombstones told the topic and key of every record without a value (a compacted topic's delete)
   */
  public HistoryVerticle(KafkaSettings settings, String instanceId, Map<String, Consumer<StevedoreEvent>> feeds,
      EventCodec codec, java.util.function.BiConsumer<String, String> tombstones) {
    this(settings, instanceId, feeds, codec, tombstones, null);
  }

  /** @param readBack told the position of every record read from the requests topic; null: none */
  public HistoryVerticle(KafkaSettings settings, String instanceId, Map<String, Consumer<StevedoreEvent>> feeds,
      EventCodec codec, java.util.function.BiConsumer<String, String> tombstones, ReadBack readBack) {
    this.readBack = readBack;
    this.settings = settings;
    this.instanceId = instanceId;
    this.feeds = Map.copyOf(feeds);
    this.codec = codec;
    this.tombstones = tombstones;
  }

  @Override
  public Future<?> start() {
    Map<String, String> config = KafkaOptions.consumer(settings.withClientId(settings.clientId() + "-history"),
        "stevedore-trigger-history-" + instanceId + "-" + UUID.randomUUID());
    config.put("auto.offset.reset", "earliest");
    return KafkaClients.consumer(vertx, config).compose(c -> {
      consumer = c;
      consumer.handler(this::handle);
      consumer.exceptionHandler(e -> LOG.warn("history consumer: {}", e.toString()));
      if (readBack != null) {
        refreshLagLater();
      }
      // Subscribing does not wait for the broker: the trigger starts while Kafka is down.
      return consumer.subscribe(Set.copyOf(feeds.keySet()));
    });
  }

  /**
   * The lag gauge, one measurement at a time: the next is set only once this one has ended, so a
   * broker that does not answer never piles up admin calls. The timer ends with the verticle.
   */
  private void refreshLagLater() {
    if (stopped) {
      return; // a measurement that ended after stop() sets no new timer
    }
    vertx.setTimer(LAG_INTERVAL_MS, id -> readBack.refreshLag()
        .onFailure(e -> LOG.debug("history lag not refreshed: {}", e.toString()))
        .onComplete(ar -> refreshLagLater()));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return consumer == null ? Future.succeededFuture() : consumer.close();
  }

  private void handle(KafkaConsumerRecord<String, byte[]> record) {
    try {
      accept(record);
    } finally {
      // after the feed: a wait that ends here finds the record's deployment id in the history
      if (readBack != null && Topics.REQUESTS.equals(record.topic())) {
        readBack.read(record.partition(), record.offset());
      }
    }
  }

  private void accept(KafkaConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      tombstones.accept(record.topic(), record.key());
      return;
    }
    StevedoreEvent event;
    try {
      event = codec.decode(record.value());
    } catch (EventDecodingException e) {
      LOG.debug("history: skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return;
    }
    Consumer<StevedoreEvent> feed = feeds.get(record.topic());
    if (feed != null) {
      feed.accept(event);
    }
  }
}
