package dev.stevedore.agent.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {
  private final Vertx vertx = Vertx.vertx();
  private final ProcessRunner runner = new ProcessRunner(vertx, vertx.createSharedWorkerExecutor("proc-test", 2));

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    vertx.close();
  }

  private Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private long pidIn(String file) throws Exception {
    Path p = dir.resolve(file);
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(p) && !Files.readString(p).isBlank());
    return Long.parseLong(Files.readString(p).trim());
  }

  /** Alive and not a zombie (an orphan's zombie waits for whatever reaps on this machine). */
  private static boolean alive(long pid) {
    return Sessions.sessionOf(pid).isPresent();
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
  void feedsTheInputOnStdinAndFindsTheProgramOnTheCommandsPath() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path echo = bin.resolve("stevedore-test-echo");
    Files.writeString(echo, "#!/bin/sh\ncat\n");
    Files.setPosixFilePermissions(echo, PosixFilePermissions.fromString("rwx------"));
    ProcessResult r = run(Command.of(List.of("stevedore-test-echo")).withInput("registry.example.com")
        .withEnvironment(Map.of("PATH", bin + ":/usr/bin:/bin")));
    assertThat(r.ok()).as(r.output()).isTrue();
    assertThat(r.output()).isEqualTo("registry.example.com");
    // without input, stdin is empty
    assertThat(run(Command.of(List.of("stevedore-test-echo")).withEnvironment(Map.of("PATH", bin + ":/usr/bin:/bin"))).output())
        .isEmpty();
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

  @Test
  void aBackgroundChildHoldingStdoutDoesNotKeepTheStepWaiting() throws Exception {
    // the pause lets the reader wait on the output while the script exits (a pipe then never ends)
    Path hook = script("hook.sh", "sleep 300 &\necho $! > child.pid\necho migrated\nsleep 1");
    long t0 = System.nanoTime();
    ProcessResult r = run(new Command(List.of(hook.toString()), dir, Map.of(), Duration.ofSeconds(60)).inOwnSession());
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
    assertThat(r.ok()).isTrue();
    assertThat(r.output()).contains("migrated");
    // what the step left running after it exited is not swept (see ProcessRunner); end it here
    long child = pidIn("child.pid");
    ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(Duration.ofSeconds(5)).until(() -> !alive(child));
  }

  @Test
  void theTimeoutEndsTheStepAndEveryProcessOfItEvenADaemonizedOne() throws Exception {
    // the subshell backgrounds sleep and exits, so sleep is re-parented (no longer a descendant) and keeps stdout open
    Path hook = script("restart.sh", "echo $$ > main.pid\n(sleep 300 & echo $! > daemon.pid)\necho restarting\nsleep 300");
    long t0 = System.nanoTime();
    ProcessResult r = run(new Command(List.of(hook.toString()), dir, Map.of(), Duration.ofSeconds(1)).inOwnSession());
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.output()).contains("restarting").contains("killed after 1000 ms");
    long main = pidIn("main.pid");
    long daemon = pidIn("daemon.pid");
    await().atMost(Duration.ofSeconds(5)).until(() -> !alive(main) && !alive(daemon));
  }

  @Test
  void aChildSeesOnlyTheAllowListedEnvironmentPlusItsOwnVariables() throws Exception {
    ProcessResult r = run(Command.of(List.of("env")).withEnvironment(Map.of("DEMO_PORT", "18080")));
    assertThat(r.ok()).isTrue();
    List<String> names = r.output().lines().filter(l -> l.contains("=")).map(l -> l.substring(0, l.indexOf('='))).toList();
    assertThat(names).contains("PATH", "DEMO_PORT");
    assertThat(names).allSatisfy(n -> assertThat(ChildEnvironment.allowed(n) || n.equals("DEMO_PORT")).as(n).isTrue());
  }

  @Test
  void credentialsInTheAgentsEnvironmentAreNotInherited() {
    Map<String, String> agent = Map.of("PATH", "/usr/bin", "HOME", "/root", "LC_ALL", "C.UTF-8", "DOCKER_HOST", "unix:///x.sock",
        "COMPOSE_HTTP_TIMEOUT", "120", "STEVEDORE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "password=\"hunter2\"",
        "KAFKA_PASSWORD", "hunter2", "AWS_SECRET_ACCESS_KEY", "abc", "JAVA_TOOL_OPTIONS", "-Dx=y");
    assertThat(ChildEnvironment.inherited(agent)).containsOnlyKeys("PATH", "HOME", "LC_ALL", "DOCKER_HOST", "COMPOSE_HTTP_TIMEOUT");
  }

  @Test
  void stdoutOnlyKeepsWarningsOutOfParsedOutputUnlessTheProcessFails() throws Exception {
    Path ok = script("ok.sh", "echo 'WARNING: X is not set' >&2\necho 'services: {}'");
    ProcessResult r = run(new Command(List.of(ok.toString()), dir, Map.of(), null).withStdoutOnly());
    assertThat(r.output().trim()).isEqualTo("services: {}");
    Path bad = script("bad.sh", "echo partial\necho 'ERROR: no such file' >&2\nexit 2");
    ProcessResult failed = run(new Command(List.of(bad.toString()), dir, Map.of(), null).withStdoutOnly());
    assertThat(failed.exitCode()).isEqualTo(2);
    assertThat(failed.output()).contains("partial").contains("ERROR: no such file");
  }

  @Test
  void sessionIdIsReadAfterTheCommandName() {
    assertThat(Sessions.sessionFromStat("42 (a) b (c)) S 1 40 41 0 -1").getAsLong()).isEqualTo(41);
    assertThat(Sessions.sessionFromStat("42 (sh) Z 1 40 41 0 -1")).isEmpty();
  }
}
