package dev.stevedore.trigger.bench;

import dev.stevedore.trigger.hooks.Hmac;
import dev.stevedore.trigger.it.TestKafka;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Signed GitHub push webhooks against the trigger service running as its own process (the shaded
 * jar), Kafka in a container, all on loopback. Prints:
 * <ul>
 *   <li>throughput: closed loop, N requests in flight, 202s per second (each 202 = one signed
 *       request acknowledged by Kafka with acks=all);</li>
 *   <li>latency at fixed rates: open loop (requests are sent on schedule whatever the answers), from
 *       the scheduled send time to the 202, i.e. request to Kafka acknowledgement, p50/p99/max.</li>
 * </ul>
 * Usage: WebhookBench --jar trigger-all.jar [--seconds 10] [--concurrency 128] [--rates 500,1000,2000]
 * [--instances 1] [--warmup 20]
 */
public final class WebhookBench {
  static final String SECRET = "bench-github-secret";
  static final long REQUEST_IDLE_TIMEOUT_MS = 30_000;

  public static void main(String[] args) throws Exception {
    String jar = null;
    int seconds = 10;
    int concurrency = 128;
    int instances = 1;
    int warmup = 20;
    String rates = "500,1000,2000";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = args[++i];
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
        case "--rates" -> rates = args[++i];
        case "--instances" -> instances = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (jar == null || !new File(jar).isFile()) {
      throw new IllegalArgumentException("--jar must name the trigger's shaded jar");
    }
    KafkaContainer kafka = TestKafka.newContainer();
    kafka.start();
    Path dir = Files.createTempDirectory("trigger-bench");
    int port;
    int opsPort;
    try (ServerSocket s = new ServerSocket(0); ServerSocket o = new ServerSocket(0)) {
      port = s.getLocalPort();
      opsPort = o.getLocalPort();
    }
    Path config = dir.resolve("trigger.yml");
    Files.writeString(config, String.join("\n",
        "kafka:",
        "  bootstrapServers: " + kafka.getBootstrapServers(),
        "http:",
        "  host: 127.0.0.1",
        "  port: " + port,
        "  instances: " + instances,
        "  opsPort: " + opsPort,
        "signing:",
        "  generateEphemeralKey: true",
        "schedules:",
        "  dataDir: " + dir.resolve("data"),
        "github:",
        "  secret: " + SECRET,
        "repositories:",
        "  - name: acme/web",
        "    services: [web]",
        "limits:",
        "  ratePerSecond: 10000000",
        "  recentDeployments: 2000000",
        ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
    String extra = System.getenv("TRIGGER_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(Arrays.asList(extra.trim().split("\\s+")));
    }
    command.addAll(List.of("-jar", jar, "--config", config.toString()));
    Process trigger = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(dir.resolve("trigger.log").toFile()).start();
    Vertx vertx = Vertx.vertx();
    try {
      waitReady(opsPort);
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
      byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\","
          + "\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"bench\"}}").getBytes(StandardCharsets.UTF_8);
      Buffer payload = Buffer.buffer(body);
      String signature = Hmac.header(SECRET, body);

      System.out.printf(Locale.ROOT, "trigger-service webhook benchmark: %d s per phase, loopback, Kafka %s, "
          + "%d HTTP instance(s); load average before: %s%n", seconds,
          System.getProperty("stevedore.kafka.image", "stevedore/kafka:4.1.1"), instances, loadAverage());
      // Warm-up of both JVMs (trigger and broker JIT, connections, producer metadata): not reported.
      Result w = openLoop(vertx, client, payload, signature, 1000, warmup);
      System.out.printf(Locale.ROOT, "warm-up     %d s at 1000/s: accepted=%d failed=%d p50=%.2f ms (not a result)%n",
          warmup, w.ok, w.failed, w.percentile(50));
      for (String r : rates.split(",")) {
        int rate = Integer.parseInt(r.trim());
        Result o = openLoop(vertx, client, payload, signature, rate, seconds);
        System.out.printf(Locale.ROOT, "fixed rate  %5d/s  sent=%d accepted=%d failed=%d  request->Kafka ack "
            + "p50=%.2f ms p99=%.2f ms max=%.2f ms%n", rate, o.sent, o.ok, o.failed, o.percentile(50),
            o.percentile(99), o.percentile(100));
      }
      Result t = closedLoop(vertx, client, payload, signature, concurrency, seconds);
      System.out.printf(Locale.ROOT, "throughput  concurrency=%d  accepted=%d  failed=%d  %.0f signed webhooks/s  "
          + "latency p50=%.2f ms p99=%.2f ms%n", concurrency, t.ok, t.failed, t.ok / (double) seconds,
          t.percentile(50), t.percentile(99));
      System.out.println("load average after: " + loadAverage());
      System.out.println("server-side publish histogram (sign -> ack), from /metrics:");
      metrics(opsPort).lines().filter(l -> l.startsWith("stevedore_trigger_publish_seconds_count")
              || l.startsWith("stevedore_trigger_publish_seconds_sum") || l.startsWith("stevedore_trigger_requests_total"))
          .forEach(l -> System.out.println("  " + l));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      trigger.destroy();
      trigger.waitFor(20, TimeUnit.SECONDS);
      trigger.destroyForcibly();
      kafka.stop();
    }
  }

  /** Latencies in nanoseconds of one phase, and the counts. */
  static final class Result {
    final List<long[]> chunks = new ArrayList<>();
    long[] current = new long[1 << 16];
    int size;
    long sent;
    long ok;
    long failed;

    synchronized void record(long nanos, boolean accepted) {
      if (accepted) {
        ok++;
        if (size == current.length) {
          chunks.add(current);
          current = new long[1 << 16];
          size = 0;
        }
        current[size++] = nanos;
      } else {
        failed++;
      }
    }

    synchronized double percentile(double p) {
      int total = chunks.size() * (1 << 16) + size;
      if (total == 0) {
        return Double.NaN;
      }
      long[] all = new long[total];
      int at = 0;
      for (long[] c : chunks) {
        System.arraycopy(c, 0, all, at, c.length);
        at += c.length;
      }
      System.arraycopy(current, 0, all, at, size);
      Arrays.sort(all);
      int index = (int) Math.min(total - 1, Math.max(0, Math.ceil(p / 100.0 * total) - 1));
      return all[index] / 1e6;
    }
  }

  private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Sends {@code payload} made unique by a sequence field and signed for itself ({@code signature},
   * the payload's own, is not reused): the deployment id comes from the signed bytes, so resending
   * one body would only measure duplicates.
   */
  static Future<Boolean> send(HttpClient client, Buffer payload, String signature) {
    Buffer body = Buffer.buffer("{\"bench_seq\":" + SEQUENCE.incrementAndGet() + ",")
        .appendBuffer(payload.slice(1, payload.length()));
    signature = Hmac.header(SECRET, body.getBytes());
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/hooks/github")
        .putHeader("content-type", "application/json")
        .putHeader("X-GitHub-Event", "push")
        .putHeader("X-GitHub-Delivery", UUID.randomUUID().toString())
        .putHeader("X-Hub-Signature-256", signature)
        .setIdleTimeout(REQUEST_IDLE_TIMEOUT_MS); // an answer that never comes is a failure, not a hung phase
    return client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode() == 202))
        .recover(e -> Future.succeededFuture(false));
  }

