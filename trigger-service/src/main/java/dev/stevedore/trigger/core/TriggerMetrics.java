package dev.stevedore.trigger.core;

import dev.stevedore.common.ops.ServiceMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trigger's meters: {@code stevedore_trigger_requests_total{source,result}}, the publish
 * latency histogram {@code stevedore_trigger_publish_seconds} (server-side buckets), and the Kafka
 * breaker through Resilience4j's own meters ({@code resilience4j_circuitbreaker_state{name,state}},
 * which replaced the hand-made {@code stevedore_trigger_circuit_state}).
 */
public final class TriggerMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer publishOk;
  private final Timer publishFailed;

  public TriggerMetrics(MeterRegistry registry, CircuitBreaker breaker) {
    this.registry = registry;
    this.publishOk = publishTimer("acknowledged");
    this.publishFailed = publishTimer("failed");
    ServiceMetrics.bindBreakers(registry, List.of(breaker));
  }

  private Timer publishTimer(String outcome) {
    return ServiceMetrics.latency("stevedore.trigger.publish", Duration.ofMillis(1), Duration.ofSeconds(30))
        .description("from signing a request to Kafka's acknowledgement")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Counts one answered request: {@code source} github/gitlab/generic/api, {@code result} e.g. accepted, ignored, 401. */
  public void request(String source, String result) {
    counters.computeIfAbsent(source + '\n' + result, k -> Counter.builder("stevedore.trigger.requests")
        .description("webhook and API requests by source and result")
        .tag("source", source)
        .tag("result", result)
        .register(registry)).increment();
  }

  /**
   * A {@code traceparent} header seen on a webhook or API request: {@code taken} (it goes on the
   * request), {@code ignored} (not a valid W3C version 00 one), {@code tracestate-dropped} (the
   * {@code traceparent} was taken, the {@code tracestate} beside it was not valid).
   */
  public void traceHeader(String source, String result) {
    counters.computeIfAbsent("trace\n" + source + '\n' + result, k -> Counter.builder("stevedore.trigger.trace.headers")
        .description("W3C trace context headers on webhook and API requests, by source and result")
        .tag("source", source)
        .tag("result", result)
        .register(registry)).increment();
  }

  /** A rollout state recorded by this instance's coordinator, counted by the phase it entered. */
  public void rolloutRecorded(String phase) {
    counters.computeIfAbsent("rollout\n" + phase, k -> Counter.builder("stevedore.trigger.rollout.states")
        .description("Rollout states recorded by this instance, by phase")
        .tag("phase", phase)
        .register(registry)).increment();
  }

  public void published(long nanos, boolean acknowledged) {
    (acknowledged ? publishOk : publishFailed).record(Duration.ofNanos(nanos));
  }
}
