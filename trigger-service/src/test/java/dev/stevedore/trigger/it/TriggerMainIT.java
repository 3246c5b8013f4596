package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.trigger.TriggerMain;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process: refuses to start without a key, starts with a config file, stops on SIGTERM. */
class TriggerMainIT {
  @TempDir Path dir;

  private Process launch(Path config) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        TriggerMain.class.getName(), "--config", config.toString()));
    pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
    return pb.start();
  }

  @Test
  void withoutAKeyItRefusesToStartAndSaysWhy() throws Exception {
    Path config = dir.resolve("nokey.yml");
    Files.writeString(config, "kafka:\n  bootstrapServers: 127.0.0.1:1\nhttp:\n  port: 0\n"
        + "schedules:\n  dataDir: " + dir.resolve("data") + "\n");
    Process p = launch(config);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isNotZero();
    assertThat(Files.readString(dir.resolve("out.log"))).contains("no signing key").contains("generateEphemeralKey");
  }

  @Test
  void startsFromAConfigFileServesHealthAndStopsOnSigterm() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("trigger.yml");
    Files.writeString(config, String.join("\n",
        "kafka:",
        "  bootstrapServers: " + TestKafka.shared().getBootstrapServers(),
        "http:",
        "  host: 127.0.0.1",
        "  port: " + port,
        "  opsPort: 0",
        "signing:",
        "  generateEphemeralKey: true",
        "  publicKeyOut: " + dir.resolve("pub.pem"),
        "schedules:",
        "  dataDir: " + dir.resolve("data"),
        "warmUp:", // short, from the file: the default (up to 30 s) is for production
        "  durationMs: 20000",
        "  requests: 150",
        ""));
    Process p = launch(config);
    try {
      HttpClient client = HttpClient.newHttpClient();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
      assertThat(Files.readString(dir.resolve("pub.pem"))).startsWith("-----BEGIN PUBLIC KEY-----");
      // The warm-up ran before the service listened, within the file's budget (150 requests, or
      // fewer when 20 s end first on a loaded machine).
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.readString(dir.resolve("out.log")))
          .contains("warmed up with"));
      java.util.regex.Matcher done = java.util.regex.Pattern.compile("warm-up done: (\\d+) requests")
          .matcher(Files.readString(dir.resolve("out.log")));
      assertThat(done.find()).isTrue();
      assertThat(Integer.parseInt(done.group(1))).isBetween(1, 150);
      assertThat(Files.readString(dir.resolve("out.log"))).contains("warmed up with " + done.group(1) + " webhooks");
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(dir.resolve("out.log"))).contains("stopping").contains("stopped");
    } finally {
      p.destroyForcibly();
    }
    // Schedules live on the schedule topic: nothing is written to the old journal's directory.
    assertThat(new File(dir.toFile(), "data/schedules.jsonl")).doesNotExist();
  }
}
