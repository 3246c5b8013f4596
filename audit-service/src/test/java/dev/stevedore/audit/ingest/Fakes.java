package dev.stevedore.audit.ingest;

import dev.stevedore.audit.Events;
import dev.stevedore.audit.store.StoreResult;
import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.event.StevedoreEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Small fakes for the ingest's parts: a store of event ids, a dead-letter sink, test events. */
final class Fakes {
  private Fakes() {}

  /** The failure a future ends with (within 5 s), or an AssertionError if it succeeds. */
  static Throwable failureOf(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("succeeded, expected a failure");
  }

  static IngestMetrics metrics() {
    return new IngestMetrics(new SimpleMeterRegistry());
  }

  static List<StevedoreEvent> deployments(String prefix, int count) {
    List<StevedoreEvent> events = new ArrayList<>();
    Instant at = Instant.parse("2026-11-29T09:00:00Z");
    for (int i = 0; i < count; i++) {
      events.addAll(Events.successfulDeployment(Events.deploymentId(prefix + "-" + i), "web-1", "svc", "prod",
          "v" + i, at.plusSeconds(i)));
    }
    return events;
  }

  /**
   * Stores event ids, in order, once each; a batch is all or nothing. {@code failure} says what a
   * batch fails with (null: it is stored), as a database would answer at that moment.
   */
  static final class Store implements BatchStore.Writes {
    final Map<String, Integer> stored = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    volatile Function<List<StoredEvent>, SQLException> failure = batch -> null;

    @Override
    public Future<StoreResult> store(List<StoredEvent> events) {
      batchSizes.add(events.size());
      SQLException e = failure.apply(events);
      if (e != null) {
        return Future.failedFuture(e);
      }
      int fresh = 0;
      for (StoredEvent event : events) {
        if (stored.merge(event.event().id(), 1, Integer::sum) == 1) {
          fresh++;
        }
      }
      return Future.succeededFuture(new StoreResult(fresh, events.size() - fresh, stored.size()));
    }

    /** Ids stored more than once (a batch stored twice would show here). */
    List<String> twice() {
      synchronized (stored) {
        return stored.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
      }
    }
  }

  /** Remembers what was dead-lettered. */
  static final class Sink implements DeadLetters.Sink {
    record Letter(String key, byte[] value, String reason, Map<String, String> headers) {}

    final List<Letter> letters = new CopyOnWriteArrayList<>();

    @Override
    public Future<?> send(String key, byte[] value, String reason, Map<String, String> headers) {
      letters.add(new Letter(key, value, reason, headers));
      return Future.succeededFuture();
    }
  }
}
