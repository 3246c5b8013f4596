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

/**
 * What a proxy restart (an upgrade) costs: SIGTERM, then a new process on the same port and state
 * file, while a probe reads through it every 20 ms. Prints the longest gap and the failed probes
 * per restart, and whether the new process came back on the same colour without being told.
 */
public final class ProxyRestartBench {
  public static void main(String[] args) throws Exception {
    int restarts = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = Files.createTempDirectory("proxy-restart");
    int appPort = FreePorts.find();
    int port = FreePorts.find();
    int adminPort = FreePorts.find();
    Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), KeepAliveApp.class.getName(), String.valueOf(appPort))
        .inheritIO().start();
    EdgeProxyProcess proxy = EdgeProxyProcess.start(dir, port, adminPort, "bench");
    try {
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(proxy.adminUrl() + "/upstream"))
              .header("authorization", "Bearer bench")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"colour\":\"blue\",\"port\":" + appPort + "}")).build(),
          HttpResponse.BodyHandlers.ofString());
      for (int i = 0; i < restarts; i++) {
        try (HttpProbe probe = HttpProbe.start("http://127.0.0.1:" + port + "/", Duration.ofMillis(20), Duration.ofMillis(500))) {
          probe.awaitSuccess(Duration.ofSeconds(20));
          Thread.sleep(500);
          proxy.close();
          proxy = EdgeProxyProcess.start(dir, port, adminPort, "bench");
          probe.awaitSamples(probe.total() + 25, Duration.ofSeconds(20));
          System.out.printf("[bench/proxy-restart] restart %d: longest gap %d ms, failed probes %d; state after: %s%n", i + 1,
              probe.longestFailureGap().toMillis(), probe.failures(), proxy.admin("/state"));
        }
      }
    } finally {
      proxy.close();
      app.destroy();
    }
  }
}
