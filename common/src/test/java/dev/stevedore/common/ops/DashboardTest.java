package dev.stevedore.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/stevedore.json queries only series a service exposes: every metric name in a
 * panel's PromQL is in {@link KnownMetrics}, which each service's scrape test checks against its
 * real {@code /metrics}; and docs/operations.md names only such series.
 */
class DashboardTest {
  static final Path ROOT = Path.of("..");
  /** A metric name in PromQL: a Stevedore, JVM, process, system or Resilience4j series. */
  static final Pattern METRIC = Pattern.compile("\\b((?:stevedore|jvm|process|system|resilience4j)_[a-z0-9_]+)\\b");

  static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static List<String> expressions(JsonNode dashboard) {
    List<String> exprs = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
    dashboard.findValues("query").forEach(q -> {
      if (q.isTextual()) {
        exprs.add(q.asText());
      }
    });
    return exprs;
  }

  @Test
  void everyMetricTheDashboardQueriesIsOneAServiceExposes() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(ROOT.resolve("deploy/grafana/stevedore.json")));
    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(10);
    Set<String> queried = new TreeSet<>();
    expressions(dashboard).forEach(e -> queried.addAll(metricNames(e)));
    assertThat(queried).as("metric names in the dashboard").hasSizeGreaterThan(25);
    assertThat(KnownMetrics.all()).as("series the services' scrape tests find").containsAll(queried);
    // every service has at least one panel of its own
    assertThat(queried).anyMatch(n -> n.startsWith("stevedore_trigger_")).anyMatch(n -> n.startsWith("stevedore_agent_"))
        .anyMatch(n -> n.startsWith("stevedore_audit_")).anyMatch(n -> n.startsWith("stevedore_proxy_"))
        .contains("stevedore_build_info", "resilience4j_circuitbreaker_state", "jvm_memory_used_bytes");
  }

  @Test
  void theCheckCatchesANameNoServiceExposes() {
    Set<String> names = metricNames("rate(stevedore_trigger_requests_totl[5m]) + jvm_memory_used_bytes");
    assertThat(names).containsExactly("jvm_memory_used_bytes", "stevedore_trigger_requests_totl");
    assertThat(KnownMetrics.all()).doesNotContain("stevedore_trigger_requests_totl");
  }

  @Test
  void everyMetricNamedInTheOperationsGuideIsOneAServiceExposes() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/operations.md"));
    String monitoring = doc.substring(doc.indexOf("## Monitoring"), doc.indexOf("\n## ", doc.indexOf("## Monitoring") + 3));
    Set<String> named = metricNames(monitoring);
    assertThat(named).as("series named in the Monitoring section").hasSizeGreaterThan(30);
    // families are documented by their base name: a histogram's _seconds is its _bucket/_count/_sum
    Set<String> exposed = new TreeSet<>();
    KnownMetrics.all().forEach(n -> {
      exposed.add(n);
      exposed.add(n.replaceFirst("_(bucket|count|sum)$", ""));
    });
    exposed.addAll(KnownMetrics.afterActivity());
    // the rename is documented: the old name may be mentioned, as the one it replaced
    named.remove("stevedore_trigger_circuit_state");
    named.remove("system_cpu_count");
    named.remove("process_cpu_time_ns_total");
    assertThat(exposed).as("series named in docs/operations.md").containsAll(named);
  }
}
