package dev.stevedore.agent.kafka;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.deploy.FleetBlocklist;
import dev.stevedore.agent.deploy.FleetBlocklist.Change;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.runtime.KafkaClients;
import dev.stevedore.common.security.RequestVerifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.PartitionInfo;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted topic {@code stevedore.fleet.blocklist}: every partition assigned (no
 * group, no commits), read from the beginning at each start, then followed. Each record is
 * decoded and its signature verified against the trusted trigger keys before it changes the
 * {@link FleetBlocklist}; an unsigned, forged or undecodable record changes nothing and is logged
 * (and dead-lettered when it arrives after the initial read; one in the history was dead-lettered
 * when it first arrived). {@link #start()} completes once the topic has been read to the end it
 * had at start, so no request is admitted before the agent knows every block.
 */
public final class BlocklistFollower {
  private static final Logger LOG = LoggerFactory.getLogger(BlocklistFollower.class);
  static final long RETRY_MS = 2_000;
  /**
   * The blocklist changes rarely and a waiting fetch is answered as soon as a record arrives, so
   * its consumer waits longer than the requests consumer: fewer idle fetches, no later blocks.
   */
  static final int FETCH_MAX_WAIT_MS = 5_000;

  private final Vertx vertx;
  private final AgentConfig config;
  private final EventCodec codec;
  private final RequestVerifier verifier;
  private final FleetBlocklist blocklist;
  private final RequestHandler.DeadLetters deadLetters;
  private final Promise<Void> caughtUp = Promise.promise();
  private final Map<Integer, Long> ends = new HashMap<>();
  private List<TopicPartition> partitions = List.of();
  private KafkaConsumer<String, byte[]> consumer;
  private long timer = -1;
  private long startedAt;
  private int read;
  private boolean stopped;

  public BlocklistFollower(Vertx vertx, AgentConfig config, EventCodec codec, RequestVerifier verifier,
      FleetBlocklist blocklist, RequestHandler.DeadLetters deadLetters) {
    this.vertx = vertx;
    this.config = config;
    this.codec = codec;
    this.verifier = verifier;
    this.blocklist = blocklist;
    this.deadLetters = deadLetters;
  }

  /** Completes once the blocklist has been read to its end (retries while Kafka cannot be reached). */
  public Future<Void> start() {
    startedAt = System.currentTimeMillis();
    Map<String, String> options = KafkaOptions.consumer(
        config.kafka().withClientId(config.kafka().clientId() + "-" + config.hostId() + "-blocklist"), "unused");
    options.remove("group.id"); // assign() without a group: nothing to commit, read from the beginning every start
    options.put("auto.offset.reset", "earliest");
    options.put("fetch.max.wait.ms", String.valueOf(Math.max(config.kafka().fetchMaxWaitMs(), FETCH_MAX_WAIT_MS)));
    options.put("allow.auto.create.topics", "false"); // the trigger creates it compacted; never a plain one here
    KafkaClients.consumer(vertx, options).onSuccess(c -> {
      consumer = c;
      consumer.exceptionHandler(e -> LOG.warn("fleet blocklist consumer: {}", e.getMessage()));
      consumer.handler(this::onRecord);
      assign();
    }).onFailure(caughtUp::tryFail);
    return caughtUp.future();
  }

  private void assign() {
    if (stopped) {
      return;
    }
    consumer.partitionsFor(Topics.FLEET_BLOCKLIST).compose(infos -> {
      if (infos.isEmpty()) {
        // A trigger older than fleet rollouts: no topic, so nothing is blocked fleet-wide. Look again later.
        if (!caughtUp.future().isComplete()) {
          LOG.info("fleet blocklist: topic {} does not exist yet; nothing is blocked fleet-wide", Topics.FLEET_BLOCKLIST);
          caughtUp.tryComplete();
        }
        vertx.setTimer(30_000, id -> assign());
        return Future.succeededFuture();
      }
      Set<TopicPartition> parts = infos.stream().map(PartitionInfo::getPartition)
          .map(p -> new TopicPartition(Topics.FLEET_BLOCKLIST, p)).collect(Collectors.toSet());
      partitions = List.copyOf(parts);
      // The ends first, then assign: once assigned, the consumer's fetch is held by the broker for
      // up to its fetch wait when nothing is new, and the broker answers a connection's requests
      // in order, so a lookup sent after it would wait that long.
      return consumer.endOffsets(parts).compose(endOffsets -> {
        endOffsets.forEach((tp, end) -> ends.put(tp.getPartition(), end));
        return consumer.assign(parts);
      }).map(v -> {
        timer = vertx.setPeriodic(50, id -> checkCaughtUp());
        return null;
      });
    }).onFailure(e -> {
      LOG.warn("fleet blocklist: cannot read {} ({}); requests wait until it is read; retrying in {} ms",
          Topics.FLEET_BLOCKLIST, e.getMessage(), RETRY_MS);
      vertx.setTimer(RETRY_MS, id -> assign());
    });
  }

  private void checkCaughtUp() {
    if (caughtUp.future().isComplete()) {
      return;
    }
    List<TopicPartition> parts = partitions;
    List<Future<Long>> positions = parts.stream().map(consumer::position).toList();
    Future.all(positions).onSuccess(all -> {
      for (int i = 0; i < positions.size(); i++) {
        if (positions.get(i).result() < ends.getOrDefault(parts.get(i).getPartition(), 0L)) {
          return;
        }
      }
      if (caughtUp.tryComplete()) {
        vertx.cancelTimer(timer);
        LOG.info("fleet blocklist: read {} record(s) in {} ms; {} version(s) blocked fleet-wide in {}", read,
            System.currentTimeMillis() - startedAt, blocklist.size(), config.environment());
      }
    });
  }

  private void onRecord(KafkaConsumerRecord<String, byte[]> record) {
    read++;
    boolean live = caughtUp.future().isComplete();
    String where = record.partition() + "-" + record.offset() + " (key " + record.key() + ")";
    Map<String, String> origin = Map.of(Topics.HEADER_ORIGINAL_TOPIC, Topics.FLEET_BLOCKLIST,
        Topics.HEADER_ORIGINAL_PARTITION, String.valueOf(record.partition()),
        Topics.HEADER_ORIGINAL_OFFSET, String.valueOf(record.offset()));
    StevedoreEvent event = null;
    if (record.value() != null) {
      try {
        event = codec.decode(record.value());
      } catch (EventDecodingException e) {
        refuse(record, where, "undecodable: " + e.getMessage(), live, origin);
        return;
      }
      String rejection = event instanceof VersionBlocked b ? verifier.rejection(b)
          : event instanceof VersionUnblocked u ? verifier.rejection(u)
          : "unexpected event type " + event.type().typeName() + " on the blocklist topic";
      if (rejection != null) {
        refuse(record, where, rejection, live, origin);
        return;
      }
    }
    Change change = blocklist.apply(record.key(), event);
    if (change instanceof Change.Blocked b) {
      LOG.warn("fleet blocklist: {} {} is blocked fleet-wide in {} since {} (rollout {}: {})", b.block().service(),
          b.block().version(), b.block().environment(), b.block().time(), b.block().rolloutId(), b.block().reason());
    } else if (change instanceof Change.Lifted l) {
      LOG.warn("fleet blocklist: {} is allowed again (blocked since {} by rollout {}); lifted by {}", l.key(),
          l.was().time(), l.was().rolloutId(), l.by());
    } else if (change instanceof Change.Refused r) {
      refuse(record, where, r.why(), live, origin);
    } else if (change instanceof Change.Unchanged u) {
      LOG.debug("fleet blocklist: record at {}: {}", where, u.why());
    }
  }

  /** A record that must not count: one clear line, and a dead letter when it is new (not history re-read at start). */
  private void refuse(KafkaConsumerRecord<String, byte[]> record, String where, String why, boolean live,
      Map<String, String> origin) {
    LOG.warn("fleet blocklist: record at {} IGNORED, it changes nothing: {}", where, why);
    if (live) {
      deadLetters.send(record.key(), record.value(), why, origin)
          .onFailure(e -> LOG.warn("fleet blocklist: dead letter for {} not sent: {}", where, e.getMessage()));
    }
  }

  /** Whether the blocklist has been read to the end it had at start. */
  public boolean caughtUp() {
    return caughtUp.future().isComplete();
  }

  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return consumer == null ? Future.succeededFuture()
        : dev.stevedore.common.runtime.KafkaClients.close(vertx, consumer, RequestConsumer.CLOSE_WAIT, "fleet blocklist consumer");
  }
}
