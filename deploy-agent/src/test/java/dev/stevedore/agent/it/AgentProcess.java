package dev.stevedore.agent.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent as a separate JVM (the shaded jar when it is built, else this test's class path), so
 * a test can SIGKILL it. Output goes to a log file next to its config.
 */
public final class AgentProcess implements AutoCloseable {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final Process process;
  public final Path log;

  private AgentProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static Path jar() {
    return Path.of("target/deploy-agent-0.1.0-SNAPSHOT-all.jar").toAbsolutePath();
  }

  /** The JVM options the agent is run with in production (see docs/configuration.md (deploy agent)). */
  public static final List<String> RECOMMENDED_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-XX:ReservedCodeCacheSize=32m", "-Xss512k", "-XX:MaxMetaspaceSize=96m");

  public static AgentProcess start(Path dir, String name, Map<String, Object> config, String maxHeap) throws IOException {
    return start(dir, name, config, maxHeap, RECOMMENDED_JVM_OPTIONS);
  }

  public static AgentProcess start(Path dir, String name, Map<String, Object> config, String maxHeap,
      List<String> jvmOptions) throws IOException {
    Path file = dir.resolve(name + ".yml");
    YAML.writeValue(file.toFile(), config);
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap));
    cmd.addAll(jvmOptions);
    if (Files.isRegularFile(jar())) {
      cmd.addAll(List.of("-jar", jar().toString()));
    } else {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.stevedore.agent.AgentMain"));
    }
    cmd.addAll(List.of("--config", file.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
    return new AgentProcess(pb.start(), log);
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no flush, nothing. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait for the clean stop. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(75, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
