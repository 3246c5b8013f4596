package dev.stevedore.common.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {
  @Test
  void aServiceRegistryCarriesJvmProcessBuildInfoAndBreakerSeriesThatPromtoolAccepts() throws Exception {
    PrometheusMeterRegistry registry = ServiceMetrics.create("trigger");
    CircuitBreaker kafka = CircuitBreaker.ofDefaults("kafka");
    ServiceMetrics.bindBreakers(registry, List.of(kafka));
    ServiceMetrics.latency("stevedore.test.latency", Duration.ofMillis(1), Duration.ofSeconds(10))
        .description("a test latency").register(registry).record(Duration.ofMillis(12));
    kafka.transitionToOpenState();
    String text = PrometheusScrape.afterGc(registry::scrape);
    PrometheusScrape.assertPromtoolPasses(text);
    assertThat(PrometheusScrape.sampleNames(text)).containsAll(KnownMetrics.jvm()).containsAll(KnownMetrics.breakers());
    assertThat(text).contains("stevedore_build_info{service=\"trigger\",version=\"" + ServiceMetrics.version() + "\"} 1");
    assertThat(ServiceMetrics.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(text).contains("resilience4j_circuitbreaker_state{name=\"kafka\",state=\"open\"} 1.0");
    assertThat(text).contains("resilience4j_circuitbreaker_state{name=\"kafka\",state=\"closed\"} 0.0");
    // a server-side histogram (buckets), no client-side quantile series
    assertThat(text).contains("stevedore_test_latency_seconds_bucket{le=\"0.01258291\"} 1");
    assertThat(text).doesNotContain("quantile=");
  }

  @Test
  void promtoolRejectsABrokenExposition() throws Exception {
    // the check can fail: a counter whose name breaks the conventions, and a malformed line
    assertThat(PrometheusScrape.promtool("# TYPE requests counter\nrequests 1\n").output()).contains("_total");
    assertThat(PrometheusScrape.promtool("not a metric line {\n").exitCode()).isNotZero();
  }

  @Test
  void aServiceNameIsValidated() {
    assertThatThrownBy(() -> ServiceMetrics.create("Bad Name\""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service name");
  }
}
