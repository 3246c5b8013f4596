package dev.stevedore.common.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Stevedore's topics when they are missing (for single-broker and test set-ups). Every
 * service may do so at start, several at the same moment: a topic that exists already, or that
 * another creator made meanwhile, is success.
 */
public final class TopicAdmin {
  /**
   * The schedule topic: compacted (the latest record of each schedule is its state), and a record
   * is not compacted away for a day, so the trigger that owns a schedule sees a stale or replayed
   * record beside the one it would hide and re-asserts the true state (docs/operations.md).
   */
  public static final Map<String, String> SCHEDULES_CONFIG = Map.of("cleanup.policy", "compact",
      "min.compaction.lag.ms", "86400000");

  private TopicAdmin() {}

  /** {@code replication} that means "as many replicas as the cluster has brokers, up to three". */
  public static final short AUTO_REPLICATION = 0;

  /**
   * Creates the Stevedore topics that are missing. {@code replication} {@link #AUTO_REPLICATION}
   * takes {@link #replicationFor} the number of brokers the cluster reports now: one replica on a
   * single broker, three (two in sync) on a cluster of three or more.
   */
  public static Future<Void> ensureTopics(Vertx vertx, KafkaSettings settings, int partitions, short replication) {
    // The client's constructor resolves the bootstrap addresses and starts a thread: on a worker.
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, KafkaOptions.admin(settings)), false)
        .compose(admin -> replication(admin, replication)
            .compose(r -> ensure(admin, newTopics(partitions, r)))
            .eventually(admin::close));
  }

  /** The replication factor to create topics with: {@code configured}, or for auto min(brokers, 3). */
  public static short replicationFor(short configured, int brokers) {
    if (configured > 0) {
      return configured;
    }
    return (short) Math.max(1, Math.min(3, brokers));
  }

  private static Future<Short> replication(KafkaAdminClient admin, short configured) {
    if (configured > 0) {
      return Future.succeededFuture(configured);
    }
    return admin.describeCluster().map(c -> replicationFor(configured, c.getNodes().size()));
  }

  static List<NewTopic> newTopics(int partitions, short replication) {
    List<NewTopic> topics = new ArrayList<>();
    for (String topic : Topics.ALL) {
      // rollout.state shares the requests topic's partition count: one key, one partition number on both.
      NewTopic t = new NewTopic(topic, Topics.HEARTBEATS.equals(topic) ? 1 : partitions, replication);
      t.setConfig(topicConfig(topic, replication));
      topics.add(t);
    }
    return topics;
  }

  /**
   * The settings of one topic: its cleanup policy, and how many replicas must hold a record before
   * an acks=all producer hears it is written ({@link #minInsyncReplicas(int)}), so a topic does not
   * depend on the broker's default of 1.
   */
  static Map<String, String> topicConfig(String topic, int replication) {
    Map<String, String> config = new HashMap<>();
    config.put("min.insync.replicas", String.valueOf(minInsyncReplicas(replication)));
    if (Topics.ROLLOUT_STATE.equals(topic)) {
      // a pending record must outlive a coordinator's session timeout before compaction may drop it
      config.putAll(Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000"));
    } else if (Topics.COMPACTED.contains(topic)) {
      config.put("cleanup.policy", "compact");
    } else if (Topics.SCHEDULES.equals(topic)) {
      config.putAll(SCHEDULES_CONFIG);
    }
    return config;
  }

  /**
   * All replicas but one from three up (three replicas: two must have a record; one broker may
   * be lost without refusing a write or losing an acknowledged one), else 1 (with two replicas, 2
   * would make either broker's loss stop every write).
   */
  static int minInsyncReplicas(int replication) {
    return replication >= 3 ? replication - 1 : 1;
  }

  /** Creates each topic the listing misses, one request per topic, and waits for all of them. */
  private static Future<Void> ensure(KafkaAdminClient admin, List<NewTopic> topics) {
    return admin.listTopics().compose(existing -> {
      List<Future<Void>> creations = new ArrayList<>();
      for (NewTopic topic : topics) {
        if (!existing.contains(topic.getName())) {
          creations.add(create(admin, topic));
        }
      }
      // join, not all: every request is answered before the client closes; fails with a failure.
      return Future.join(creations).mapEmpty();
    });
  }

  private static Future<Void> create(KafkaAdminClient admin, NewTopic topic) {
    return admin.createTopics(List.of(topic))
        .recover(e -> alreadyExists(e) ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /** True when the failure says the topic exists (made by another creator, or by auto-creation). */
  static boolean alreadyExists(Throwable failure) {
    Set<Throwable> seen = new java.util.HashSet<>();
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof TopicExistsException) {
        return true;
      }
    }
    return false;
  }
}
