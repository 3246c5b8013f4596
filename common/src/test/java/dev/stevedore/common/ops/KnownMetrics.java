package dev.stevedore.common.ops;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Prometheus series each service's {@code /metrics} is checked to expose (by the service's own
 * scrape test), so the Grafana dashboard and docs/operations.md can be checked against them.
 */
public final class KnownMetrics {
  private KnownMetrics() {}

  /** JVM and process series every service exposes (ServiceMetrics). */
  public static List<String> jvm() {
    return List.of("stevedore_build_info", "jvm_memory_used_bytes", "jvm_memory_max_bytes",
        "jvm_gc_memory_allocated_bytes_total", "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_sum",
        "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage", "system_cpu_processors",
        "process_uptime_seconds", "process_files_open_files", "process_files_max_files");
  }

  /** Resilience4j's breaker series (resilience4j-micrometer), for services with breakers. */
  public static List<String> breakers() {
    return List.of("resilience4j_circuitbreaker_state", "resilience4j_circuitbreaker_failure_rate",
        "resilience4j_circuitbreaker_calls_seconds_count", "resilience4j_circuitbreaker_not_permitted_calls_total");
  }

  private static final Map<String, List<String>> OWN = Map.of(
      "trigger", List.of("stevedore_trigger_requests_total", "stevedore_trigger_publish_seconds_bucket",
          "stevedore_trigger_publish_seconds_count", "stevedore_trigger_schedules_fired_total",
          "stevedore_trigger_schedule_records_rejected_total", "stevedore_trigger_schedule_partitions_owned",
          "stevedore_trigger_history_lag"),
      "audit", List.of("stevedore_audit_ingest_events_total", "stevedore_audit_ingest_store_failures_total",
          "stevedore_audit_ingest_batch_seconds_bucket", "stevedore_audit_ingest_lag", "stevedore_audit_ingest_paused",
          "stevedore_audit_query_latency_seconds_bucket"),
      "agent", List.of("stevedore_agent_deployments_total", "stevedore_agent_attempts_total",
          "stevedore_agent_deploy_duration_seconds_bucket", "stevedore_agent_service_diverged",
          "stevedore_agent_service_diverged_seconds", "stevedore_agent_state_writes_total"),
      "proxy", List.of("stevedore_proxy_requests_total", "stevedore_proxy_upstream_errors_total",
          "stevedore_proxy_no_upstream_total", "stevedore_proxy_in_flight", "stevedore_proxy_active",
          "stevedore_proxy_switches_total"));

  /**
   * Series that appear only after an event the scrape tests do not cause (a counter is created at
   * its first increment): checked by name only, against the builders in the code, not a scrape.
   */
  public static List<String> afterActivity() {
    // stevedore_proxy_up: the agent's relay of its blue-green services' proxies (ProxyMetricsRelay),
    // only on agents with such a service (ProxyMetricsRelayTest and BlueGreenIT scrape it)
    return List.of("stevedore_trigger_rollout_states_total", "stevedore_proxy_up");
  }

  /** The services with a {@code /metrics}. */
  public static Set<String> services() {
    return new TreeSet<>(OWN.keySet());
  }

  /** Every series {@code service}'s scrape test requires. */
  public static Set<String> of(String service) {
    List<String> own = OWN.get(service);
    if (own == null) {
      throw new IllegalArgumentException("no such service: " + service);
    }
    Set<String> all = new TreeSet<>(jvm());
    all.addAll(own);
    if (!service.equals("proxy")) {
      all.addAll(breakers());
    }
    return all;
  }

  /** The union over every service. */
  public static Set<String> all() {
    Set<String> all = new TreeSet<>();
    services().forEach(s -> all.addAll(of(s)));
    return all;
  }
}
