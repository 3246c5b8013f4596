package dev.stevedore.proxy.bench;

import dev.stevedore.agent.it.EdgeProxyProcess;
import dev.stevedore.testing.LoadGenerator;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The latency the edge proxy adds: an app reached directly (A) and through the proxy (B), rounds
 * A B A B, each round an open-loop load at a fixed rate over 8 keep-alive connections. Not a
 * test: prints figures.
 *
 * <p>The app is, by default, a keep-alive Vert.x server in its own JVM answering {@code v1}: the
 * demo app (busybox httpd, a new connection and a fork per request) cannot take 1,000 requests/s
 * on this machine even directly. {@code -Dapp=demo} uses the demo container instead.
 */
public final class ProxyLatencyBench {
  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    Path dir = Files.createTempDirectory("proxy-bench");
    String project = DockerTestSupport.uniqueName("proxybench").replace("-", "");
    int appPort = FreePorts.find();
    Files.writeString(dir.resolve("docker-compose.yml"), """
        version: "2.4"
        services:
          demo:
            image: %s:v1
            network_mode: host
            init: true
            environment:
              PORT: "%d"
            labels:
              stevedore.test: "true"
        """.formatted(DockerTestSupport.registry() + "/" + DockerTestSupport.DEMO_REPOSITORY, appPort));
    List<String> compose = List.of(DockerTestSupport.composeBinary(), "-p", project);
    boolean demo = "demo".equals(System.getProperty("app"));
    Process app = null;
    if (demo) {
      DockerTestSupport.run(Duration.ofMinutes(2), dir, Map.of(), concat(compose, "up", "-d")).orThrow();
    } else {
      app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
          "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), KeepAliveApp.class.getName(),
          String.valueOf(appPort)).inheritIO().start();
      Thread.sleep(3_000);
    }
    System.out.printf("[bench/proxy] app: %s on port %d%n", demo ? "demo container (busybox httpd)" : "keep-alive Vert.x server", appPort);
    try (EdgeProxyProcess proxy = EdgeProxyProcess.start(dir, FreePorts.find(), FreePorts.find(), "bench")) {
      HttpClient admin = HttpClient.newHttpClient();
      admin.send(HttpRequest.newBuilder(URI.create(proxy.adminUrl() + "/upstream"))
          .header("authorization", "Bearer bench")
          .PUT(HttpRequest.BodyPublishers.ofString("{\"colour\":\"blue\",\"port\":" + appPort + "}")).build(),
          HttpResponse.BodyHandlers.ofString());
      // warm-up of both paths (JIT of the proxy and of this load generator)
      run("warm-up direct", appPort, rate, 5);
      run("warm-up proxy", proxy.port, rate, 5);
      for (int r = 0; r < rounds; r++) {
        run("A direct", appPort, rate, seconds);
        run("B proxy ", proxy.port, rate, seconds);
      }
    } finally {
      if (app != null) {
        app.destroy();
      } else {
        DockerTestSupport.run(Duration.ofMinutes(2), dir, Map.of(), concat(compose, "down", "-v"));
      }
    }
  }

  private static void run(String label, int port, int rate, int seconds) throws InterruptedException {
    try (LoadGenerator load = LoadGenerator.start(port, "/version", rate, 8)) {
      Thread.sleep(seconds * 1_000L);
      load.stop();
      System.out.printf("[bench/proxy] %s %d req/s for %d s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms; not 200: %d, errors: %d%n",
          label, rate, seconds, load.percentileMicros(50) / 1e3, load.percentileMicros(99) / 1e3,
          load.percentileMicros(99.9) / 1e3, load.notOk(), load.errors.get());
      if (load.errors.get() + load.notOk() > 0) {
        System.out.printf("[bench/proxy]   first failures: %s%n", load.failureTimes().subList(0, Math.min(3, load.failureTimes().size())));
      }
    }
  }

  private static List<String> concat(List<String> base, String... more) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }
}
