package dev.stevedore.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.config.CommandLine;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher in a real JVM: exit codes, and the ordered stop on SIGTERM and on Ctrl-C alike. */
class LauncherIT {
  @TempDir Path dir;

  /** A service that starts (or fails to, with {@code --config fail}) and says when it stops. */
  public static final class FakeMain {
    public static void main(String[] args) {
      Launcher.of(new CommandLine.Program("fake", "A service that does nothing."), file -> file.map(Path::toString).orElse("ok"), (vertx, config) -> {
        if (config.equals("fail")) {
          return Future.failedFuture(new IllegalStateException("no key configured"));
        }
        return Future.succeededFuture(new RunningService() {
          @Override
          public int port() {
            return -1;
          }

          @Override
          public Future<Void> stop() {
            System.out.println("fake service stopped first");
            return Future.succeededFuture();
          }
        });
      }).startTimeout(Duration.ofSeconds(10)).stopTimeout(Duration.ofSeconds(10)).run(args);
    }
  }

  private Process launch(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        FakeMain.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
  }

  private String log() throws Exception {
    return Files.readString(dir.resolve("out.log"));
  }

  @Test
  void aUsageErrorExitsWith2AndSaysHow() throws Exception {
    Process p = launch("--nonsense");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(Launcher.EXIT_USAGE);
    assertThat(log()).contains("fake: Unknown option: '--nonsense'", "Usage: fake [-hV] [--config=FILE]")
        .doesNotContain("fake started");
  }

  @Test
  void helpAndVersionExitWith0WithoutStarting() throws Exception {
    Process p = launch("--help");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(log()).contains("Usage: fake [-hV] [--config=FILE]", "A service that does nothing.", "Exit codes:")
        .doesNotContain("fake started");
    p = launch("--version");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(log()).startsWith("fake " + CommandLine.version()).doesNotContain("fake started");
    assertThat(CommandLine.version()).isNotEqualTo("unknown");
  }

  @Test
  void aServiceThatDoesNotStartExitsWith1AndSaysWhy() throws Exception {
    Process p = launch("--config", "fail");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(Launcher.EXIT_START_FAILED);
    assertThat(log()).contains("fake did not start: no key configured");
  }

  @Test
  void sigtermStopsTheServiceThenVertxAndFlushesTheLog() throws Exception {
    Process p = launch();
    await().atMost(Duration.ofSeconds(30)).until(() -> log().contains("fake started"));
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(143);
    assertThat(log()).containsSubsequence("fake stopping", "fake service stopped first", "fake stopped");
  }

  @Test
  void ctrlCStopsItTheSameWay() throws Exception {
    Process p = launch();
    await().atMost(Duration.ofSeconds(30)).until(() -> log().contains("fake started"));
    Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(130);
    assertThat(log()).containsSubsequence("fake stopping", "fake service stopped first", "fake stopped");
  }
}
