package dev.stevedore.fleet.bench;

import dev.stevedore.common.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The broker's idle cost of the subscription models an agent could use, with N bare consumers on the
 * requests topic (one thread each, nothing else): {@code subscribe()} in an own group per host with
 * static membership (the agent today; heartbeats every {@code heartbeat.interval.ms}), and
 * {@code assign()} with offsets committed to the same group without joining it (no heartbeats, no
 * joins), each at several {@code fetch.max.wait.ms}. Prints one IDLEOPT line per option.
 */
final class IdleMatrix {
  private IdleMatrix() {}

  record Option(String name, boolean assign, int fetchMaxWaitMs) {}

  static final List<Option> OPTIONS = List.of(
      new Option("subscribe+static", false, 500), new Option("subscribe+static", false, 5000),
      new Option("assign", true, 500), new Option("assign", true, 5000), new Option("subscribe+static", false, 100));

  static void run(String bootstrap, long brokerPid, int n, int idleSeconds) throws Exception {
    for (Option o : OPTIONS) {
      String run = UUID.randomUUID().toString().substring(0, 8);
      List<KafkaConsumer<String, byte[]>> consumers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      AtomicBoolean on = new AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
      CountDownLatch ready = new CountDownLatch(n);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Properties p = FleetBench.props(bootstrap, "idle-" + run + "-" + i, o.fetchMaxWaitMs());
        if (!o.assign()) {
          p.put("group.instance.id", "idle-" + run + "-" + i);
        }
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumers.add(c);
        Thread t = new Thread(() -> {
          try {
            if (o.assign()) {
              List<TopicPartition> parts = c.partitionsFor(Topics.REQUESTS).stream()
                  .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
              c.assign(parts);
              parts.forEach(c::position);
              ready.countDown();
            } else {
              c.subscribe(List.of(Topics.REQUESTS), FleetBench.assigned(c, ready));
            }
            while (on.get()) {
              c.poll(Duration.ofMillis(1000));
            }
          } catch (WakeupException e) {
            // stopping
          } catch (RuntimeException e) {
            // a starved machine: the join or the position lookup timed out; counted, not hidden
            failed.incrementAndGet();
          } finally {
            c.close(Duration.ofSeconds(5));
          }
        }, "idle-" + i);
        threads.add(t);
        t.start();
      }
      if (!ready.await(180, TimeUnit.SECONDS)) {
        System.out.println("  NOTE idle matrix " + o + ": not every consumer was ready within 180 s");
      }
      double joined = (System.nanoTime() - t0) / 1e6;
      double[] idle = FleetBench.idleCpu(brokerPid, idleSeconds);
      double broker = idle[0];
      double jvm = idle[1];
      System.out.printf(Locale.ROOT, "IDLEOPT n=%d %s fetch.max.wait.ms %d | ready in %.0f ms, %d of %d consumers failed | idle "
          + "over %d s: broker %.1f %%, consumers' JVM %.1f %% of one core | load %s%n", n, o.name(), o.fetchMaxWaitMs(), joined,
          failed.get(), n, idleSeconds, broker, jvm, ProcCpu.loadAverage());
      on.set(false);
      consumers.forEach(KafkaConsumer::wakeup);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }
}
