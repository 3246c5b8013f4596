package dev.stevedore.common.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which instance of a replicated service acts on which keys of a compacted topic, decided by
 * Kafka consumer-group partition assignment: no election of our own, no second store.
 *
 * <p>Every instance reads the whole topic (all partitions, from the beginning, with a group-less
 * consumer), so every instance knows every recorded state; and every instance is a member of one
 * consumer group ({@link Settings#groupId}) subscribed to the topic, whose assignment says which
 * partitions, and so which keys, this instance owns. The group member never reads records and never
 * commits offsets; it only holds the assignment. The owner of a key is the only instance that should
 * act on it (fire a schedule, advance a rollout); any instance may write a request for a change.
 *
 * <p>Use:
 * <pre>{@code
 * PartitionOwnership.start(vertx, kafkaSettings,
 *     new PartitionOwnership.Settings("stevedore.trigger.schedules", "stevedore-trigger-schedules"),
 *     new PartitionOwnership.Listener() {
 *       public void records(List<ConsumerRecord<String, byte[]>> batch) { ...fold into the state... }
 *       public void assigned(Set<Integer> partitions) { ...act on the keys of these partitions... }
 *       public void revoked(Set<Integer> partitions) { ...stop acting on them... }
 *     })
 *   .onSuccess(ownership -> { ... if (ownership.owns(key)) act(key); ... });
 * }</pre>
 *
 * <p>Guarantees and their limits:
 * <ul>
 *   <li>Callbacks run on the Vert.x context that called {@link #start}, one at a time, in this order:
 *       records of a partition in offset order; {@link Listener#assigned} for a partition only after
 *       every record of it up to its end offset at the moment of assignment has been given to
 *       {@link Listener#records} (the new owner knows every recorded state before it acts).</li>
 *   <li>{@link #owns} turns false on the Kafka client's thread the moment the partition is revoked or
 *       lost, before the group can give it to another member; {@link Listener#revoked} follows on the
 *       context. It turns true only once {@link Listener#assigned} is due.</li>
 *   <li>A member that stops heartbeating (SIGKILL, a frozen VM, a network partition) loses its
 *       partitions after {@link Settings#sessionTimeoutMs}; another member has them a rebalance later
 *       (about a heartbeat interval). A frozen old owner does not know at once that it lost them: for
 *       up to the session timeout two instances may both believe they own a partition. Users must make
 *       acting idempotent or detectable through the topic itself (e.g. write a claim record, read it
 *       back, and act only if the claim won), never rely on ownership alone.</li>
 *   <li>The key-to-partition mapping is the producer's default partitioner (murmur2 of the key
 *       bytes): records must be written with the key and without an explicit partition, and the topic's
 *       partition count must not change while it holds state.</li>
 *   <li>The topic may not exist yet at start (it is looked for every second, and the group is joined
 *       only once it is found); the broker may be down: nothing here waits for it, {@link #ready}
 *       says when the first full read is done.</li>
 * </ul>
 * The two Kafka consumers are made on a worker and polled on one thread of their own
 * ("stevedore-ownership-" + topic); nothing here blocks an event loop.
 */
public final class PartitionOwnership {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionOwnership.class);
  private static final Duration MEMBER_POLL = Duration.ofMillis(50);
  private static final Duration READER_POLL = Duration.ofMillis(50);
  private static final long TOPIC_RETRY_MS = 1_000;

  /**
   * Where and how quickly.
   *
   * @param topic the compacted topic holding the state, keyed by the thing owned
   * @param groupId the consumer group shared by all instances of the service (and only by them)
   * @param sessionTimeoutMs how long a silent member keeps its partitions: with a SIGKILLed owner,
   *     the takeover takes this plus about one {@code heartbeatIntervalMs}; the broker bounds it
   *     ({@code group.min.session.timeout.ms}, 6000 by default)
   * @param heartbeatIntervalMs how often members heartbeat; at most a third of the session timeout
   * @param maxRecordBytes records with a larger value are not fetched whole by the consumer:
   *     {@code max.partition.fetch.bytes} is set to it (with a floor of 64 KiB)
   */
  public record Settings(String topic, String groupId, int sessionTimeoutMs, int heartbeatIntervalMs,
      int maxRecordBytes) {
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 6_000;
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

    public Settings {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("topic is required");
      }
      if (groupId == null || groupId.isBlank()) {
        throw new IllegalArgumentException("groupId is required");
      }
      sessionTimeoutMs = sessionTimeoutMs <= 0 ? DEFAULT_SESSION_TIMEOUT_MS : sessionTimeoutMs;
      heartbeatIntervalMs = heartbeatIntervalMs <= 0 ? Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, sessionTimeoutMs / 3)
          : heartbeatIntervalMs;
      if (heartbeatIntervalMs * 3L > sessionTimeoutMs) {
        throw new IllegalArgumentException("heartbeatIntervalMs (" + heartbeatIntervalMs
            + ") must be at most a third of sessionTimeoutMs (" + sessionTimeoutMs + ")");
      }
      maxRecordBytes = maxRecordBytes <= 0 ? DEFAULT_MAX_RECORD_BYTES : maxRecordBytes;
    }

    /** The defaults: 6 s session (a SIGKILLed owner is replaced in about 7-9 s), 1 s heartbeat, 1 MiB. */
    public Settings(String topic, String groupId) {
      this(topic, groupId, 0, 0, 0);
    }
  }

  /** What the user of the ownership hears; every call runs on the context that called {@link #start}. */
  public interface Listener {
    /** Records of any partition, in offset order within each partition (values are untrusted input). */
    void records(List<ConsumerRecord<String, byte[]>> batch);

    /** These partitions are now this instance's, and every record of them so far has been given to {@link #records}. */
    void assigned(Set<Integer> partitions);

    /** These partitions are no longer this instance's (revoked in a rebalance, or lost with the session). */
    void revoked(Set<Integer> partitions);
  }

  private final Settings settings;
  private final Listener listener;
  private final Context context;
  private final KafkaConsumer<String, byte[]> reader;
  private final KafkaConsumer<String, byte[]> member;
  private final Thread thread;
  private final Promise<Void> closed = Promise.promise();
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Owned and caught up; written on the poll thread (removal) and the context (addition). */
  private final Set<Integer> owned = new CopyOnWriteArraySet<>();
  private volatile boolean running = true;
  private volatile int partitionCount = -1;
  private volatile boolean ready;

  // Context-only state.
  /** Next offset per partition whose records have all been given to the listener. */
  private final Map<Integer, Long> applied = new HashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  /** Assigned by the group, not yet caught up (a later revocation cancels the pending assignment). */
  private final Set<Integer> assignedPending = new TreeSet<>();

  private record Waiter(Map<Integer, Long> targets, Promise<Void> then) {}

  private PartitionOwnership(Settings settings, Listener listener, Context context, KafkaConsumer<String, byte[]> reader,
      KafkaConsumer<String, byte[]> member) {
    this.settings = settings;
    this.listener = listener;
    this.context = context;
    this.reader = reader;
    this.member = member;
    this.thread = new Thread(this::loop, "stevedore-ownership-" + settings.topic());
    this.thread.setDaemon(true);
  }

  /**
   * Makes the two consumers on a worker, starts the poll thread and completes at once (it does not
   * wait for the broker or the topic). Call it on the context the listener should run on.
   */
  public static Future<PartitionOwnership> start(Vertx vertx, KafkaSettings kafka, Settings settings,
      Listener listener) {
    Objects.requireNonNull(listener, "listener");
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(new HashMap<>(readerConfig(kafka, settings)),
          new StringDeserializer(), new ByteArrayDeserializer());
      KafkaConsumer<String, byte[]> member;
      try {
        member = new KafkaConsumer<>(new HashMap<>(memberConfig(kafka, settings)), new StringDeserializer(),
            new ByteArrayDeserializer());
      } catch (RuntimeException e) {
        reader.close(Duration.ZERO);
        throw e;
      }
      PartitionOwnership ownership = new PartitionOwnership(settings, listener, context, reader, member);
      ownership.thread.start();
      return ownership;
    }, false);
  }

  /** The group-less reader: every partition from the beginning, committed records only. */
  static Map<String, Object> readerConfig(KafkaSettings kafka, Settings settings) {
    Map<String, Object> config = new HashMap<>(KafkaOptions.consumer(kafka.withClientId(kafka.clientId() + "-"
        + settings.topic() + "-reader"), "unused"));
    config.remove("group.id");
    config.put("auto.offset.reset", "earliest");
    config.put("max.partition.fetch.bytes", String.valueOf(Math.max(64 * 1024, settings.maxRecordBytes())));
    return config;
  }

  /** The group member: holds the assignment only (it pauses what it is given, never commits). */
  static Map<String, Object> memberConfig(KafkaSettings kafka, Settings settings) {
    Map<String, Object> config = new HashMap<>(KafkaOptions.consumer(kafka.withClientId(kafka.clientId() + "-"
        + settings.topic() + "-member"), settings.groupId()));
    config.put("group.protocol", "classic"); // session.timeout.ms is the client's to choose only here
    config.put("session.timeout.ms", String.valueOf(settings.sessionTimeoutMs()));
    config.put("heartbeat.interval.ms", String.valueOf(settings.heartbeatIntervalMs()));
    config.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
    config.put("max.poll.records", "1");
    config.put("fetch.max.bytes", "1024");
    config.put("max.partition.fetch.bytes", "1024");
    return config;
  }

  public Settings settings() {
    return settings;
  }

  /** The partition a key is written to (the producer's default partitioner); -1 while the topic is not found. */
  public int partitionOf(String key) {
    int count = partitionCount;
    return count <= 0 ? -1 : partitionFor(key, count);
  }

  /** The producer's default partitioner for a string key over {@code partitions} partitions. */
  public static int partitionFor(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** True while this instance owns the key's partition and has read it up to its assignment. Any thread. */
  public boolean owns(String key) {
    int p = partitionOf(key);
    return p >= 0 && owned.contains(p);
  }

  /** The partitions this instance owns and has caught up on. Any thread. */
  public Set<Integer> owned() {
    return Set.copyOf(owned);
  }

  /** True once the topic was found and read up to its end offsets as they were when it was found. */
  public boolean ready() {
    return ready;
  }

  /** The number of partitions, or -1 while the topic has not been found. */
  public int partitions() {
    return partitionCount;
  }

  /**
   * A read barrier: completes (on the context) once every record written before this call has been
   * given to the listener; fails after {@code timeoutMs} (broker unreachable, topic missing).
   */
  public Future<Void> caughtUp(long timeoutMs) {
    Promise<Void> promise = Promise.promise();
    long timer = context.owner().setTimer(Math.max(1, timeoutMs), id -> promise.tryFail(
        "the read of " + settings.topic() + " did not catch up within " + timeoutMs + " ms"));
    promise.future().onComplete(ar -> context.owner().cancelTimer(timer));
    tasks.add(() -> {
      int count = partitionCount;
      if (count <= 0) {
        context.runOnContext(v -> promise.tryFail("topic " + settings.topic() + " not found yet"));
        return;
      }
      Map<Integer, Long> targets = new HashMap<>();
      try {
        reader.endOffsets(partitions(count), Duration.ofMillis(Math.max(1, timeoutMs)))
            .forEach((tp, end) -> targets.put(tp.partition(), end));
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        context.runOnContext(v -> promise.tryFail(e));
        return;
      }
      context.runOnContext(v -> whenApplied(targets, promise));
    });
    return promise.future();
  }

  /**
   * Completes (on the context) once the listener has been given every record of {@code partition}
   * below {@code offset}: the read-your-write wait after producing a record at {@code offset - 1}.
   */
  public Future<Void> applied(int partition, long offset, long timeoutMs) {
    Promise<Void> promise = Promise.promise();
    long timer = context.owner().setTimer(Math.max(1, timeoutMs), id -> promise.tryFail(
        "partition " + partition + " of " + settings.topic() + " not read up to " + offset + " within " + timeoutMs
            + " ms"));
    promise.future().onComplete(ar -> context.owner().cancelTimer(timer));
    context.runOnContext(v -> whenApplied(Map.of(partition, offset), promise));
    return promise.future();
  }

  /** Leaves the group (the others take over at once, without waiting for the session timeout) and closes both consumers. */
  public Future<Void> close() {
    running = false;
    reader.wakeup();
    member.wakeup();
    return closed.future();
  }

  // ---- poll thread ------------------------------------------------------------------------------

  private void loop() {
    try {
      while (running) {
        try {
          step();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // Broker unreachable (a position or offset look-up timed out): try again shortly.
          LOG.warn("reading {}: {}", settings.topic(), e.toString());
          sleepQuietly(500);
        }
      }
    } catch (WakeupException e) {
      // close()
    } catch (RuntimeException e) {
      LOG.error("ownership of {} stopped: {}", settings.topic(), e.toString(), e);
    } finally {
      finish();
    }
  }

  private long nextTopicLook;
  private boolean subscribed;

  private void step() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
    if (partitionCount <= 0) {
      if (System.currentTimeMillis() >= nextTopicLook) {
        nextTopicLook = System.currentTimeMillis() + TOPIC_RETRY_MS;
        findTopic();
      }
      if (partitionCount <= 0) {
        sleepQuietly(100);
        return;
      }
    }
    if (!subscribed) {
      member.subscribe(List.of(settings.topic()), rebalance);
      subscribed = true;
    }
    ConsumerRecords<String, byte[]> discarded = member.poll(MEMBER_POLL);
    if (!discarded.isEmpty()) {
      member.pause(member.assignment()); // the member only holds the assignment
    }
    ConsumerRecords<String, byte[]> records = reader.poll(READER_POLL);
    Map<Integer, Long> positions = new HashMap<>();
    for (TopicPartition tp : reader.assignment()) {
      positions.put(tp.partition(), reader.position(tp, Duration.ofSeconds(5)));
    }
    List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
    records.forEach(batch::add);
    context.runOnContext(v -> deliver(batch, positions));
  }

  /** Leaves the group, closes both clients, and tells the listener what it no longer owns. */
  private void finish() {
    try {
      member.close(Duration.ofSeconds(5)); // leaves the group: a quick rebalance for the others
    } catch (RuntimeException e) {
      LOG.debug("closing the group member", e);
    }
    try {
      reader.close(Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      LOG.debug("closing the reader", e);
    }
    Set<Integer> had = Set.copyOf(owned); // what the close's own revocation did not drop
    owned.clear();
    context.runOnContext(v -> {
      if (!had.isEmpty()) {
        listener.revoked(had);
      }
      closed.tryComplete();
    });
  }

  private void findTopic() {
    List<PartitionInfo> infos;
    try {
      infos = reader.partitionsFor(settings.topic(), Duration.ofSeconds(2));
    } catch (org.apache.kafka.common.KafkaException e) {
      if (e instanceof WakeupException w) {
        throw w;
      }
      LOG.debug("looking for topic {}: {}", settings.topic(), e.toString());
      return;
    }
    if (infos == null || infos.isEmpty()) {
      LOG.info("topic {} not found yet; looking again in {} ms", settings.topic(), TOPIC_RETRY_MS);
      return;
    }
    int count = infos.size();
    List<TopicPartition> all = partitions(count);
    reader.assign(all);
    reader.seekToBeginning(all);
    Map<Integer, Long> targets = new HashMap<>();
    try {
      reader.endOffsets(all, Duration.ofSeconds(5)).forEach((tp, end) -> targets.put(tp.partition(), end));
    } catch (RuntimeException e) {
      if (e instanceof WakeupException w) {
        throw w;
      }
      LOG.info("end offsets of {} not known yet: {}", settings.topic(), e.toString());
      reader.unsubscribe();
      return;
    }
    partitionCount = count;
    LOG.info("reading {} ({} partitions) from the beginning; group {}", settings.topic(), count, settings.groupId());
    context.runOnContext(v -> whenApplied(targets, promiseThen(() -> {
      ready = true;
      LOG.info("{} read up to its end offsets {}", settings.topic(), new java.util.TreeMap<>(targets));
    })));
  }

  private List<TopicPartition> partitions(int count) {
    List<TopicPartition> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      all.add(new TopicPartition(settings.topic(), i));
    }
    return all;
  }

  /** Runs on the poll thread, inside member.poll: ownership changes here before the group moves on. */
  private final ConsumerRebalanceListener rebalance = new ConsumerRebalanceListener() {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      drop(partitions, "revoked");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions, "lost");
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      member.pause(partitions);
      Set<Integer> numbers = numbers(partitions);
      Map<Integer, Long> targets = new HashMap<>();
      try {
        member.endOffsets(partitions, Duration.ofSeconds(10)).forEach((tp, end) -> targets.put(tp.partition(), end));
      } catch (RuntimeException e) {
        if (e instanceof WakeupException w) {
          throw w;
        }
        // Without the end offsets, the reader's end offsets at the next look are as good a bound.
        LOG.warn("end offsets of assigned partitions {} of {}: {}", numbers, settings.topic(), e.toString());
        tasks.add(() -> retryTargets(numbers));
        return;
      }
      LOG.info("assigned partitions {} of {}; reading them up to {}", numbers, settings.topic(), targets);
      context.runOnContext(v -> {
        assignedPending.addAll(numbers);
        whenApplied(targets, promiseThen(() -> becomeOwner(numbers)));
      });
    }
  };

  private void retryTargets(Set<Integer> numbers) {
    Map<Integer, Long> targets = new HashMap<>();
    List<TopicPartition> tps = numbers.stream().map(p -> new TopicPartition(settings.topic(), p)).toList();
    try {
      reader.endOffsets(tps, Duration.ofSeconds(10)).forEach((tp, end) -> targets.put(tp.partition(), end));
    } catch (RuntimeException e) {
      if (e instanceof WakeupException w) {
        throw w;
      }
      tasks.add(() -> retryTargets(numbers));
      return;
    }
    context.runOnContext(v -> {
      assignedPending.addAll(numbers);
      whenApplied(targets, promiseThen(() -> becomeOwner(numbers)));
    });
  }

  private void drop(Collection<TopicPartition> partitions, String how) {
    if (partitions.isEmpty()) {
      return;
    }
    Set<Integer> numbers = numbers(partitions);
    owned.removeAll(numbers); // at once, on this thread: before the partitions can go to anyone else
    LOG.info("partitions {} of {} {}", numbers, settings.topic(), how);
    context.runOnContext(v -> {
      assignedPending.removeAll(numbers);
      listener.revoked(numbers);
    });
  }

  private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
    Set<Integer> numbers = new TreeSet<>();
    partitions.forEach(tp -> numbers.add(tp.partition()));
    return numbers;
  }

  // ---- context ----------------------------------------------------------------------------------

  private void becomeOwner(Set<Integer> numbers) {
    Set<Integer> still = new TreeSet<>(numbers);
    still.retainAll(assignedPending); // revoked while catching up: not ours any more
    assignedPending.removeAll(still);
    if (still.isEmpty()) {
      return;
    }
    owned.addAll(still);
    listener.assigned(still);
  }

  private void deliver(List<ConsumerRecord<String, byte[]>> batch, Map<Integer, Long> positions) {
    if (!batch.isEmpty()) {
      try {
        listener.records(batch);
      } catch (RuntimeException e) {
        LOG.error("the listener of {} failed on a batch of {} records", settings.topic(), batch.size(), e);
      }
    }
    positions.forEach((p, next) -> applied.merge(p, next, Math::max));
    if (!waiters.isEmpty()) {
      List<Waiter> due = new ArrayList<>();
      // Waiters that timed out meanwhile go too.
      waiters.removeIf(w -> (w.then().future().isComplete() || reached(w.targets())) && due.add(w));
      due.forEach(w -> w.then().tryComplete());
    }
  }

  private void whenApplied(Map<Integer, Long> targets, Promise<Void> then) {
    if (reached(targets)) {
      then.tryComplete();
    } else {
      waiters.add(new Waiter(targets, then));
    }
  }

  private static Promise<Void> promiseThen(Runnable action) {
    Promise<Void> promise = Promise.promise();
    promise.future().onSuccess(v -> action.run());
    return promise;
  }

  private boolean reached(Map<Integer, Long> targets) {
    for (Map.Entry<Integer, Long> e : targets.entrySet()) {
      if (applied.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
