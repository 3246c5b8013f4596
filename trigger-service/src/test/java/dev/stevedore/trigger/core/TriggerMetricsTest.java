package dev.stevedore.trigger.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.ops.PrometheusScrape;
import dev.stevedore.common.ops.ServiceMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class TriggerMetricsTest {
  @Test
  void theKafkaBreakerIsResilience4jsOwnMeterAndTheScrapePassesPromtool() throws Exception {
    PrometheusMeterRegistry registry = ServiceMetrics.create("trigger");
    CircuitBreaker kafka = CircuitBreaker.ofDefaults("kafka");
    TriggerMetrics metrics = new TriggerMetrics(registry, kafka);
    metrics.request("generic", "accepted");
    metrics.published(5_000_000, true);
    kafka.transitionToOpenState();
    String text = registry.scrape();
    assertThat(text).contains("resilience4j_circuitbreaker_state{name=\"kafka\",state=\"open\"} 1.0")
        .doesNotContain("stevedore_trigger_circuit_state").doesNotContain("quantile=");
    PrometheusScrape.assertPromtoolPasses(text);
  }
}
