package dev.stevedore.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.process.ProcessResult;
import dev.stevedore.agent.process.ProcessRunner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service with {@code allowedRepositories} and no {@code image}: the images its compose file
 * names are checked (through a real {@code docker-compose config}) before anything is pulled. The
 * pull itself is faked (recorded, never run).
 */
class ComposeImageCheckTest {
  private final Vertx vertx = Vertx.vertx();
  private final ProcessRunner real = new ProcessRunner(vertx, vertx.createSharedWorkerExecutor("compose-check-test", 2));
  private final List<List<String>> ran = new CopyOnWriteArrayList<>();
  private final CommandRunner recording = c -> {
    ran.add(c.args());
    return c.args().contains("pull") ? Future.succeededFuture(new ProcessResult(0, "pulled", 1, false)) : real.run(c);
  };

  @TempDir
  Path dir;

  @BeforeEach
  void needsCompose() {
    assumeTrue(Stream.of(System.getenv("PATH").split(File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, "docker-compose"))), "docker-compose (v1) on PATH");
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  private StepResult pullStep(String composeFile) throws Exception {
    Files.writeString(dir.resolve("docker-compose.yml"), composeFile);
    ServiceConfig config = new ServiceConfig(DriverKind.COMPOSE, dir.toString(), null, "imagecheck", "web", null, null, null,
        Map.of(), null, null, List.of("127.0.0.1:5000/"), null, null, null, null);
    Breakers breakers = new Breakers(ResilienceConfig.defaults());
    ComposeDriver driver = new ComposeDriver(vertx, "web", config, ComposeFlavor.V1, "docker",
        new Docker(recording, breakers.docker()), breakers, Duration.ofSeconds(30));
    StepPlan pull = driver.forward("v2").get(0);
    assertThat(pull.name()).isEqualTo("pull");
    return pull.action().get().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void anImageOutsideTheAllowedRepositoriesIsRefusedBeforeThePull() throws Exception {
    // MINER_HOST is unset: compose warns on stderr, which must not spoil the YAML it prints
    StepResult r = pullStep("""
        services:
          web:
            image: 127.0.0.1:5000/web:${VERSION}
          miner:
            image: ${MINER_HOST}evil.example/miner:latest
        """);
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("miner (evil.example/miner:latest)").doesNotContain("web (");
    assertThat(ran).hasSize(1);
    assertThat(ran.get(0)).endsWith("config");
    assertThat(ran).noneMatch(args -> args.contains("pull"));
  }

  @Test
  void allowedImagesGoOnToThePull() throws Exception {
    StepResult r = pullStep("""
        services:
          web:
            image: 127.0.0.1:5000/web:${VERSION}
        """);
    assertThat(r.ok()).as(r.reason()).isTrue();
    assertThat(ran).hasSize(2);
    assertThat(ran.get(1)).endsWith("pull");
  }

  @Test
  void aComposeFileComposeCannotReadIsRefusedToo() throws Exception {
    StepResult r = pullStep("services: [not, a, mapping\n");
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("compose config");
    assertThat(ran).noneMatch(args -> args.contains("pull"));
  }
}
