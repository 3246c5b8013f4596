package dev.stevedore.audit.bench;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.audit.Events;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.audit.testing.Postgres;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * End-to-end ingest benchmark (run by bench/audit/run-e2e.sh): N events already on the topics,
 * then the service starts and consumes them; prints events/s from the first stored batch to the
 * last, for SQLite and PostgreSQL. Arguments: events (default 200000), batch (default 2000).
 */
public final class IngestThroughputBench {
  private IngestThroughputBench() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    try (KafkaTestSupport kafka = KafkaTestSupport.start()) {
      kafka.createTopics(List.of(new NewTopic(Topics.REQUESTS, 3, (short) 1), new NewTopic(Topics.EVENTS, 3, (short) 1),
          new NewTopic(Topics.HEARTBEATS, 1, (short) 1), new NewTopic(Topics.DEAD_LETTERS, 1, (short) 1)));
      long produced = produce(kafka, events);
      System.out.printf("BENCH produced %,d events on the topics%n", produced);
      Path dir = Files.createTempDirectory("audit-e2e");
      try {
        run("sqlite", kafka, new AuditConfig.Database(null, dir.resolve("audit.db").toString(), null, null, 4, 0, 0),
            produced, batch);
        AuditConfig.Database pg = Postgres.freshSchema();
        try {
          run("postgres", kafka, pg, produced, batch);
        } finally {
          Postgres.dropSchema(pg);
        }
      } finally {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
  }

  private static long produce(KafkaTestSupport kafka, int events) throws Exception {
    Map<String, String> config = kafka.producerConfig();
    config.put("linger.ms", "10");
    config.put("batch.size", "262144");
    long n = 0;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(new java.util.HashMap<String, Object>(config))) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      Instant at = Instant.parse("2026-01-01T00:00:00Z");
      for (int d = 0; n < events; d++) {
        String id = Events.deploymentId("e2e-" + d);
        List<StevedoreEvent> deployment = Events.successfulDeployment(id, "host-" + (d % 50), "svc-" + (d % 20),
            d % 2 == 0 ? "prod" : "staging", "v" + d, at.plusSeconds(d * 60L));
        for (StevedoreEvent e : deployment) {
          String json = new String(Events.CODEC.encode(e), StandardCharsets.UTF_8);
          String topic = e instanceof dev.stevedore.common.event.DeployRequested ? Topics.REQUESTS : Topics.EVENTS;
          sends.add(producer.send(new ProducerRecord<>(topic, id, json)));
          n++;
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : sends) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    return n;
  }

  private static void run(String name, KafkaTestSupport kafka, AuditConfig.Database database, long expected, int batch)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    AuditConfig config = AuditHarness.config(kafka, database, "bench-" + UUID.randomUUID(), batch);
    long start = System.nanoTime();
    AuditService.RunningAudit running = AuditHarness.start(vertx, config);
    try {
      long first = 0;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
      while (running.ingestMetrics().storedCount() < expected) {
        if (first == 0 && running.ingestMetrics().storedCount() > 0) {
          first = System.nanoTime();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("stored only " + running.ingestMetrics().storedCount() + " of " + expected);
        }
        Thread.sleep(20);
      }
      long end = System.nanoTime();
      long stored = running.ingestMetrics().storedCount();
      System.out.printf("BENCH e2e %s: %,d events consumed and stored, %.1f s from the first stored batch to the last: "
          + "%,.0f events/s (%.1f s including start-up and group join: %,.0f events/s)%n", name, stored,
          (end - first) / 1e9, stored / ((end - first) / 1e9), (end - start) / 1e9, stored / ((end - start) / 1e9));
      if (stored != expected) {
        throw new IllegalStateException("stored " + stored + " events, expected " + expected);
      }
    } finally {
      AuditHarness.stop(running);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
