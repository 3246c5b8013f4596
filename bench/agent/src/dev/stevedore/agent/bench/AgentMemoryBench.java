package dev.stevedore.agent.bench;

import dev.stevedore.agent.it.AgentFixture;
import dev.stevedore.agent.it.AgentProcess;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Idle memory of the agent (-Xmx64m) under a few JVM option sets: RSS and heap in use after 20 s. */
public final class AgentMemoryBench {
  private AgentMemoryBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("agent-mem");
    List<List<String>> optionSets = List.of(
        List.of(),
        List.of("-XX:+UseSerialGC"),
        AgentProcess.RECOMMENDED_JVM_OPTIONS);
    try (KafkaTestSupport kafka = KafkaTestSupport.start()) {
      kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS, Topics.HEARTBEATS);
      int n = 0;
      for (List<String> options : optionSets) {
        Path dir = work.resolve("run" + n++);
        Files.createDirectories(dir);
        int port = FreePorts.find();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("hostId", "mem-" + n + "-" + System.nanoTime() % 10000);
        config.put("environment", AgentFixture.ENV);
        config.put("kafka", Map.of("bootstrapServers", kafka.bootstrapServers()));
        config.put("trustedKeys", List.of(Ed25519Keys.toPem(AgentFixture.TRIGGER_KEYS.getPublic())));
        config.put("stateDirectory", dir.resolve("state").toString());
        config.put("httpPort", port);
        try (AgentProcess agent = AgentProcess.start(dir, "agent", config, "64m", options)) {
          AgentBench.awaitReady(port);
          Thread.sleep(20_000);
          var m = AgentBench.memory(agent.pid());
          System.out.printf("idle -Xmx64m %-100s RSS %4d MB, heap used %3d MB%n", options, m.rssKb() / 1024, m.heapUsedKb() / 1024);
        }
      }
    }
  }
}
