package dev.stevedore.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.LoadGenerator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy upgrade under load: the shaded jar (the artifact users run, with its epoll natives) as
 * its own process, restarted three times the documented way (start the new process, wait until it
 * listens, SIGTERM the old one) while clients send 200 requests/s over keep-alive connections and
 * 50/s on a new connection each (at most 64 and 16 unanswered: on a starved machine the rest are
 * skipped, not queued into timeouts). Not one request sent may fail or be refused, and answers
 * must arrive during each restart. During the overlap the
 * old process switches colour (it still holds the admin port): the new one must follow its state
 * file, so no answer comes from a colour nobody serves.
 */
class EdgeProxyRestartIT {
  static final String TOKEN = "restart-it-token";
  static Vertx vertx;
  static HttpServer blue;
  static HttpServer green;
  /** HTTP/1.1, what the proxy serves (the JDK client would otherwise upgrade to h2c). */
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  @BeforeAll
  static void upstreams() {
    vertx = Vertx.vertx();
    blue = upstream("blue");
    green = upstream("green");
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  /** A colour: answers its name; {@code /slow} after 1.5 s (a request in flight across a restart). */
  static HttpServer upstream(String colour) {
    return vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/slow")) {
        vertx.setTimer(1_500, id -> req.response().end(colour));
      } else {
        req.response().end(colour);
      }
    }).listen(0, "127.0.0.1").await();
  }

  @Test
  void threeRestartsUnderLoadRefuseAndFailNoRequest() throws Exception {
    java.nio.file.Path migrate = java.nio.file.Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
    assertThat(java.nio.file.Files.exists(migrate) ? java.nio.file.Files.readString(migrate).strip() : "absent")
        .as("net.ipv4.tcp_migrate_req (scripts/prepare-test-env.sh sets it): without it a connection queued for the"
            + " old listener but not yet accepted is reset at its SIGTERM (docs/blue-green.md)")
        .isEqualTo("1");
    int port = FreePorts.find();
    int adminPort = FreePorts.find();
    List<Proxy> all = new ArrayList<>();
    Proxy current = Proxy.start(dir, port, adminPort, true);
    all.add(current);
    try {
      awaitStarted(current);
      assertThat(switchTo(adminPort, "blue", blue.actualPort())).isEqualTo(200);
      try (LoadGenerator keepAlive = LoadGenerator.bounded(port, "/", 200, 64);
           LoadGenerator fresh = LoadGenerator.newConnectionEach(port, "/", 50, 16)) {
        Thread.sleep(2_000);
        Proxy old = current;
        for (int i = 1; i <= 3; i++) {
          long started = System.nanoTime();
          Proxy next = Proxy.start(dir, port, adminPort, true);
          all.add(next);
          Awaitility.await().atMost(START).pollInterval(Duration.ofMillis(50))
              .until(() -> next.output().contains("is held") || !next.alive());
          assertThat(next.alive()).as(next.output()).isTrue();
          assertThat(next.output()).contains("(SO_REUSEPORT)");
          System.out.printf("[proxy-restart] %d: the new process listens %d ms after its start%n", i,
              (System.nanoTime() - started) / 1_000_000);
          if (i == 2) {
            // the old process still switches; the new one follows the file it saves
            assertThat(switchTo(adminPort, "green", green.actualPort())).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> next.output().contains("following it"));
          }
          Thread.sleep(1_000);                    // both listen: the kernel spreads new connections
          CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/slow")).timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
          Thread.sleep(200);
          long t0 = System.nanoTime();
          long[] before = {keepAlive.answered.get(), fresh.answered.get()};
          old.process.destroy();                  // SIGTERM
          awaitStarted(next);
          System.out.printf("[proxy-restart] %d: the new process took the admin port %d ms after SIGTERM%n", i,
              (System.nanoTime() - t0) / 1_000_000);
          assertThat(old.process.waitFor(60, TimeUnit.SECONDS)).as(old.output()).isTrue();
          assertThat(old.output()).contains("edge-proxy stopping");
          HttpResponse<String> slowAnswer = slow.get(60, TimeUnit.SECONDS);
          assertThat(slowAnswer.statusCode()).isEqualTo(200);
          assertThat(slowAnswer.body()).isIn("blue", "green");
          // traffic flowed through this restart, on both kinds of connection
          Awaitility.await().atMost(START).until(() -> keepAlive.answered.get() > before[0] && fresh.answered.get() > before[1]);
          old = next;
        }
        Thread.sleep(2_000);
        keepAlive.stop();
        fresh.stop();
        System.out.printf("[proxy-restart] keep-alive: %s%n[proxy-restart] new connection each: %s%n",
            keepAlive.summary(), fresh.summary());
        for (LoadGenerator load : List.of(keepAlive, fresh)) {
          assertThat(load.errors.get()).as("%s %s", load.summary(), load.failureTimes()).isZero();
          assertThat(load.notOk()).as(load.summary()).isZero();
          assertThat(load.bodiesSeen()).as(load.summary()).isSubsetOf("blue", "green");
        }
        assertThat(keepAlive.bodiesSeen()).contains("green");
        // the last process took the admin port: it switches, and saw the switch made before it
        assertThat(admin(adminPort, "/state")).contains("\"colour\":\"green\"");
        assertThat(switchTo(adminPort, "blue", blue.actualPort())).isEqualTo(200);
      }
    } finally {
      for (Proxy p : all) {
        p.close();
      }
    }
  }

  /** Without SO_REUSEPORT there is no overlap: the second process cannot bind and says why. */
  @Test
  void withoutReusePortTheNewProcessCannotBindWhileTheOldOneListens() throws Exception {
    int port = FreePorts.find();
    int adminPort = FreePorts.find();
    try (Proxy first = Proxy.start(dir, port, adminPort, false)) {
      awaitStarted(first);
      try (Proxy second = Proxy.start(dir, port, adminPort, false)) {
        assertThat(second.process.waitFor(START.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(second.process.exitValue()).isNotZero();
        assertThat(second.output()).contains("failed to start").containsIgnoringCase("address already in use");
      }
      assertThat(first.alive()).isTrue();
    }
  }

  /**
   * A JVM's start on a loaded two-core machine (load averages of 20-50 while other tests run) takes
   * anything from 2 s to a minute: the waits are long, the checks are not loosened.
   */
  static final Duration START = Duration.ofMinutes(3);

  static void awaitStarted(Proxy p) {
    Awaitility.await().atMost(START).pollInterval(Duration.ofMillis(50))
        .until(() -> p.output().contains("edge proxy on") || !p.alive());
    assertThat(p.alive()).as(p.output()).isTrue();
  }

  static int switchTo(int adminPort, String colour, int upstreamPort) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/upstream"))
            .header("authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"colour\":\"" + colour + "\",\"port\":" + upstreamPort + "}"))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static String admin(int adminPort, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .header("authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** {@code java -jar target/edge-proxy-*-all.jar}, its output in a file. */
  record Proxy(Process process, Path log) implements AutoCloseable {
    static Proxy start(Path dir, int port, int adminPort, boolean reusePort) throws IOException {
      Path jar;
      try (Stream<Path> files = Files.list(Path.of("target"))) {
        jar = files.filter(f -> f.getFileName().toString().endsWith("-all.jar")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no shaded jar in target/ (the package phase builds it)"));
      }
      Path token = Files.writeString(dir.resolve("token"), TOKEN);
      Path log = dir.resolve("proxy-" + System.nanoTime() + ".log");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx96m", "-XX:+UseSerialGC", "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
      pb.environment().put("STEVEDORE_HOST", "127.0.0.1");
      pb.environment().put("STEVEDORE_PORT", String.valueOf(port));
      pb.environment().put("STEVEDORE_ADMIN_PORT", String.valueOf(adminPort));
      pb.environment().put("STEVEDORE_ADMIN_TOKEN_FILE", token.toString());
      pb.environment().put("STEVEDORE_STATE_PATH", dir.resolve("edge-proxy.json").toString());
      pb.environment().put("STEVEDORE_REUSE_PORT", String.valueOf(reusePort));
      return new Proxy(pb.start(), log);
    }

    boolean alive() {
      return process.isAlive();
    }

    String output() {
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
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
