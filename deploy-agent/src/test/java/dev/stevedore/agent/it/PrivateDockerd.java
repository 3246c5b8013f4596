package dev.stevedore.agent.it;

import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of the test's own ({@code /usr/sbin/dockerd} on its own socket, data and exec
 * roots, its own bridge interface, no iptables, {@code live-restore} so its containers keep running
 * while it is stopped), so a test can stop the daemon by its pid and start it again without
 * disturbing the machine's engine that other tests use. Images come from the local registry
 * (127.0.0.1:5000); its containers should use the host network (nothing is routed to the bridge).
 *
 * <p>Not {@code --bridge none}: a dockerd started so deletes the {@code docker0} interface of the
 * machine's engine (seen here), and every container of that engine then fails to start.
 */
public final class PrivateDockerd implements AutoCloseable {
  private final Path dir;
  private final Path socket;
  private final String bridge;
  private Process process;

  public PrivateDockerd() throws Exception {
    // short and outside JUnit's @TempDir: overlay mounts under the data root outlive a quick delete
    this.dir = Path.of("/tmp", "stevedore-dockerd-" + UUID.randomUUID().toString().substring(0, 8));
    this.socket = dir.resolve("docker.sock");
    this.bridge = "stvd" + UUID.randomUUID().toString().substring(0, 8);
    Files.createDirectories(dir);
    ip("link", "add", "name", bridge, "type", "bridge");
    ip("addr", "add", "10.254.254.1/30", "dev", bridge);
    ip("link", "set", bridge, "up");
    Files.writeString(dir.resolve("daemon.json"), "{\"dns\": [\"127.0.0.1\"], \"live-restore\": true}\n");
    start();
  }

  /** {@code DOCKER_HOST} for clients of this daemon. */
  public String host() {
    return "unix://" + socket;
  }

  public Map<String, String> env() {
    return Map.of("DOCKER_HOST", host());
  }

  public long pid() {
    return process.pid();
  }

  public void start() throws Exception {
    process = new ProcessBuilder("setsid", "/usr/sbin/dockerd", "--config-file", dir.resolve("daemon.json").toString(),
        "--host", host(), "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
        "--pidfile", dir.resolve("docker.pid").toString(), "--bridge", bridge, "--iptables=false", "--ip-masq=false")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (docker("info").ok()) {
        return;
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("private dockerd did not answer on " + socket + ": " + log());
  }

  /** SIGTERM to the daemon (its containers keep running: live-restore), and wait until it is gone. */
  public void stop() throws Exception {
    long pid = Long.parseLong(Files.readString(dir.resolve("docker.pid")).trim());
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("dockerd " + pid + " is not running"));
    daemon.destroy();
    daemon.onExit().get(60, TimeUnit.SECONDS);
    process.waitFor(10, TimeUnit.SECONDS);
  }

  public ProcessResult docker(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(DockerTestSupport.dockerBinary(), "-H", host()));
    cmd.addAll(List.of(args));
    return DockerTestSupport.run(Duration.ofMinutes(2), cmd);
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("dockerd.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() throws Exception {
    if (!docker("info").ok()) {
      start();
    }
    ProcessResult ids = docker("ps", "-aq");
    for (String id : ids.stdout().split("\\s+")) {
      if (!id.isBlank()) {
        docker("rm", "-f", id);
      }
    }
    stop();
    DockerTestSupport.run(Duration.ofMinutes(1), List.of("ip", "link", "del", bridge));
    DockerTestSupport.run(Duration.ofMinutes(1), List.of("rm", "-rf", dir.toString()));
  }

  private static void ip(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    DockerTestSupport.run(Duration.ofSeconds(30), cmd).orThrow();
  }
}