  static Result closedLoop(Vertx vertx, HttpClient client, Buffer payload, String signature, int concurrency,
      int seconds) throws Exception {
    Result result = new Result();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Promise<Void> done = Promise.promise();
    AtomicLong active = new AtomicLong(concurrency);
    vertx.runOnContext(v -> {
      for (int i = 0; i < concurrency; i++) {
        loop(client, payload, signature, result, end, active, done);
      }
    });
    try {
      done.future().await(seconds + 60L, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.out.println("closed loop: " + active.get() + " request(s) still unanswered a minute after the end");
    }
    return result;
  }

  private static void loop(HttpClient client, Buffer payload, String signature, Result result, long end,
      AtomicLong active, Promise<Void> done) {
    if (System.nanoTime() >= end) {
      if (active.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    long start = System.nanoTime();
    send(client, payload, signature).onComplete(ar -> {
      result.record(System.nanoTime() - start, ar.result());
      loop(client, payload, signature, result, end, active, done);
    });
  }

  static Result openLoop(Vertx vertx, HttpClient client, Buffer payload, String signature, int rate, int seconds)
      throws Exception {
    return openLoop(vertx, client, payload, signature, rate, seconds, Integer.MAX_VALUE);
  }

  /**
   * @param maxInFlight a request due while this many are unanswered is not sent and counts as failed
   *     (a subject that cannot keep up must not drown the load generator in its own queue)
   */
  static Result openLoop(Vertx vertx, HttpClient client, Buffer payload, String signature, int rate, int seconds,
      int maxInFlight) throws Exception {
    Result result = new Result();
    long total = (long) rate * seconds;
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    long begin = System.nanoTime();
    Promise<Void> done = Promise.promise();
    AtomicLong answered = new AtomicLong();
    AtomicLong next = new AtomicLong();
    vertx.runOnContext(v -> vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (next.get() < total && begin + next.get() * intervalNanos <= now) {
        long scheduled = begin + next.getAndIncrement() * intervalNanos;
        if (result.sent - answered.get() >= maxInFlight) {
          result.record(0, false);
          if (answered.incrementAndGet() == total) {
            done.tryComplete();
          }
          continue;
        }
        result.sent++;
        send(client, payload, signature).onComplete(ar -> {
          result.record(System.nanoTime() - scheduled, ar.result());
          if (answered.incrementAndGet() == total) {
            done.tryComplete();
          }
        });
      }
      if (next.get() >= total) {
        vertx.cancelTimer(id);
      }
    }));
    try {
      done.future().await(seconds + 60L, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // a subject that cannot keep up: what has not been answered a minute after the last send counts as failed
      synchronized (result) {
        result.failed += total - answered.get();
      }
    }
    return result;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  static void waitReady(int port) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the trigger did not become ready on port " + port);
  }

  static String metrics(int port) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
