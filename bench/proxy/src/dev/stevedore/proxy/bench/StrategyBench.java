package dev.stevedore.proxy.bench;

import dev.stevedore.agent.it.AgentFixture;
import dev.stevedore.agent.it.AgentProcess;
import dev.stevedore.agent.it.EdgeProxyProcess;
import dev.stevedore.agent.it.EventCollector;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unavailability per strategy, side by side in one run: the agent (its own JVM) deploys the demo
 * app v1 <-> v2 with {@code default}, {@code recreate} and {@code blue-green}, while one HTTP probe
 * reads {@code /version} on the service's public port every 20 ms (500 ms timeout). Per
 * deployment: the longest run of failed probes and their number. Not a test: prints figures.
 */
public final class StrategyBench {
  static final Duration PROBE = Duration.ofMillis(Integer.getInteger("probe.ms", 20));

  public static void main(String[] args) throws Exception {
    int deploys = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path work = Files.createTempDirectory("strategy-bench");
    try (KafkaTestSupport kafka = KafkaTestSupport.start()) {
      kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
      kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));
      System.out.printf("[bench/strategies] %d measured deployments per strategy (after 2 warm-up ones), probe every %d ms%n",
          deploys, PROBE.toMillis());
      for (String strategy : List.of("default", "recreate", "blue-green")) {
        run(kafka, Files.createDirectories(work.resolve(strategy)), strategy, deploys);
      }
    }
  }

  static void run(KafkaTestSupport kafka, Path dir, String strategy, int deploys) throws Exception {
    boolean bg = strategy.equals("blue-green");
    Path app = Files.createDirectories(dir.resolve("app"));
    String host = "bench-" + strategy + "-" + System.nanoTime() % 100000;
    String project = DockerTestSupport.uniqueName("strat").replace("-", "");
    int publicPort = FreePorts.find();
    int bluePort = FreePorts.find();
    int greenPort = FreePorts.find();
    int adminPort = FreePorts.find();
    Files.writeString(app.resolve("docker-compose.yml"), """
        version: "2.4"
        services:
          demo:
            image: %s:${VERSION:-v1}
            network_mode: host
            init: true
            environment:
              PORT: "${PORT}"
            labels:
              stevedore.test: "true"
        """.formatted(AgentFixture.demoRepository()));
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("projectDirectory", app.toString());
    service.put("projectName", project);
    service.put("composeService", "demo");
    service.put("image", AgentFixture.demoRepository());
    service.put("strategy", strategy);
    service.put("healthCheck", Map.of("url", "http://127.0.0.1:" + publicPort + "/health", "interval", "PT0.05S",
        "deadline", "PT20S"));
    if (bg) {
      service.put("blueGreen", Map.of("publicPort", publicPort, "bluePort", bluePort, "greenPort", greenPort,
          "adminUrl", "http://127.0.0.1:" + adminPort, "adminTokenPath", dir.resolve("edge-proxy.token").toString(),
          "drain", "PT2S"));
    } else {
      service.put("environment", Map.of("PORT", String.valueOf(publicPort)));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("hostId", host);
    config.put("environment", AgentFixture.ENV);
    config.put("kafka", Map.of("bootstrapServers", kafka.bootstrapServers(), "fetchMaxWaitMs", 100));
    config.put("trustedKeys", List.of(Ed25519Keys.toPem(AgentFixture.TRIGGER_KEYS.getPublic())));
    config.put("stateDirectory", dir.resolve("state").toString());
    config.put("httpPort", 0);
    config.put("heartbeatInterval", "PT10S");
    config.put("services", Map.of("demo", service));
    EdgeProxyProcess proxy = bg ? EdgeProxyProcess.start(dir, publicPort, adminPort, "bench-" + System.nanoTime()) : null;
    List<String> projects = bg ? List.of(project + "-blue", project + "-green") : List.of(project);
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         AgentProcess agent = AgentProcess.start(dir, "agent", config, "64m")) {
      List<Long> gaps = new ArrayList<>();
      List<Long> failed = new ArrayList<>();
      List<Long> total = new ArrayList<>();
      deploy(kafka, events, host, "v1", agent);              // what runs before (for blue-green: the first colour)
      String version = "v1";
      for (int i = 0; i < deploys + 2; i++) {
        version = version.equals("v1") ? "v2" : "v1";
        try (HttpProbe probe = HttpProbe.start("http://127.0.0.1:" + publicPort + "/version", PROBE, Duration.ofMillis(500))) {
          probe.awaitSuccess(Duration.ofSeconds(10));
          long t0 = System.nanoTime();
          deploy(kafka, events, host, version, agent);
          probe.awaitBody(version, Duration.ofSeconds(10));
          if (i >= 2) {
            total.add((System.nanoTime() - t0) / 1_000_000);
            gaps.add(probe.longestFailureGap().toMillis());
            failed.add((long) probe.failures());
          }
        }
      }
      System.out.printf("[bench/strategies] %-10s unavailability ms p50 %4d max %4d | failed probes p50 %3d max %3d"
          + " | deploy ms p50 %5d max %5d%n", strategy, pct(gaps, 50), pct(gaps, 100), pct(failed, 50), pct(failed, 100),
          pct(total, 50), pct(total, 100));
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      for (String p : projects) {
        DockerTestSupport.run(Duration.ofMinutes(2), app, Map.of("PORT", "1"),
            List.of(DockerTestSupport.composeBinary(), "-p", p, "down", "-v"));
      }
    }
  }

  static void deploy(KafkaTestSupport kafka, EventCollector events, String host, String version, AgentProcess agent) {
    DeployRequested r = AgentFixture.send(kafka, AgentFixture.request("demo", version, host));
    Outcome o = events.awaitOutcome(r.deploymentId(), Duration.ofSeconds(120));
    if (!(o instanceof DeploySucceeded)) {
      throw new IllegalStateException(version + " did not succeed: " + o + "\n" + agent.output());
    }
  }

  static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return -1;
    }
    return sorted.get(Math.max(0, Math.min((int) Math.ceil(p / 100.0 * sorted.size()) - 1, sorted.size() - 1)));
  }
}
