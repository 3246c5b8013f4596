package dev.stevedore.proxy;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where requests go and what they did: the active upstream (read once per request, so a switch is
 * one atomic reference swap), requests in flight per colour (what a drain waits for), and the
 * counters the metrics show. Thread-safe; shared by every public verticle instance.
 */
public final class Traffic {
  private final AtomicReference<ProxyState> state;
  private final Map<String, AtomicLong> inFlight = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> upstreamErrors = new ConcurrentHashMap<>();
  private final LongAdder noUpstream = new LongAdder();
  private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();

  public Traffic(ProxyState initial) {
    this.state = new AtomicReference<>(initial);
  }

  public ProxyState state() {
    return state.get();
  }

  /** Points new requests at {@code next}; requests already sent keep their upstream. */
  public void set(ProxyState next) {
    state.set(next);
  }

  /** A request starts on {@code colour}: returns what ends it (call it once; later calls do nothing). */
  public Runnable begin(String colour) {
    requests.computeIfAbsent(colour, c -> new LongAdder()).increment();
    AtomicLong counter = inFlight.computeIfAbsent(colour, c -> new AtomicLong());
    counter.incrementAndGet();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        counter.decrementAndGet();
      }
    };
  }

  /** The process is stopping: every response from now on closes its connection. */
  public void drain() {
    draining.set(true);
  }

  public boolean draining() {
    return draining.get();
  }

  public void upstreamError(String colour) {
    upstreamErrors.computeIfAbsent(colour, c -> new LongAdder()).increment();
  }

  /** A request arrived before any colour was set (answered 503). */
  public void noUpstream() {
    noUpstream.increment();
  }

  public long inFlight(String colour) {
    AtomicLong n = inFlight.get(colour);
    return n == null ? 0 : n.get();
  }

  public Map<String, Long> inFlight() {
    Map<String, Long> out = new TreeMap<>();
    inFlight.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The metrics in Prometheus' text format. */
  public String prometheus() {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP stevedore_proxy_requests_total Requests forwarded, by colour.\n");
    sb.append("# TYPE stevedore_proxy_requests_total counter\n");
    new TreeMap<>(requests).forEach((c, n) -> sb.append("stevedore_proxy_requests_total{colour=\"").append(c)
        .append("\"} ").append(n.sum()).append('\n'));
    sb.append("# HELP stevedore_proxy_upstream_errors_total Requests the upstream failed (no connection, reset), by colour.\n");
    sb.append("# TYPE stevedore_proxy_upstream_errors_total counter\n");
    new TreeMap<>(upstreamErrors).forEach((c, n) -> sb.append("stevedore_proxy_upstream_errors_total{colour=\"")
        .append(c).append("\"} ").append(n.sum()).append('\n'));
    sb.append("# HELP stevedore_proxy_no_upstream_total Requests answered 503 because no colour was active yet.\n");
    sb.append("# TYPE stevedore_proxy_no_upstream_total counter\n");
    sb.append("stevedore_proxy_no_upstream_total ").append(noUpstream.sum()).append('\n');
    sb.append("# HELP stevedore_proxy_in_flight Requests in flight, by colour.\n");
    sb.append("# TYPE stevedore_proxy_in_flight gauge\n");
    inFlight().forEach((c, n) -> sb.append("stevedore_proxy_in_flight{colour=\"").append(c).append("\"} ").append(n)
        .append('\n'));
    ProxyState s = state();
    sb.append("# HELP stevedore_proxy_active 1 for the colour that receives new requests.\n");
    sb.append("# TYPE stevedore_proxy_active gauge\n");
    if (s.active() != null) {
      sb.append("stevedore_proxy_active{colour=\"").append(s.active().colour()).append("\",port=\"")
          .append(s.active().port()).append("\"} 1\n");
    }
    sb.append("# HELP stevedore_proxy_switches_total Switches since the state file was created.\n");
    sb.append("# TYPE stevedore_proxy_switches_total counter\n");
    sb.append("stevedore_proxy_switches_total ").append(s.generation()).append('\n');
    return sb.toString();
  }
}
