package dev.stevedore.agent.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The edge proxy as its own JVM (this test's class path: edge-proxy is a test dependency), as it
 * runs in production: not a child whose life depends on the agent's.
 */
public final class EdgeProxyProcess implements AutoCloseable {
  private final Process process;
  public final int port;
  public final int adminPort;
  public final String token;
  public final Path log;

  private EdgeProxyProcess(Process process, int port, int adminPort, String token, Path log) {
    this.process = process;
    this.port = port;
    this.adminPort = adminPort;
    this.token = token;
    this.log = log;
  }

  public static EdgeProxyProcess start(Path dir, int port, int adminPort, String token) throws IOException {
    return start(dir, port, adminPort, token, "edge-proxy started");
  }

  /**
   * A new process beside a running one (a restart without refused connections): returns once it
   * listens on the shared public port; it takes the admin port when the old one is gone.
   */
  public static EdgeProxyProcess startBeside(Path dir, int port, int adminPort, String token) throws IOException {
    return start(dir, port, adminPort, token, "is held");
  }

  /** SIGTERM, without waiting for the exit. */
  public void terminate() {
    process.destroy();
  }

  private static EdgeProxyProcess start(Path dir, int port, int adminPort, String token, String ready) throws IOException {
    Path tokenFile = Files.writeString(dir.resolve("edge-proxy.token"), token);
    Path log = dir.resolve("edge-proxy-" + System.nanoTime() + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx96m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.stevedore.proxy.ProxyMain"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
    pb.environment().put("STEVEDORE_HOST", "127.0.0.1");
    pb.environment().put("STEVEDORE_PORT", String.valueOf(port));
    pb.environment().put("STEVEDORE_ADMIN_PORT", String.valueOf(adminPort));
    pb.environment().put("STEVEDORE_ADMIN_TOKEN_FILE", tokenFile.toString());
    pb.environment().put("STEVEDORE_STATE_PATH", dir.resolve("edge-proxy.json").toString());
    String max = System.getProperty("proxy.maxUpstreamConnections");
    if (max != null) {
      pb.environment().put("STEVEDORE_MAX_UPSTREAM_CONNECTIONS", max);
    }
    EdgeProxyProcess p = new EdgeProxyProcess(pb.start(), port, adminPort, token, log);
    Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
        .until(() -> p.output().contains(ready) || !p.alive());
    if (!p.alive()) {
      throw new IllegalStateException("the edge proxy did not start: " + p.output());
    }
    return p;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  /** {@code GET path} on the admin endpoint, with the token. */
  public String admin(String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl() + path))
        .header("authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
