package dev.stevedore.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
  private final Vertx vertx = Vertx.vertx();
  private final ProcessRunner runner = new ProcessRunner(vertx, vertx.createSharedWorkerExecutor("proc-test", 2));

  @AfterEach
  void close() {
    vertx.close();
  }

  private ProcessResult run(Command c) throws Exception {
    return runner.run(c).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void passesEnvironmentWithoutAShell() throws Exception {
    ProcessResult r = run(Command.of(List.of("printenv", "VERSION")).withEnvironment(Map.of("VERSION", "v1; echo pwned")));
    assertThat(r.ok()).isTrue();
    assertThat(r.output().trim()).isEqualTo("v1; echo pwned");
  }

  @Test
  void argumentsAreNotInterpreted() throws Exception {
    ProcessResult r = run(Command.of(List.of("echo", "$(id)", "`id`", "a;b")));
    assertThat(r.output().trim()).isEqualTo("$(id) `id` a;b");
  }

  @Test
  void reportsExitCodeAndMergedOutput() throws Exception {
    ProcessResult r = run(Command.of(List.of("ls", "/definitely/not/here")));
    assertThat(r.ok()).isFalse();
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("/definitely/not/here");
  }

  @Test
  void killsAProcessThatOutlivesItsTimeout() throws Exception {
    long t0 = System.nanoTime();
    ProcessResult r = run(Command.of(List.of("sleep", "30")).withTimeout(Duration.ofMillis(300)));
    assertThat(r.timedOut()).isTrue();
    assertThat(r.ok()).isFalse();
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
  }

  @Test
  void aMissingProgramIsAFailedResultNotAnException() throws Exception {
    ProcessResult r = run(Command.of(List.of("/no/such/program")));
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.output()).contains("cannot start");
  }

  @Test
  void keepsOnlyTheTailOfLongOutput() throws Exception {
    ProcessResult r = run(Command.of(List.of("seq", "1", "200000")));
    assertThat(r.ok()).isTrue();
    assertThat(r.output().length()).isLessThanOrEqualTo(ProcessRunner.MAX_OUTPUT);
    assertThat(r.output().trim()).endsWith("200000");
  }
}
