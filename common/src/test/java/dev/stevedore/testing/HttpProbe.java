package dev.stevedore.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Polls one URL every {@code interval} on a background thread and records every answer: to
 * assert that a service kept serving during a deployment ("v1 answered throughout, then v2,
 * failures at most N"), or to measure the gap of a switch.
 *
 * <pre>{@code
 * try (HttpProbe probe = HttpProbe.start("http://127.0.0.1:18080/version", Duration.ofMillis(20))) {
 *   ... deploy v2 ...
 *   probe.awaitBody("v2", Duration.ofSeconds(30));
 *   assertThat(probe.bodiesSeen()).containsExactly("v1", "v2");
 *   assertThat(probe.failures()).isLessThan(10);
 * }
 * }</pre>
 * A success is an answer with a 2xx status; anything else (another status, refused connection,
 * timeout) is a failure. Bodies are recorded trimmed.
 */
public final class HttpProbe implements AutoCloseable {

  /** One probe: {@code status} is -1 when no HTTP answer came ({@code error} says why). */
  public record Sample(Instant at, int status, String body, String error, Duration latency) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private static final int MAX_SAMPLES = 200_000;

  private final URI url;
  private final Duration interval;
  private final Duration requestTimeout;
  private final HttpClient client;
  private final Thread thread;
  private final List<Sample> samples = new ArrayList<>();
  private volatile boolean running = true;

  private HttpProbe(URI url, Duration interval, Duration requestTimeout) {
    this.url = url;
    this.interval = interval;
    this.requestTimeout = requestTimeout;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(requestTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.thread = new Thread(this::loop, "http-probe " + url);
    this.thread.setDaemon(true);
  }

  /** Starts probing {@code url} every {@code interval}, each request timing out after 1 s. */
  public static HttpProbe start(String url, Duration interval) {
    return start(url, interval, Duration.ofSeconds(1));
  }

  /** Starts probing {@code url} every {@code interval} with the given per-request timeout. */
  public static HttpProbe start(String url, Duration interval, Duration requestTimeout) {
    HttpProbe probe = new HttpProbe(URI.create(url), interval, requestTimeout);
    probe.thread.start();
    return probe;
  }

  private void loop() {
    while (running) {
      long t0 = System.nanoTime();
      Sample sample = probeOnce();
      if (sample == null || !running) {
        return; // stopped while a request was under way: not a failure of the service
      }
      synchronized (samples) {
        if (samples.size() < MAX_SAMPLES) {
          samples.add(sample);
        }
        samples.notifyAll();
      }
      long sleep = interval.toNanos() - (System.nanoTime() - t0);
      if (sleep > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private Sample probeOnce() {
    Instant at = Instant.now();
    long t0 = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(requestTimeout).GET().build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Sample(at, response.statusCode(), response.body().trim(), null, Duration.ofNanos(System.nanoTime() - t0));
    } catch (IOException e) {
      return new Sample(at, -1, null, e.getClass().getSimpleName() + ": " + e.getMessage(),
          Duration.ofNanos(System.nanoTime() - t0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  // ---- results ----------------------------------------------------------------------------------

  /** A copy of all samples so far, oldest first. */
  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  public int total() {
    synchronized (samples) {
      return samples.size();
    }
  }

  public int successes() {
    return (int) samples().stream().filter(Sample::ok).count();
  }

  public int failures() {
    return (int) samples().stream().filter(s -> !s.ok()).count();
  }

  /** Bodies of successful answers and how often each came, in the order first seen. */
  public Map<String, Long> bodyCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Sample s : samples()) {
      if (s.ok()) {
        counts.merge(s.body(), 1L, Long::sum);
      }
    }
    return counts;
  }

  /** Distinct bodies of successful answers in the order first seen (e.g. [v1, v2]). */
  public List<String> bodiesSeen() {
    return List.copyOf(bodyCounts().keySet());
  }

  /**
   * The bodies of successful answers with repeats collapsed, in order: [v1, v2] for a clean
   * switch, [v1, v2, v1] for a rollback.
   */
  public List<String> bodySequence() {
    List<String> sequence = new ArrayList<>();
    for (Sample s : samples()) {
      if (s.ok() && (sequence.isEmpty() || !sequence.get(sequence.size() - 1).equals(s.body()))) {
        sequence.add(s.body());
      }
    }
    return sequence;
  }

  /** The last sample, if any. */
  public Optional<Sample> last() {
    synchronized (samples) {
      return samples.isEmpty() ? Optional.empty() : Optional.of(samples.get(samples.size() - 1));
    }
  }

  /**
   * The longest time without a successful answer: from the first failure of a run of failures
   * to the success after it (or to the last sample when none followed). Zero without failures.
   */
  public Duration longestFailureGap() {
    Duration longest = Duration.ZERO;
    Instant gapStart = null;
    Instant lastAt = null;
    for (Sample s : samples()) {
      lastAt = s.at();
      if (!s.ok() && gapStart == null) {
        gapStart = s.at();
      } else if (s.ok() && gapStart != null) {
        Duration gap = Duration.between(gapStart, s.at());
        longest = gap.compareTo(longest) > 0 ? gap : longest;
        gapStart = null;
      }
    }
    if (gapStart != null) {
      Duration gap = Duration.between(gapStart, lastAt);
      longest = gap.compareTo(longest) > 0 ? gap : longest;
    }
    return longest;
  }

  /** Forgets the samples so far (e.g. after a warm-up). */
  public void reset() {
    synchronized (samples) {
      samples.clear();
    }
  }

  // ---- waiting ----------------------------------------------------------------------------------

  /** Waits until a successful answer with this body arrives (after this call); false on timeout. */
  public boolean awaitBody(String body, Duration timeout) {
    int from = total();
    return awaitSample(from, s -> s.ok() && body.equals(s.body()), timeout);
  }

  /** Waits until a successful answer arrives (after this call); false on timeout. */
  public boolean awaitSuccess(Duration timeout) {
    return awaitSample(total(), Sample::ok, timeout);
  }

  /** Waits until at least {@code count} samples were taken in all; false on timeout. */
  public boolean awaitSamples(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (samples) {
      while (samples.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !running) {
          return false;
        }
        waitOn(left);
      }
      return true;
    }
  }

  private boolean awaitSample(int from, java.util.function.Predicate<Sample> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int next = from;
    synchronized (samples) {
      while (true) {
        for (; next < samples.size(); next++) {
          if (match.test(samples.get(next))) {
            return true;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !running) {
          return false;
        }
        waitOn(left);
      }
    }
  }

  private void waitOn(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(samples, Math.max(1, nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One line for assertion messages: counts, bodies, longest gap, last error. */
  public String summary() {
    List<Sample> all = samples();
    String lastError = null;
    for (Sample s : all) {
      if (!s.ok()) {
        lastError = s.error() != null ? s.error() : "HTTP " + s.status();
      }
    }
    return url + ": " + all.size() + " probes, " + successes() + " ok, " + failures() + " failed, bodies "
        + bodyCounts() + ", longest gap " + longestFailureGap().toMillis() + " ms"
        + (lastError != null ? ", last failure: " + lastError : "");
  }

  /** Stops probing (the samples stay readable). */
  public void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return summary();
  }
}
