package dev.stevedore.common.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Creates Stevedore's topics when they are missing (for single-broker and test set-ups). */
public final class TopicAdmin {
  private TopicAdmin() {}

  public static Future<Void> ensureTopics(Vertx vertx, KafkaSettings settings, int partitions, short replication) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, KafkaOptions.admin(settings));
    return admin.listTopics()
        .compose(existing -> {
          List<NewTopic> missing = new ArrayList<>();
          for (String topic : Topics.ALL) {
            if (!existing.contains(topic)) {
              NewTopic t = new NewTopic(topic, Topics.HEARTBEATS.equals(topic) ? 1 : partitions, replication);
              if (Topics.HEARTBEATS.equals(topic)) {
                t.setConfig(Map.of("cleanup.policy", "compact"));
              }
              missing.add(t);
            }
          }
          return missing.isEmpty() ? Future.<Void>succeededFuture() : admin.createTopics(missing)
              .recover(e -> admin.listTopics().compose(now -> now.containsAll(names(missing))
                  ? Future.succeededFuture() : Future.failedFuture(e)));
        })
        .eventually(admin::close);
  }

  private static Set<String> names(List<NewTopic> topics) {
    Set<String> out = new java.util.HashSet<>();
    topics.forEach(t -> out.add(t.getName()));
    return out;
  }
}
