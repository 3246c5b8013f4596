package dev.stevedore.audit.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.stevedore.common.ops.ServiceMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Ingest figures on /metrics: events by result, batch store time, consumer lag, paused flag. */
public final class IngestMetrics {
  final Counter stored;
  final Counter duplicates;
  final Counter conflicts;
  final Counter deadLettered;
  final Counter storeFailures;
  final Timer batchTime;
  final AtomicLong lag = new AtomicLong();
  final AtomicLong paused = new AtomicLong();

  public IngestMetrics(MeterRegistry registry) {
    stored = Counter.builder("stevedore_audit_ingest_events").tag("result", "stored")
        .description("events read from Kafka, by result").register(registry);
    duplicates = Counter.builder("stevedore_audit_ingest_events").tag("result", "duplicate")
        .description("events read from Kafka, by result").register(registry);
    conflicts = Counter.builder("stevedore_audit_ingest_events").tag("result", "conflict")
        .description("events read from Kafka, by result").register(registry);
    deadLettered = Counter.builder("stevedore_audit_ingest_events").tag("result", "dead-lettered")
        .description("events read from Kafka, by result").register(registry);
    storeFailures = Counter.builder("stevedore_audit_ingest_store_failures")
        .description("batches the database did not take").register(registry);
    batchTime = ServiceMetrics.latency("stevedore_audit_ingest_batch", Duration.ofMillis(1), Duration.ofSeconds(60))
        .description("time to store one batch").register(registry);
    Gauge.builder("stevedore_audit_ingest_lag", lag, AtomicLong::get)
        .description("events on the events topic not yet stored").register(registry);
    Gauge.builder("stevedore_audit_ingest_paused", paused, AtomicLong::get)
        .description("1 while ingest is paused (the database breaker is open)").register(registry);
  }

  public long storedCount() {
    return (long) stored.count();
  }
}
