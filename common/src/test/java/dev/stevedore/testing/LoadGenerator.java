package dev.stevedore.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * A steady request rate on one URL over keep-alive connections, or one new connection per request
 * (its own Vert.x): every answer's status and body is counted, every connection error kept (the
 * first few with their message).
 *
 * <p>Timeouts are generous (connect 10 s, answer 30 s): the machines that run the tests are loaded
 * (two cores shared by several JVMs), and a stalled scheduler is not the failure these tests look
 * for; a refused or reset connection, or a wrong answer, still counts at once.
 */
public final class LoadGenerator implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client;
  private final long timer;
  public final AtomicLong sent = new AtomicLong();
  public final AtomicLong answered = new AtomicLong();
  public final AtomicLong errors = new AtomicLong();
  public final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
  public final Map<String, AtomicLong> bodies = new ConcurrentHashMap<>();
  /** Requests the rate asked for but not sent because {@code maxInFlight} were still unanswered. */
  public final AtomicLong skipped = new AtomicLong();
  /** Errors by kind (exception class and message with its numbers blanked). */
  public final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();
  private final AtomicLong scheduled = new AtomicLong();
  private final List<String> firstErrors = new ArrayList<>();
  private final long started = System.nanoTime();
  /** When failures happened (ms since the start) and what they were: the first 200. */
  private final List<String> failureTimes = new ArrayList<>();
  private final long[] latencyMicros = new long[2_000_000];
  private final AtomicLong latencies = new AtomicLong();

  static final int CONNECT_TIMEOUT_MS = 10_000;
  static final int ANSWER_TIMEOUT_MS = 30_000;

  private LoadGenerator(int port, String path, int perSecond, int connections, boolean keepAlive, int maxInFlight) {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(keepAlive).setConnectTimeout(CONNECT_TIMEOUT_MS)
        .setIdleTimeout(30).setIdleTimeoutUnit(TimeUnit.SECONDS), new PoolOptions().setHttp1MaxSize(connections));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI(path).setTimeout(ANSWER_TIMEOUT_MS);
    long periodMicros = 1_000_000L / perSecond;
    long start = System.nanoTime();
    // a 1 ms timer sends what the rate asks for so far: steady on average even when a tick is late
    timer = vertx.setPeriodic(1, id -> {
      long due = (System.nanoTime() - start) / 1_000 / periodMicros;
      while (scheduled.get() < due) {
        scheduled.incrementAndGet();
        if (maxInFlight > 0 && sent.get() - answered.get() >= maxInFlight) {
          skipped.incrementAndGet();
          continue;
        }
        sent.incrementAndGet();
        long t0 = System.nanoTime();
        client.request(options).compose(req -> req.send().compose(resp -> resp.body().map(b -> {
              statuses.computeIfAbsent(resp.statusCode(), s -> new AtomicLong()).incrementAndGet();
              if (resp.statusCode() != 200) {
                failure(t0, "HTTP " + resp.statusCode() + " " + b.toString().strip());
              }
              bodies.computeIfAbsent(b.toString().strip(), s -> new AtomicLong()).incrementAndGet();
              return b;
            })))
            .onSuccess(b -> record(t0))
            .onFailure(e -> {
              errors.incrementAndGet();
              errorKinds.computeIfAbsent(e.getClass().getSimpleName() + ": "
                  + String.valueOf(e.getMessage()).replaceAll("[0-9]+", "#"), k -> new AtomicLong()).incrementAndGet();
              failure(t0, e.getMessage());
              synchronized (firstErrors) {
                if (firstErrors.size() < 10) {
                  firstErrors.add(e.toString());
                }
              }
              answered.incrementAndGet();
            });
      }
    });
  }

  private void failure(long t0, String what) {
    synchronized (failureTimes) {
      if (failureTimes.size() < 200) {
        failureTimes.add(((t0 - started) / 1_000_000) + "+" + ((System.nanoTime() - t0) / 1_000_000) + "ms " + what);
      }
    }
  }

  /** Milliseconds since the generator started (to line failures up with deploy steps). */
  public long elapsedMs() {
    return (System.nanoTime() - started) / 1_000_000;
  }

  public List<String> failureTimes() {
    synchronized (failureTimes) {
      return List.copyOf(failureTimes);
    }
  }

  private void record(long t0) {
    long i = latencies.getAndIncrement();
    if (i < latencyMicros.length) {
      latencyMicros[(int) i] = (System.nanoTime() - t0) / 1_000;
    }
    answered.incrementAndGet();
  }

  /** Open loop: every request the rate asks for is sent, however many are still unanswered. */
  public static LoadGenerator start(int port, String path, int perSecond) {
    return new LoadGenerator(port, path, perSecond, 32, true, 0);
  }

  public static LoadGenerator start(int port, String path, int perSecond, int connections) {
    return new LoadGenerator(port, path, perSecond, connections, true, 0);
  }

  /**
   * The rate, but never more than {@code maxInFlight} unanswered requests: when the machine cannot
   * serve the rate (a starved scheduler), the requests it could not take are {@link #skipped}
   * instead of piling up in the client until they time out. What is sent is checked as strictly.
   */
  public static LoadGenerator bounded(int port, String path, int perSecond, int maxInFlight) {
    return new LoadGenerator(port, path, perSecond, 32, true, maxInFlight);
  }

  /** Every request on a connection of its own ({@code Connection: close}), at most {@code maxInFlight} unanswered. */
  public static LoadGenerator newConnectionEach(int port, String path, int perSecond, int maxInFlight) {
    return new LoadGenerator(port, path, perSecond, 64, false, maxInFlight);
  }

  /** Stops sending and waits for the answers still due. */
  public void stop() {
    vertx.cancelTimer(timer);
    Awaitility.await().atMost(java.time.Duration.ofMillis(CONNECT_TIMEOUT_MS + ANSWER_TIMEOUT_MS + 5_000))
        .until(() -> answered.get() >= sent.get());
  }

  public long notOk() {
    return statuses.entrySet().stream().filter(e -> e.getKey() != 200).mapToLong(e -> e.getValue().get()).sum();
  }

  public Set<String> bodiesSeen() {
    return bodies.keySet();
  }

  public List<String> firstErrors() {
    synchronized (firstErrors) {
      return List.copyOf(firstErrors);
    }
  }

  /** Latency percentile (0-100) in microseconds over the answered requests. */
  public long percentileMicros(double p) {
    int n = (int) Math.min(latencies.get(), latencyMicros.length);
    if (n == 0) {
      return 0;
    }
    long[] copy = java.util.Arrays.copyOf(latencyMicros, n);
    java.util.Arrays.sort(copy);
    return copy[(int) Math.min(n - 1, Math.ceil(p / 100.0 * n) - 1)];
  }

  public String summary() {
    Map<Integer, Long> s = new TreeMap<>();
    statuses.forEach((k, v) -> s.put(k, v.get()));
    Map<String, Long> b = new TreeMap<>();
    bodies.forEach((k, v) -> b.put(k, v.get()));
    Map<String, Long> k = new TreeMap<>();
    errorKinds.forEach((key, v) -> k.put(key, v.get()));
    return "sent " + sent.get() + " (skipped " + skipped.get() + "), answered " + answered.get() + ", statuses " + s
        + ", bodies " + b + ", errors " + errors.get() + " " + k + ", p50 " + percentileMicros(50) + " us, p99 " + percentileMicros(99) + " us";
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
