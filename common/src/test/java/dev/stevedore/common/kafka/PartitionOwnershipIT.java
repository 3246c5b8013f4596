package dev.stevedore.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three members of one group on a real broker: they split the partitions, each knows every record
 * of a partition before it is told it owns it, a read barrier sees a record written just before it,
 * and a member that leaves hands its partitions to the others. (The SIGKILL takeover is proven with
 * separate processes in trigger-service's MultiInstanceScheduleIT.)
 */
class PartitionOwnershipIT {
  static final String TOPIC = "it.ownership";
  static final String GROUP = "it-ownership";
  static KafkaTestSupport kafka;
  static final List<Vertx> vertxes = new ArrayList<>();

  /** What one member heard, in the order it heard it. */
  static final class Member implements PartitionOwnership.Listener {
    final Map<String, String> values = new ConcurrentHashMap<>();
    final Map<Integer, Integer> countPerPartition = new ConcurrentHashMap<>();
    /** For each assignment: the partitions and how many records of each this member had seen then. */
    final List<Map<Integer, Integer>> assignments = new CopyOnWriteArrayList<>();
    final List<Set<Integer>> revocations = new CopyOnWriteArrayList<>();
    PartitionOwnership ownership;

    @Override
    public void records(List<ConsumerRecord<String, byte[]>> batch) {
      for (ConsumerRecord<String, byte[]> r : batch) {
        values.put(r.key(), new String(r.value(), StandardCharsets.UTF_8));
        countPerPartition.merge(r.partition(), 1, Integer::sum);
      }
    }

    @Override
    public void assigned(Set<Integer> partitions) {
      Map<Integer, Integer> seen = new HashMap<>();
      partitions.forEach(p -> seen.put(p, countPerPartition.getOrDefault(p, 0)));
      assignments.add(seen);
    }

    @Override
    public void revoked(Set<Integer> partitions) {
      revocations.add(partitions);
    }
  }

  @BeforeAll
  static void broker() {
    kafka = KafkaTestSupport.shared();
    kafka.createTopic(TOPIC, 3, Map.of("cleanup.policy", "compact"));
  }

  @AfterAll
  static void close() throws Exception {
    for (Vertx v : vertxes) {
      v.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static Member start(PartitionOwnership.Settings settings) throws Exception {
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    Member m = new Member();
    KafkaSettings ks = new KafkaSettings(kafka.bootstrapServers(), "ownership-it", 3_000, 5_000, 100, Map.of());
    m.ownership = vertx.executeBlocking(() -> null).compose(x -> PartitionOwnership.start(vertx, ks, settings, m))
        .await(30, TimeUnit.SECONDS);
    return m;
  }

  @Test
  void membersSplitThePartitionsKnowEveryRecordBeforeOwningAndHandOverWhenOneLeaves() throws Exception {
    Map<String, Integer> partitionOfKey = new HashMap<>();
    Map<Integer, Integer> written = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      String key = "key-" + i;
      int p = kafka.send(TOPIC, key, "v" + i).partition();
      partitionOfKey.put(key, p);
      written.merge(p, 1, Integer::sum);
    }
    assertThat(written.keySet()).containsExactlyInAnyOrder(0, 1, 2);

    PartitionOwnership.Settings settings = new PartitionOwnership.Settings(TOPIC, GROUP, 6_000, 1_000, 0);
    List<Member> members = List.of(start(settings), start(settings), start(settings));

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Set<Integer> union = new HashSet<>();
      int total = 0;
      for (Member m : members) {
        union.addAll(m.ownership.owned());
        total += m.ownership.owned().size();
      }
      assertThat(union).containsExactlyInAnyOrder(0, 1, 2);
      assertThat(total).as("no partition owned twice").isEqualTo(3);
    });
    for (Member m : members) {
      assertThat(m.ownership.ready()).isTrue();
      assertThat(m.values).hasSize(30).containsEntry("key-7", "v7"); // every member reads every partition
      for (Map<Integer, Integer> assignment : m.assignments) {
        // told "yours" only once every record written before had been given to it
        assignment.forEach((p, seen) -> assertThat(seen).as("records of partition %d at assignment", p)
            .isEqualTo(written.get(p)));
      }
    }
    for (Map.Entry<String, Integer> e : partitionOfKey.entrySet()) {
      // the producer's partitioner and ours agree, and each key has exactly one owner
      assertThat(members.get(0).ownership.partitionOf(e.getKey())).isEqualTo(e.getValue());
      assertThat(members.stream().filter(m -> m.ownership.owns(e.getKey())).count()).isEqualTo(1);
    }

    // A read barrier on another member sees a record written just before it, without waiting further.
    kafka.send(TOPIC, "key-3", "changed");
    members.get(2).ownership.caughtUp(10_000).await(15, TimeUnit.SECONDS);
    assertThat(members.get(2).values).containsEntry("key-3", "changed");

    // The owner of key-3 leaves; a record written meanwhile is known to the next owner when it takes over.
    Member leaving = members.stream().filter(m -> m.ownership.owns("key-3")).findFirst().orElseThrow();
    int p = leaving.ownership.partitionOf("key-3");
    long t0 = System.nanoTime();
    leaving.ownership.close().await(20, TimeUnit.SECONDS);
    assertThat(leaving.ownership.owns("key-3")).isFalse();
    assertThat(leaving.revocations).anySatisfy(r -> assertThat(r).contains(p));
    kafka.send(TOPIC, "key-3", "after-leave");
    List<Member> staying = members.stream().filter(m -> m != leaving).toList();
    await().atMost(Duration.ofSeconds(30)).until(() -> staying.stream().anyMatch(m -> m.ownership.owns("key-3")));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    Member next = staying.stream().filter(m -> m.ownership.owns("key-3")).findFirst().orElseThrow();
    Map<Integer, Integer> last = next.assignments.get(next.assignments.size() - 1);
    assertThat(last).containsKey(p);
    assertThat(next.values).containsEntry("key-3", "after-leave");
    assertThat(staying.stream().mapToInt(m -> m.ownership.owned().size()).sum()).isEqualTo(3);
    System.out.println("ownership handover after a clean leave took " + tookMs + " ms");
  }

  @Test
  void aTopicCreatedAfterTheStartIsFoundAndOwned() throws Exception {
    String late = "it.ownership.late";
    Member m = start(new PartitionOwnership.Settings(late, GROUP + "-late"));
    assertThat(m.ownership.ready()).isFalse();
    assertThat(m.ownership.partitionOf("x")).isEqualTo(-1);
    assertThat(m.ownership.owns("x")).isFalse();
    kafka.createTopic(late, 2, Map.of("cleanup.policy", "compact"));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(m.ownership.owned()).containsExactlyInAnyOrder(0, 1));
    assertThat(m.ownership.ready()).isTrue();
    assertThat(m.ownership.owns("x")).isTrue();
  }
}
