package dev.stevedore.agent.bench;

import dev.stevedore.agent.it.AgentFixture;
import dev.stevedore.agent.it.AgentProcess;
import dev.stevedore.agent.it.EventCollector;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark of the deploy agent on this machine (real Kafka in a container, real dockerd,
 * registry, docker-compose v1 and the demo app), agent in its own JVM with -Xmx64m:
 * <ul>
 *   <li>the agent's own overhead per deployment: the outcome's duration minus the sum of its
 *       steps' wall times (pull, up, ..., health check: the Docker and probe work);</li>
 *   <li>the service's unavailability window per strategy: longest run of failed probes (every
 *       10 ms) and the number of failed probes during each deployment;</li>
 *   <li>memory: RSS (/proc) and heap in use (jcmd GC.heap_info) idle after start, the highest RSS
 *       while deploying, and idle again afterwards.</li>
 * </ul>
 * Usage: {@code bench/agent/run.sh [deploys-per-strategy]} (default 10).
 */
public final class AgentBench {
  private AgentBench() {}

  public static void main(String[] args) throws Exception {
    int deploys = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path work = Files.createTempDirectory("agent-bench");
    try (KafkaTestSupport kafka = KafkaTestSupport.start()) {
      kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
      kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));
      System.out.printf("machine: %d cores, %s; %s%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("java.vm.name") + " "
              + System.getProperty("java.version"));
      System.out.printf("%d measured deployments per strategy (after 2 warm-up ones), demo app v1 <-> v2%n%n", deploys);
      for (String strategy : List.of("default", "recreate")) {
        run(kafka, work.resolve(strategy), strategy, deploys);
        baseline(work.resolve("baseline-" + strategy), strategy, deploys);
      }
    }
  }

  static void run(KafkaTestSupport kafka, Path dir, String strategy, int deploys) throws Exception {
    Files.createDirectories(dir.resolve("demo"));
    String host = "bench-" + strategy + "-" + System.nanoTime() % 100000;
    int opsPort = FreePorts.find();
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"))) {
      demo.up("v1");
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("hostId", host);
      config.put("environment", AgentFixture.ENV);
      config.put("kafka", Map.of("bootstrapServers", kafka.bootstrapServers(), "fetchMaxWaitMs", 100));
      config.put("trustedKeys", List.of(Ed25519Keys.toPem(AgentFixture.TRIGGER_KEYS.getPublic())));
      config.put("stateDirectory", dir.resolve("state").toString());
      config.put("httpPort", opsPort);
      config.put("heartbeatInterval", "PT10S");
      config.put("services", Map.of("demo", Map.of(
          "projectDirectory", demo.dir.toString(), "projectName", demo.project, "composeService", "demo",
          "image", demo.repository, "strategy", strategy,
          "environment", Map.of("PORT", String.valueOf(demo.port)),
          "healthCheck", Map.of("url", demo.url("/health"), "interval", "PT0.05S", "deadline", "PT20S"))));
      try (AgentProcess agent = AgentProcess.start(dir, "agent", config, "64m")) {
        awaitReady(opsPort);
        Thread.sleep(15_000);
        Memory idle = memory(agent.pid());

        List<Long> overhead = new ArrayList<>();
        List<Long> total = new ArrayList<>();
        List<Long> gaps = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        AtomicLong maxRss = new AtomicLong();
        Thread sampler = new Thread(() -> {
          while (!Thread.currentThread().isInterrupted()) {
            maxRss.accumulateAndGet(rssKb(agent.pid()), Math::max);
            try {
              Thread.sleep(100);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        sampler.setDaemon(true);
        sampler.start();
        String version = "v1";
        for (int i = 0; i < deploys + 2; i++) {
          version = version.equals("v1") ? "v2" : "v1";
          try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(10), Duration.ofMillis(500))) {
            probe.awaitSuccess(Duration.ofSeconds(10));
            DeployRequested request = AgentFixture.send(kafka, AgentFixture.request("demo", version, host));
            Outcome outcome = events.awaitOutcome(request.deploymentId(), Duration.ofSeconds(120));
            if (!(outcome instanceof DeploySucceeded)) {
              throw new IllegalStateException("deployment " + i + " did not succeed: " + outcome);
            }
            probe.awaitBody(version, Duration.ofSeconds(10));
            if (i < 2) {
              continue;
            }
            List<AgentEvent> all = events.of(request.deploymentId());
            long steps = all.stream().filter(e -> e instanceof DeployStep).mapToLong(e -> ((DeployStep) e).durationMs()).sum();
            long duration = ((DeploySucceeded) outcome).durationMs();
            total.add(duration);
            overhead.add(duration - steps);
            gaps.add(probe.longestFailureGap().toMillis());
            failed.add((long) probe.failures());
          }
        }
        sampler.interrupt();
        Thread.sleep(15_000);
        Memory after = memory(agent.pid());

        System.out.printf("strategy %-8s deploy total ms   p50 %5d  max %5d%n", strategy, pct(total, 50), pct(total, 100));
        System.out.printf("                  agent overhead ms p50 %5d  p90 %5d  max %5d%n", pct(overhead, 50),
            pct(overhead, 90), pct(overhead, 100));
        System.out.printf("                  unavailability ms p50 %5d  max %5d   (probe every 10 ms)%n", pct(gaps, 50), pct(gaps, 100));
        System.out.printf("                  failed probes     p50 %5d  max %5d%n", pct(failed, 50), pct(failed, 100));
        System.out.printf("                  memory -Xmx64m: idle RSS %d MB (heap used %d MB), busy max RSS %d MB, idle after %d MB (heap %d MB)%n%n",
            idle.rssKb / 1024, idle.heapUsedKb / 1024, maxRss.get() / 1024, after.rssKb / 1024, after.heapUsedKb / 1024);
      }
    }
  }

  /** The same cycle run by hand with docker-compose (no agent): the Docker side's own gap. */
  static void baseline(Path dir, String strategy, int deploys) throws Exception {
    Files.createDirectories(dir.resolve("demo"));
    try (AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"))) {
      demo.up("v1");
      List<Long> gaps = new ArrayList<>();
      List<Long> failed = new ArrayList<>();
      String version = "v1";
      for (int i = 0; i < deploys + 2; i++) {
        version = version.equals("v1") ? "v2" : "v1";
        try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(10), Duration.ofMillis(500))) {
          probe.awaitSuccess(Duration.ofSeconds(10));
          List<String> compose = List.of(DockerTestSupport.composeBinary(), "-p", demo.project);
          DockerTestSupport.run(AgentFixture.CMD, demo.dir, demo.env(version), concat(compose, "pull")).orThrow();
          if (strategy.equals("recreate")) {
            DockerTestSupport.run(AgentFixture.CMD, demo.dir, demo.env(version), concat(compose, "down")).orThrow();
          }
          DockerTestSupport.run(AgentFixture.CMD, demo.dir, demo.env(version), concat(compose, "up", "-d")).orThrow();
          probe.awaitBody(version, Duration.ofSeconds(20));
          Thread.sleep(100);
          if (i >= 2) {
            gaps.add(probe.longestFailureGap().toMillis());
            failed.add((long) probe.failures());
          }
        }
      }
      System.out.printf("by hand  %-8s unavailability ms p50 %5d  max %5d   failed probes p50 %d max %d (docker-compose alone, no agent)%n%n",
          strategy, pct(gaps, 50), pct(gaps, 100), pct(failed, 50), pct(failed, 100));
    }
  }

  static List<String> concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(b));
    return out;
  }

  record Memory(long rssKb, long heapUsedKb) {}

  static Memory memory(long pid) {
    long heap = 0;
    var r = DockerTestSupport.run(Duration.ofSeconds(30), List.of("jcmd", String.valueOf(pid), "GC.heap_info"));
    Matcher m = Pattern.compile("used (\\d+)K").matcher(r.out());
    while (m.find()) {
      heap += Long.parseLong(m.group(1));
    }
    return new Memory(rssKb(pid), heap);
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      return 0;
    }
    return 0;
  }

  static void awaitReady(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("agent not ready on port " + port);
  }

  static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return -1;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(idx, sorted.size() - 1)));
  }
}
