package dev.stevedore.common.ops;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The one place every Stevedore service gets its meter registry from: JVM and process metrics
 * (memory, GC, threads, class loading, CPU, uptime, file descriptors), a
 * {@code stevedore_build_info{service,version}} gauge, and Resilience4j's breaker metrics
 * ({@code resilience4j_circuitbreaker_state{name,state}}, {@code ..._calls_seconds}, ...) for the
 * breakers a service hands over. Latency timers use {@link #latency} so they publish server-side
 * histogram buckets (aggregatable with {@code histogram_quantile}), never client-side percentiles.
 */
public final class ServiceMetrics {
  /** The build-info gauge's name as Prometheus sees it. */
  public static final String BUILD_INFO = "stevedore_build_info";

  private ServiceMetrics() {}

  /** A new Prometheus registry for {@code service} (trigger, audit, agent, proxy) with the JVM, process and build-info meters. */
  public static PrometheusMeterRegistry create(String service) {
    if (service == null || !service.matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("service name must be lower-case letters, digits and '-': " + service);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Two of Micrometer's names fail promtool's lint: process_cpu_time_ns_total (an abbreviated
    // unit; process_cpu_usage says the same) is dropped, system_cpu_count (a "_count" suffix on a
    // gauge) becomes system_cpu_processors.
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.processors") : id;
      }
    });
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    // JvmGcMetrics holds GC notification listeners for the registry's lifetime; one per registry.
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("stevedore.build.info", () -> 1)
        .description("Always 1; the labels say which Stevedore service and version runs")
        .tag("service", service)
        .tag("version", version())
        .register(registry);
    return registry;
  }

  /** Resilience4j's breaker meters for fixed breakers, tagged {@code name}. */
  public static void bindBreakers(MeterRegistry registry, Iterable<CircuitBreaker> breakers) {
    TaggedCircuitBreakerMetricsPublisher publisher = new TaggedCircuitBreakerMetricsPublisher(registry);
    breakers.forEach(publisher::publishMetrics);
  }

  /** Resilience4j's breaker meters for every breaker of {@code breakers}, including ones created later. */
  public static void bindBreakers(MeterRegistry registry, CircuitBreakerRegistry breakers) {
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
  }

  /**
   * A latency timer builder with a server-side histogram: Micrometer's default buckets between
   * {@code min} and {@code max}, so Prometheus computes quantiles across instances.
   */
  public static io.micrometer.core.instrument.Timer.Builder latency(String name, Duration min, Duration max) {
    return io.micrometer.core.instrument.Timer.builder(name)
        .publishPercentileHistogram()
        .minimumExpectedValue(min)
        .maximumExpectedValue(max);
  }

  /** The Stevedore version this build carries (the Maven project version), or {@code unknown}. */
  public static String version() {
    return dev.stevedore.common.config.CommandLine.version();
  }
}
