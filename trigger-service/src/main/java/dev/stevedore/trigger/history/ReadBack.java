package dev.stevedore.trigger.history;

import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How far this trigger's history has read the requests topic, and a wait until it has read all
 * the topic holds now: "read your writes" for a publish whose outcome is unknown. A request
 * whose send timed out while a partition leader failed over may be on the topic or not; before a
 * retry of the same delivery publishes it again, the submitter waits here, then asks the history
 * whether it knows the deployment id.
 */
public final class ReadBack {
  private final Map<Integer, Long> next = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final Supplier<Future<Map<Integer, Long>>> endOffsets;
  private final long pollMs;
  /** Records not read yet, as of the last {@link #refreshLag()}; NaN before the first answer. */
  private volatile double lag = Double.NaN;

  /** @param endOffsets the requests topic's end offset per partition, asked anew at every wait */
  public ReadBack(Vertx vertx, Supplier<Future<Map<Integer, Long>>> endOffsets, long pollMs) {
    this.vertx = vertx;
    this.endOffsets = endOffsets;
    this.pollMs = pollMs;
  }

  /**
   * End offsets of the requests topic from an admin client (latest: the high watermark); a
   * partition with nothing left to read (retention removed all its records) counts as 0, since
   * the history will never read a record there.
   */
  public static Supplier<Future<Map<Integer, Long>>> endOffsets(KafkaAdminClient admin) {
    return () -> admin.describeTopics(java.util.List.of(Topics.REQUESTS)).compose(topics -> {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      topics.get(Topics.REQUESTS).getPartitions().forEach(p -> {
        latest.put(new TopicPartition(Topics.REQUESTS, p.getPartition()), OffsetSpec.LATEST);
        earliest.put(new TopicPartition(Topics.REQUESTS, p.getPartition()), OffsetSpec.EARLIEST);
      });
      return admin.listOffsets(earliest).compose(first -> admin.listOffsets(latest).map(last -> {
        Map<Integer, Long> ends = new HashMap<>();
        last.forEach((tp, info) -> {
          var start = first.get(tp);
          ends.put(tp.getPartition(), start != null && start.getOffset() >= info.getOffset() ? 0L : info.getOffset());
        });
        return ends;
      }));
    });
  }

  /** The history read the record at {@code offset} of requests partition {@code partition}. */
  public void read(int partition, long offset) {
    next.merge(partition, offset + 1, Math::max);
  }

  /**
   * Completes once the history has read every partition up to the end offsets the topic has now;
   * fails after {@code timeoutMs} saying how far behind it is.
   */
  public Future<Void> caughtUp(long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Promise<Void> done = Promise.promise();
    endOffsets.get().timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(new IllegalStateException("the end of the requests topic is not known now: " + ar.cause()));
      } else {
        poll(ar.result(), deadline, done);
      }
    });
    return done.future();
  }

  private void poll(Map<Integer, Long> ends, long deadline, Promise<Void> done) {
    Map<Integer, String> behind = behind(ends, next);
    if (behind.isEmpty()) {
      done.complete();
    } else if (System.nanoTime() > deadline) {
      done.fail(new IllegalStateException("the history has not read the requests topic to its end yet "
          + "(partition: read/end) " + behind));
    } else {
      vertx.setTimer(pollMs, t -> poll(ends, deadline, done));
    }
  }

  /**
   * How many records of the requests topic the history has not read yet, as of the last {@link
   * #refreshLag()} (the gauge {@code stevedore_trigger_history_lag}); NaN until the topic's end was
   * first known.
   */
  public double lag() {
    return lag;
  }

  /** Asks the topic's end offsets now and sets {@link #lag()}; a failure leaves the last value. */
  public Future<Long> refreshLag() {
    return endOffsets.get().map(ends -> {
      long behind = behindBy(ends, next);
      lag = behind;
      return behind;
    });
  }

  /** Records between each partition's read position and its end offset, summed. */
  static long behindBy(Map<Integer, Long> ends, Map<Integer, Long> next) {
    long sum = 0;
    for (Map.Entry<Integer, Long> e : ends.entrySet()) {
      sum += Math.max(0, e.getValue() - next.getOrDefault(e.getKey(), 0L));
    }
    return sum;
  }

  /** The partitions whose read position is short of its end offset, as {@code read/end}. */
  static Map<Integer, String> behind(Map<Integer, Long> ends, Map<Integer, Long> next) {
    Map<Integer, String> out = new TreeMap<>();
    ends.forEach((partition, end) -> {
      long read = next.getOrDefault(partition, 0L);
      if (read < end) {
        out.put(partition, read + "/" + end);
      }
    });
    return out;
  }
}
