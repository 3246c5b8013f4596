package dev.stevedore.trigger.bench;

import dev.stevedore.trigger.hooks.Hmac;
import dev.stevedore.trigger.it.TestKafka;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Issue #12's load test (a benchmark, not a unit test): a trigger (its shaded jar, a child JVM) and a
 * broker; {@code /hooks/github} flooded with unsigned requests from 127.0.0.2 at a fixed rate while
 * "GitHub" sends one signed push a second from 127.0.0.1 on a fresh connection. Passes when every
 * signed delivery got 202 within 1 s (exit 0), else exit 1. Bounded: it stops by itself after
 * {@code --seconds}. Loopback only.
 *
 * <p>Usage: FloodBench --jar trigger-all.jar [--seconds 30] [--rate 2000] [--connections 64] [--warmup 0]
 * ({@code --warmup N}: N seconds of signed deliveries at 100/s before the flood, not counted: the
 * JIT of a freshly started trigger, which alone costs the first seconds up to ~1.5 s here)
 */
public final class FloodBench {
  public static void main(String[] args) throws Exception {
    String jar = null;
    int seconds = 30;
    int rate = 2000;
    int connections = 64;
    int warmup = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = args[++i];
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (jar == null || !new File(jar).isFile()) {
      throw new IllegalArgumentException("--jar must name the trigger's shaded jar");
    }
    KafkaContainer kafka = TestKafka.newContainer();
    kafka.start();
    Path dir = Files.createTempDirectory("trigger-flood");
    int port;
    int opsPort;
    try (ServerSocket s = new ServerSocket(0); ServerSocket o = new ServerSocket(0)) {
      port = s.getLocalPort();
      opsPort = o.getLocalPort();
    }
    Path config = dir.resolve("trigger.yml");
    // The production defaults of the limits (rate per source, failed attempts per address).
    Files.writeString(config, String.join("\n",
        "kafka:", "  bootstrapServers: " + kafka.getBootstrapServers(),
        "http:", "  host: 127.0.0.1", "  port: " + port, "  opsPort: " + opsPort,
        "signing:", "  generateEphemeralKey: true",
        "schedules:", "  dataDir: " + dir.resolve("data"),
        "github:", "  secret: " + WebhookBench.SECRET,
        "repositories:", "  - name: acme/web", "    services: [web]", ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process trigger = new ProcessBuilder(java, "-Xmx512m", "-jar", jar, "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("trigger.log").toFile()).start();
    Vertx vertx = Vertx.vertx();
    int failures = 0;
    try {
      WebhookBench.waitReady(opsPort);
      HttpClient flood = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setLocalAddress("127.0.0.2").setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections)
          .setMaxWaitQueueSize(connections * 4));
      // Like GitHub: a new connection per delivery.
      HttpClient github = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setLocalAddress("127.0.0.1").setKeepAlive(false));
      if (warmup > 0) {
        warm(vertx, github, warmup);
      }
      byte[] unsignedBody = ("{\"ref\":\"refs/heads/main\",\"after\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\","
          + "\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"attacker\"}}").getBytes(StandardCharsets.UTF_8);
      String wrongSignature = Hmac.header("not-the-secret-of-this-hook", unsignedBody);

      Map<Integer, AtomicLong> floodStatus = new ConcurrentHashMap<>();
      AtomicLong floodSent = new AtomicLong();
      AtomicLong floodErrors = new AtomicLong();
      AtomicLong floodSkipped = new AtomicLong();
      AtomicLong inflight = new AtomicLong();
      List<long[]> signed = Collections.synchronizedList(new ArrayList<>()); // {millis, status, n, second sent}
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      int perTick = Math.max(1, rate / 100);
      long maxInflight = connections * 4L;
      // The flood: every 10 ms, rate/100 requests (skipped, and counted, when the client is saturated).
      long floodTimer = vertx.setPeriodic(10, id -> {
        if (System.nanoTime() >= end) {
          vertx.cancelTimer(id);
          return;
        }
        for (int i = 0; i < perTick; i++) {
          if (inflight.get() >= maxInflight) {
            floodSkipped.incrementAndGet();
            continue;
          }
          inflight.incrementAndGet();
          floodSent.incrementAndGet();
          flood.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/hooks/github")
                  .putHeader("content-type", "application/json").putHeader("X-GitHub-Event", "push")
                  .putHeader("X-GitHub-Delivery", "flood-" + floodSent.get())
                  .putHeader("X-Hub-Signature-256", wrongSignature))
              .compose(req -> req.send(Buffer.buffer(unsignedBody)))
              .compose(resp -> resp.body().map(b -> resp.statusCode()))
              .onComplete(ar -> {
                inflight.decrementAndGet();
                if (ar.succeeded()) {
                  floodStatus.computeIfAbsent(ar.result(), k -> new AtomicLong()).incrementAndGet();
                } else {
                  floodErrors.incrementAndGet();
                }
              });
        }
      });
      // The real deliveries: one a second, each its own signed body.
      final int deliveries = seconds;
      CountDownLatch done = new CountDownLatch(deliveries);
      AtomicLong seq = new AtomicLong();
      vertx.setPeriodic(500, 1000, id -> {
        if (seq.get() >= deliveries) {
          vertx.cancelTimer(id);
          return;
        }
        long n = seq.incrementAndGet();
        byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + String.format(Locale.ROOT, "%040x", n)
            + "\",\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"github\"},\"seq\":" + n + "}")
            .getBytes(StandardCharsets.UTF_8);
        long sent = System.nanoTime();
        github.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/hooks/github")
                .putHeader("content-type", "application/json").putHeader("X-GitHub-Event", "push")
                .putHeader("X-GitHub-Delivery", "real-" + n)
                .putHeader("X-Hub-Signature-256", Hmac.header(WebhookBench.SECRET, body)))
            .compose(req -> req.send(Buffer.buffer(body)))
            .compose(resp -> resp.body().map(b -> resp.statusCode()))
            .onComplete(ar -> {
              signed.add(new long[] {(System.nanoTime() - sent) / 1_000_000, ar.succeeded() ? ar.result() : -1, n,
                  (sent - start) / 1_000_000_000});
              done.countDown();
            });
      });
      done.await(seconds + 30L, TimeUnit.SECONDS);
      vertx.cancelTimer(floodTimer);
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      Thread.sleep(2_000); // let the last flood answers arrive (the flood stopped at the deadline)

      List<Long> latencies = new ArrayList<>();
      int accepted = 0;
      int late = 0;
      for (long[] r : signed) {
        latencies.add(r[0]);
        if (r[1] == 202 && r[0] <= 1000) {
          accepted++;
        } else {
          late++;
        }
      }
      Collections.sort(latencies);
      failures = late + (seconds - signed.size());
      long answered = floodStatus.values().stream().mapToLong(AtomicLong::get).sum();
      System.out.printf(Locale.ROOT, "flood: %d unsigned requests sent in %.1f s (%.0f/s offered, target %d/s), "
              + "%d answered (%.0f/s), by status %s, %d client errors, %d not sent (client saturated)%n",
          floodSent.get(), seconds * 1.0, floodSent.get() / (double) seconds, rate, answered,
          answered / (double) seconds, new java.util.TreeMap<>(toLongs(floodStatus)), floodErrors.get(),
          floodSkipped.get());
      System.out.printf(Locale.ROOT, "signed deliveries: %d sent, %d got 202 within 1 s, %d late or refused; "
              + "latency ms min %d, p50 %d, max %d (run %d ms)%n", signed.size(), accepted, late,
          latencies.isEmpty() ? -1 : latencies.get(0), latencies.isEmpty() ? -1 : latencies.get(latencies.size() / 2),
          latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1), elapsedMs);
      synchronized (signed) {
        for (long[] r : signed) {
          if (r[1] != 202 || r[0] > 1000) {
            System.out.printf(Locale.ROOT, "  signed delivery %d (sent at second %d of the flood): status %d after %d ms%n",
                r[2], r[3], r[1], r[0]);
          }
        }
      }
      System.out.println(failures == 0 ? "PASS: every signed delivery got 202 within 1 s"
          : "FAIL: " + failures + " signed deliveries did not get 202 within 1 s");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      trigger.destroy();
      trigger.waitFor(20, TimeUnit.SECONDS);
      trigger.destroyForcibly();
      kafka.stop();
    }
    System.exit(failures == 0 ? 0 : 1);
  }

  /** Signed deliveries at 100/s for {@code seconds} (distinct bodies, so each is published), answers ignored. */
  private static void warm(Vertx vertx, HttpClient github, int seconds) throws InterruptedException {
    System.out.printf(Locale.ROOT, "warm-up: %d s of signed deliveries at 100/s (not counted)%n", seconds);
    AtomicLong n = new AtomicLong(1_000_000);
    long id = vertx.setPeriodic(10, t -> {
      long k = n.incrementAndGet();
      byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + String.format(Locale.ROOT, "%040x", k)
          + "\",\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"warm-up\"}}")
          .getBytes(StandardCharsets.UTF_8);
      github.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/hooks/github")
              .putHeader("content-type", "application/json").putHeader("X-GitHub-Event", "push")
              .putHeader("X-GitHub-Delivery", "warm-" + k)
              .putHeader("X-Hub-Signature-256", Hmac.header(WebhookBench.SECRET, body)))
          .compose(req -> req.send(Buffer.buffer(body))).compose(resp -> resp.body());
    });
    Thread.sleep(seconds * 1000L);
    vertx.cancelTimer(id);
    Thread.sleep(2_000);
  }

  private static Map<Integer, Long> toLongs(Map<Integer, AtomicLong> counts) {
    Map<Integer, Long> out = new java.util.HashMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
