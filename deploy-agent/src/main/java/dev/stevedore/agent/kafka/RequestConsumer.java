package dev.stevedore.agent.kafka;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.deploy.OffsetTracker;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.runtime.KafkaClients;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka adapter of the requests topic: group {@code stevedore-agent-<host>} with static
 * membership ({@code group.instance.id} = host id, so a restart causes no rebalance), no
 * auto-commit; each record's offset is committed once its side effect is durable, in order per
 * partition even when records finish out of order.
 */
public final class RequestConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(RequestConsumer.class);

  private final Vertx vertx;
  private final AgentConfig config;
  private final RequestHandler handler;
  private final OffsetTracker offsets = new OffsetTracker();
  private KafkaConsumer<String, byte[]> consumer;

  public RequestConsumer(Vertx vertx, AgentConfig config, RequestHandler handler) {
    this.vertx = vertx;
    this.config = config;
    this.handler = handler;
  }

  public Future<Void> start() {
    Map<String, String> options = KafkaOptions.consumer(config.kafka().withClientId(config.kafka().clientId() + "-" + config.hostId()),
        config.consumerGroup());
    options.put("group.instance.id", config.hostId());
    options.putIfAbsent("max.poll.records", "100");
    return KafkaClients.consumer(vertx, options).compose(created -> { consumer = created; // made on a worker
    consumer.exceptionHandler(e -> LOG.warn("requests consumer: {}", e.getMessage()));
    consumer.partitionsRevokedHandler(parts -> parts.forEach(p -> offsets.forget(p.getPartition())));
    consumer.handler(this::onRecord);
    return consumer.subscribe(Topics.REQUESTS); });
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
    return consumer == null ? Future.succeededFuture() : consumer.close();
  }
}
