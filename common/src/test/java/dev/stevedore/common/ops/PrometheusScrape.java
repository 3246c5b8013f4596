package dev.stevedore.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Checks a real {@code /metrics} answer: {@code promtool check metrics} (Debian's prometheus
 * package, installed by scripts/install-deps.sh) must accept it, and it must carry the series
 * {@link KnownMetrics} lists for the service.
 */
public final class PrometheusScrape {
  private PrometheusScrape() {}

  /** Runs {@code promtool check metrics} on {@code text}; returns its exit code and output. */
  public static Result promtool(String text) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("promtool is not installed (apt-get install prometheus; see scripts/install-deps.sh)", e);
    }
    try (OutputStream in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool did not finish in 30 s");
    }
    return new Result(p.exitValue(), out);
  }

  public record Result(int exitCode, String output) {}

  /** promtool accepts {@code text} without a single lint complaint. */
  public static void assertPromtoolPasses(String text) throws IOException, InterruptedException {
    Result r = promtool(text);
    assertThat(r.output()).as("promtool check metrics output").isEmpty();
    assertThat(r.exitCode()).as("promtool check metrics: " + r.output()).isZero();
  }

  /** The sample names (without labels) in a Prometheus text exposition. */
  public static Set<String> sampleNames(String text) {
    Set<String> names = new TreeSet<>();
    text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
      int end = 0;
      while (end < l.length() && l.charAt(end) != '{' && l.charAt(end) != ' ') {
        end++;
      }
      names.add(l.substring(0, end));
    });
    return names;
  }

  /**
   * Asks for a garbage collection, then scrapes until the GC pause series shows (Micrometer
   * registers it at the first collection it is told of).
   */
  public static String afterGc(java.util.concurrent.Callable<String> scrape) {
    System.gc();
    String[] last = {""};
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
      last[0] = scrape.call();
      return last[0].contains("jvm_gc_pause_seconds_count");
    });
    return last[0];
  }

  /** promtool passes and every series {@link KnownMetrics} lists for {@code service} is there. */
  public static void assertServiceScrape(String service, String text) throws IOException, InterruptedException {
    assertPromtoolPasses(text);
    assertThat(sampleNames(text)).as("series on %s's /metrics", service).containsAll(KnownMetrics.of(service));
    assertThat(text).containsPattern("stevedore_build_info\\{service=\"" + service + "\",version=\"[^\"]+\"} 1(\\.0)?\n");
  }
}
