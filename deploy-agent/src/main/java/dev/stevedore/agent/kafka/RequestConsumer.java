package dev.stevedore.agent.kafka;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.RequestPolicy;
import dev.stevedore.agent.deploy.OffsetTracker;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.runtime.KafkaClients;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka adapter of the requests topic. Offsets live in the group {@code stevedore-agent-<host>},
 * no auto-commit; each record's offset is committed once its side effect is durable, in order per
 * partition even when records finish out of order. By default ({@code requests.subscription:
 * assign}) the consumer assigns itself every partition of the topic and commits to the group
 * without joining it: one host is the group's only reader, so membership would buy nothing but a
 * join at start and a heartbeat every 3 s (a third of the broker's idle requests per host at a 5 s
 * fetch wait). The partitions are looked up again every {@value #PARTITION_CHECK_MS} ms, so
 * partitions added to the topic are read too. {@code group}: static membership
 * ({@code group.instance.id} = host id).
 */
public final class RequestConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(RequestConsumer.class);
  static final long PARTITION_CHECK_MS = 300_000;
  static final long RETRY_MS = 2_000;
  /** The static member's group heartbeat ({@code heartbeat.interval.ms}), within Kafka's 45 s session timeout. */
  static final int HEARTBEAT_INTERVAL_MS = 15_000;

  private final Vertx vertx;
  private final AgentConfig config;
  private final RequestHandler handler;
  /** How long a stop waits for the consumer's close (a fetch the broker holds delays it up to kafka.fetchMaxWaitMs). */
  static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(1);
  private final OffsetTracker offsets = new OffsetTracker();
  private KafkaConsumer<String, byte[]> consumer;
  private Set<TopicPartition> assigned = Set.of();
  private long timer = -1;
  private volatile boolean stopped;

  public RequestConsumer(Vertx vertx, AgentConfig config, RequestHandler handler) {
    this.vertx = vertx;
    this.config = config;
    this.handler = handler;
  }

  /** The requests consumer's client configuration for this host's subscription model. */
  static Map<String, String> options(AgentConfig config) {
    Map<String, String> options = KafkaOptions.consumer(config.kafka().withClientId(config.kafka().clientId() + "-" + config.hostId()),
        config.consumerGroup());
    if (config.requests().subscription() == RequestPolicy.Subscription.GROUP) {
      options.put("group.instance.id", config.hostId());
      // The group has one member, so a heartbeat only says it is alive; every 15 s within the
      // 45 s session (Kafka's 3 s would be most of an idle agent's requests to the broker).
      options.putIfAbsent("heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL_MS));
    }
    options.putIfAbsent("max.poll.records", "100");
    return options;
  }

  public Future<Void> start() {
    Map<String, String> options = options(config);
    boolean group = config.requests().subscription() == RequestPolicy.Subscription.GROUP;
    return KafkaClients.consumer(vertx, options).compose(created -> { consumer = created; // made on a worker
    consumer.exceptionHandler(e -> LOG.warn("requests consumer: {}", e.getMessage()));
    consumer.partitionsRevokedHandler(parts -> parts.forEach(p -> offsets.forget(p.getPartition())));
    consumer.handler(this::onRecord);
    if (group) {
      return consumer.subscribe(Topics.REQUESTS);
    }
    Promise<Void> first = Promise.promise();
    assignAll(first);
    return first.future(); });
  }

  /**
   * Assigns every partition of the requests topic (again when the topic has more partitions than
   * assigned); completes {@code first} after the first attempt, found or not, and looks again in
   * {@value #RETRY_MS} ms while the topic is missing or unreachable, then every
   * {@value #PARTITION_CHECK_MS} ms.
   */
  private void assignAll(Promise<Void> first) {
    if (stopped) {
      first.tryComplete();
      return;
    }
    consumer.partitionsFor(Topics.REQUESTS).compose(infos -> {
      Set<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(Topics.REQUESTS, i.getPartition()))
          .collect(Collectors.toUnmodifiableSet());
      if (parts.isEmpty()) {
        return Future.failedFuture("topic " + Topics.REQUESTS + " has no partitions yet");
      }
      if (parts.equals(assigned)) {
        return Future.succeededFuture(false);
      }
      return consumer.assign(parts).map(v -> {
        LOG.info("requests: assigned {} partition(s) of {}, offsets in group {} (no membership)", parts.size(),
            Topics.REQUESTS, config.consumerGroup());
        assigned = parts;
        return true;
      });
    }).onComplete(ar -> {
      first.tryComplete();
      if (stopped) {
        return;
      }
      long next = ar.succeeded() ? PARTITION_CHECK_MS : RETRY_MS;
      if (ar.failed()) {
        LOG.warn("requests: cannot assign {} ({}); trying again in {} ms", Topics.REQUESTS, ar.cause().getMessage(),
            RETRY_MS);
      }
      timer = vertx.setTimer(next, id -> assignAll(Promise.promise()));
    });
  }

  private void onRecord(KafkaConsumerRecord<String, byte[]> record) {
    int partition = record.partition();
    long offset = record.offset();
    offsets.track(partition, offset);
    Future<Void> done;
    try {
      done = handler.handle(record.key(), record.value(), Map.of(
          Topics.HEADER_ORIGINAL_PARTITION, String.valueOf(partition), Topics.HEADER_ORIGINAL_OFFSET, String.valueOf(offset)));
    } catch (RuntimeException e) {
      LOG.error("request at {}-{}: {}", partition, offset, e.toString(), e);
      done = Future.failedFuture(e);
    }
    done.onComplete(ar -> {
      if (ar.failed()) {
        // The side effect is not durable (e.g. the state disk failed): leave the offset uncommitted
        // so the request is read again after a restart.
        LOG.error("request at {}-{} not finished: {}; its offset stays uncommitted", partition, offset,
            ar.cause().getMessage());
        return;
      }
      OptionalLong commit = offsets.done(partition, offset);
      if (commit.isPresent()) {
        consumer.commit(Map.of(new TopicPartition(Topics.REQUESTS, partition), new OffsetAndMetadata(commit.getAsLong(), "")))
            .onFailure(e -> LOG.warn("commit of {}-{} failed ({}); it is retried with the next one", partition,
                commit.getAsLong(), e.getMessage()));
      }
    });
  }

  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return consumer == null ? Future.succeededFuture()
        : dev.stevedore.common.runtime.KafkaClients.close(vertx, consumer, CLOSE_WAIT, "requests consumer");
  }
}
