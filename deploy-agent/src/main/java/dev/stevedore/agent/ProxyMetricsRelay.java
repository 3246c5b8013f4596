package dev.stevedore.agent;

import dev.stevedore.agent.config.AgentConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The edge proxies' own series on the agent's {@code /metrics}: at each scrape the agent reads
 * every blue-green service's proxy ({@code GET <adminUrl>/metrics}, no token), keeps its
 * {@code stevedore_proxy_*} series (not its JVM's), adds a {@code service} label and groups each
 * family's samples across services. {@code stevedore_proxy_up{service}} says whether the proxy
 * answered (1) or not (0: refused, timeout, not 200, over 1 MB), so a dead proxy is an alert, not
 * a gap.
 */
public final class ProxyMetricsRelay {
  static final String PREFIX = "stevedore_proxy_";
  static final long TIMEOUT_MS = 2_000;
  static final int MAX_BYTES = 1 << 20;

  private final WebClient client;
  /** Service name to its proxy's admin URL, sorted by name. */
  private final Map<String, String> proxies;

  ProxyMetricsRelay(WebClient client, Map<String, String> proxies) {
    this.client = client;
    this.proxies = new TreeMap<>(proxies);
  }

  /** The relay for {@code config}'s blue-green services; null when it has none. */
  public static ProxyMetricsRelay of(Vertx vertx, AgentConfig config) {
    Map<String, String> proxies = new TreeMap<>();
    config.services().forEach((name, s) -> {
      if (s.blueGreenStrategy()) {
        proxies.put(name, s.blueGreen().adminUrl());
      }
    });
    return proxies.isEmpty() ? null : new ProxyMetricsRelay(WebClient.create(vertx), proxies);
  }

  /** Every proxy's series, labelled; never fails (an unreachable proxy is {@code stevedore_proxy_up 0}). */
  public Future<String> scrape() {
    List<String> names = new ArrayList<>(proxies.keySet());
    List<Future<String>> reads = new ArrayList<>();
    for (String name : names) {
      reads.add(client.getAbs(proxies.get(name) + "/metrics").timeout(TIMEOUT_MS).send().map(r -> {
        if (r.statusCode() != 200) {
          throw new IllegalStateException("HTTP " + r.statusCode());
        }
        if (r.body() == null || r.body().length() > MAX_BYTES) {
          throw new IllegalStateException("no body or more than " + MAX_BYTES + " bytes");
        }
        return r.bodyAsString();
      }));
    }
    return Future.join(reads).transform(ignored -> {
      Map<String, String> texts = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        texts.put(names.get(i), reads.get(i).succeeded() ? reads.get(i).result() : null);
      }
      return Future.succeededFuture(merge(texts));
    });
  }

  /** One family: its HELP and TYPE lines (the first service's) and every service's samples. */
  private static final class Family {
    String help;
    String type;
    final List<String> samples = new ArrayList<>();
  }

  /**
   * The proxies' texts (null: that proxy did not answer) as one Prometheus text: each
   * {@code stevedore_proxy_*} family once, its samples labelled with {@code service}. Lines that
   * are not a family's HELP/TYPE or a sample of one are dropped.
   */
  static String merge(Map<String, String> byService) {
    Map<String, Family> families = new LinkedHashMap<>();
    Family up = new Family();
    up.help = "# HELP stevedore_proxy_up 1 when the agent read the service's edge proxy metrics at this scrape.";
    up.type = "# TYPE stevedore_proxy_up gauge";
    byService.forEach((service, text) -> {
      up.samples.add(withService("stevedore_proxy_up " + (text == null ? 0 : 1), service));
      if (text == null) {
        return;
      }
      for (String line : text.split("\n")) {
        if (line.startsWith("# HELP " + PREFIX) || line.startsWith("# TYPE " + PREFIX)) {
          String[] parts = line.split(" ", 4);
          if (parts.length < 4) {
            continue;
          }
          Family f = families.computeIfAbsent(parts[2], k -> new Family());
          if (parts[1].equals("HELP") && f.help == null) {
            f.help = line;
          } else if (parts[1].equals("TYPE") && f.type == null) {
            f.type = line;
          }
        } else if (line.startsWith(PREFIX) && !line.startsWith("stevedore_proxy_up")) {
          int end = nameEnd(line);
          if (end < 0) {
            continue;
          }
          families.computeIfAbsent(line.substring(0, end), k -> new Family()).samples.add(withService(line, service));
        }
      }
    });
    StringBuilder out = new StringBuilder();
    families.put("stevedore_proxy_up", up);
    families.forEach((name, f) -> {
      if (f.samples.isEmpty() && f.help == null) {
        return;
      }
      out.append(f.help != null ? f.help : "# HELP " + name + " Relayed from the service's edge proxy.").append('\n');
      if (f.type != null) {
        out.append(f.type).append('\n');
      }
      f.samples.forEach(s -> out.append(s).append('\n'));
    });
    return out.toString();
  }

  /** Where a sample's metric name ends ({@code {} or the space before the value); -1 when it has no value. */
  private static int nameEnd(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '{' || c == ' ') {
        return i;
      }
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == ':')) {
        return -1;
      }
    }
    return -1;
  }

  /** {@code sample} with {@code service="..."} as its first label. */
  static String withService(String sample, String service) {
    int end = nameEnd(sample);
    String label = "service=\"" + service.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    if (sample.charAt(end) == '{') {
      String rest = sample.substring(end + 1);
      return sample.substring(0, end + 1) + label + (rest.startsWith("}") ? "" : ",") + rest;
    }
    return sample.substring(0, end) + "{" + label + "}" + sample.substring(end);
  }

  /** The services whose proxies this relay reads. */
  java.util.Set<String> services() {
    return proxies.keySet();
  }
}
