package dev.stevedore.common.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import java.util.ArrayList;
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
  private TopicAdmin() {}

  public static Future<Void> ensureTopics(Vertx vertx, KafkaSettings settings, int partitions, short replication) {
    List<NewTopic> topics = new ArrayList<>();
    for (String topic : Topics.ALL) {
      // rollout.state shares the requests topic's partition count: one key, one partition number on both.
      NewTopic t = new NewTopic(topic, Topics.HEARTBEATS.equals(topic) ? 1 : partitions, replication);
      if (Topics.COMPACTED.contains(topic)) {
        t.setConfig(Map.of("cleanup.policy", "compact"));
      }
      topics.add(t);
    }
    // The client's constructor resolves the bootstrap addresses and starts a thread: on a worker.
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, KafkaOptions.admin(settings)), false)
        .compose(admin -> ensure(admin, topics).eventually(admin::close));
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
