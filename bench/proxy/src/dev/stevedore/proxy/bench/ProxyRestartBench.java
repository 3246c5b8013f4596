package dev.stevedore.proxy.bench;

import dev.stevedore.agent.it.EdgeProxyProcess;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.HttpProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What a proxy restart (an upgrade) costs, the two ways side by side (A B A B in one run), while a
 * probe reads through the public port every 20 ms:
 * <ul>
 *   <li>A, stop then start: SIGTERM, wait for the exit, then a new process on the same port;</li>
 *   <li>B, the documented procedure: a new process beside the old one (SO_REUSEPORT), SIGTERM the
 *   old one once the new one listens.</li>
 * </ul>
 * Prints the longest gap and the failed probes per restart, and the state the new process serves.
 */
public final class ProxyRestartBench {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path dir = Files.createTempDirectory("proxy-restart");
    int appPort = FreePorts.find();
    int port = FreePorts.find();
    int adminPort = FreePorts.find();
    Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), KeepAliveApp.class.getName(), String.valueOf(appPort))
        .inheritIO().start();
    EdgeProxyProcess proxy = EdgeProxyProcess.start(dir, port, adminPort, "bench");
    try {
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(HttpRequest.newBuilder(URI.create(proxy.adminUrl() + "/upstream"))
              .header("authorization", "Bearer bench")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"colour\":\"blue\",\"port\":" + appPort + "}")).build(),
          HttpResponse.BodyHandlers.ofString());
      for (int i = 0; i < rounds * 2; i++) {
        boolean overlap = i % 2 == 1;
        try (HttpProbe probe = HttpProbe.start("http://127.0.0.1:" + port + "/", Duration.ofMillis(20), Duration.ofMillis(500))) {
          probe.awaitSuccess(Duration.ofSeconds(60));
          Thread.sleep(500);
          EdgeProxyProcess old = proxy;
          if (overlap) {
            proxy = EdgeProxyProcess.startBeside(dir, port, adminPort, "bench");
            old.terminate();
            old.close();
          } else {
            old.close();
            proxy = EdgeProxyProcess.start(dir, port, adminPort, "bench");
          }
          EdgeProxyProcess now = proxy;
          org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> now.output().contains("edge proxy on"));
          probe.awaitSamples(probe.total() + 25, Duration.ofSeconds(60));
          System.out.printf("[bench/proxy-restart] %s restart %d: longest gap %d ms, failed probes %d of %d; load %s; state after: %s%n",
              overlap ? "B (new beside old, SO_REUSEPORT)" : "A (stop, then start)", i / 2 + 1,
              probe.longestFailureGap().toMillis(), probe.failures(), probe.total(),
              Files.readString(Path.of("/proc/loadavg")).split(" ")[0], proxy.admin("/state"));
        }
      }
    } finally {
      proxy.close();
      app.destroy();
      app.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
