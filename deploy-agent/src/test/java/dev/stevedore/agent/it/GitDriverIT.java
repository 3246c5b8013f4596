package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.config;
import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The git driver against real git repositories: an "origin" (bare), an author clone that pushes
 * commits, and the managed checkout. The restart command copies the checked-out files to the
 * folder a small HTTP server serves (the "running" release); its /health answers 200 for "ok".
 */
class GitDriverIT {
  private static final Duration T = Duration.ofSeconds(30);

  private static String git(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=it", "-c", "user.email=it@example.invalid",
        "-c", "init.defaultBranch=main"));
    cmd.addAll(List.of(args));
    return DockerTestSupport.run(T, dir, Map.of("GIT_TERMINAL_PROMPT", "0"), cmd).orThrow().out().trim();
  }

  private static String commit(Path author, String version, String health) throws Exception {
    Files.writeString(author.resolve("version"), version);
    Files.writeString(author.resolve("health"), health);
    git(author, "add", "version", "health");
    git(author, "commit", "-q", "-m", version);
    git(author, "push", "-q", "origin", "HEAD:main");
    return git(author, "rev-parse", "HEAD");
  }

  @Test
  void deploysExactCommitsAndRollsBackToThePreviousOne(@TempDir Path dir) throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    Path origin = dir.resolve("origin.git");
    Path author = dir.resolve("author");
    Path site = dir.resolve("site");
    Path served = dir.resolve("served");
    Files.createDirectories(origin);
    Files.createDirectories(author);
    Files.createDirectories(served);
    git(origin, "init", "-q", "--bare");
    git(author, "init", "-q");
    git(author, "remote", "add", "origin", origin.toString());
    String c1 = commit(author, "c1", "ok");
    git(dir, "clone", "-q", origin.toString(), site.toString());
    Files.copy(site.resolve("version"), served.resolve("version"));
    Files.copy(site.resolve("health"), served.resolve("health"));
    String c2 = commit(author, "v2", "ok");
    git(author, "tag", "v2");
    git(author, "push", "-q", "origin", "v2");
    String c3 = commit(author, "v3", "bad");

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", ex -> {
      boolean ok = Files.readString(served.resolve("health")).trim().equals("ok");
      byte[] body = (ok ? "ok" : "unhealthy").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(ok ? 200 : 500, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    Vertx vertx = Vertx.vertx();
    RunningAgent agent = null;
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS)) {
      ServiceConfig siteConfig = new ServiceConfig(DriverKind.GIT, null, null, null, null, null, null, null, Map.of(), null, true,
          null, new HealthCheckConfig(HealthCheckType.HTTP, "http://127.0.0.1:" + server.getAddress().getPort() + "/health", 200,
          Duration.ofMillis(100), Duration.ofSeconds(2)), null,
          new ServiceConfig.GitConfig(site.toString(), "origin", "main",
              List.of("cp", "version", "health", served.toString() + "/")), null);
      String host = AgentFixture.hostId();
      agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"), Map.of("site", siteConfig)));

      DeployRequested toTag = send(kafka, request("site", "v2", host));
      Outcome o1 = events.awaitOutcome(toTag.deploymentId(), Duration.ofSeconds(60));
      assertThat(o1).isInstanceOf(DeploySucceeded.class);
      assertThat(((DeploySucceeded) o1).digest()).isEqualTo(c2);
      assertThat(git(site, "rev-parse", "HEAD")).isEqualTo(c2);
      assertThat(Files.readString(served.resolve("version"))).isEqualTo("v2");
      assertThat(events.of(toTag.deploymentId()).stream().filter(e -> e instanceof DeployStep)
          .map(e -> ((DeployStep) e).step())).containsExactly("fetch", "checkout", "restart", "health-check");
      // Every event it published is signed with its own key, written beside its state at first start.
      var agentKey = dev.stevedore.common.security.Ed25519Keys.publicKeyFromPem(
          Files.readString(dir.resolve("state").resolve(dev.stevedore.agent.state.AgentKey.PUBLIC_FILE)));
      var verifier = new dev.stevedore.common.security.EventVerifier(
          List.of(new dev.stevedore.common.security.EventVerifier.TrustedAgent(host, agentKey)),
          new dev.stevedore.common.event.EventCodec());
      assertThat(events.of(toTag.deploymentId())).isNotEmpty()
          .allSatisfy(e -> assertThat(verifier.verify(e).verified()).as(e.type().typeName()).isTrue());

      DeployRequested toBadCommit = send(kafka, request("site", c3, host));
      Outcome o2 = events.awaitOutcome(toBadCommit.deploymentId(), Duration.ofSeconds(60));
      assertThat(o2).isInstanceOf(DeployRolledBack.class);
      assertThat(((DeployRolledBack) o2).restoredVersion()).isEqualTo("v2");
      assertThat(((DeployRolledBack) o2).restoredHealthy()).isTrue();
      assertThat(git(site, "rev-parse", "HEAD")).isEqualTo(c2);
      assertThat(Files.readString(served.resolve("version"))).isEqualTo("v2");

      DeployRequested toBranch = send(kafka, request("site", "main", host));
      Outcome o3 = events.awaitOutcome(toBranch.deploymentId(), Duration.ofSeconds(60));
      assertThat(o3).isInstanceOf(DeployFailed.class);
      assertThat(((DeployFailed) o3).step()).isEqualTo("fetch");
      assertThat(((DeployFailed) o3).reason()).contains("neither a tag nor a commit");
      assertThat(git(site, "rev-parse", "HEAD")).isEqualTo(c2);
      assertThat(c1).isNotEqualTo(c2);
    } finally {
      if (agent != null) {
        agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      server.stop(0);
    }
  }
}
