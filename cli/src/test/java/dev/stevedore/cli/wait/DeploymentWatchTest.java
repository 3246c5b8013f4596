package dev.stevedore.cli.wait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.api.Deployment.HostRun;
import dev.stevedore.cli.api.Deployment.Step;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DeploymentWatchTest {
  static final String ID = "0d6e0000-0000-5000-8000-000000000001";

  /** A clock the pauses move forward. */
  static final class FakeTime {
    Instant now = Instant.parse("2026-11-29T10:00:00Z");

    Clock clock() {
      return new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
      };
    }
  }

  static Step step(String name, boolean ok) {
    return new Step(name, ok, 100L, ok ? 0 : 1, null, null);
  }

  static HostRun host(String name, String status, Step... steps) {
    return new HostRun(name, status, "v1", "v2", status.equals("succeeded") ? "v2" : "v1",
        status.equals("failed") ? "up" : null, null, status.equals("failed") ? "exit 1" : null, null, null, null, List.of(steps));
  }

  static Deployment deployment(String status, HostRun... hosts) {
    return new Deployment(ID, "web", "production", "v2", "alice", "api", "r", "2026-11-29T10:00:00Z", status, null, List.of(hosts));
  }

  /** Answers each poll with the next supplier's result; the last one repeats. */
  static DeploymentSource script(List<Supplier<Optional<Deployment>>> answers) {
    Deque<Supplier<Optional<Deployment>>> queue = new ArrayDeque<>(answers);
    return id -> (queue.size() > 1 ? queue.poll() : queue.peek()).get();
  }

  private final FakeTime time = new FakeTime();
  private final StringWriter text = new StringWriter();

  private DeploymentWatch.Result watch(DeploymentSource source, Duration timeout) {
    return new DeploymentWatch(source, time.clock(), d -> time.now = time.now.plus(d), Duration.ofSeconds(1))
        .await(ID, timeout, new PlainProgress(new PrintWriter(text)));
  }

  @Test
  void eachStepIsShownOnceAsItAppearsAndTheExitCodeIsTheOutcome() {
    var result = watch(script(List.of(
        Optional::empty,
        () -> Optional.of(deployment("requested")),
        () -> Optional.of(deployment("running", host("web-1", "running", step("pull", true)))),
        () -> Optional.of(deployment("running", host("web-1", "running", step("pull", true)))),
        () -> Optional.of(deployment("running", host("web-1", "running", step("pull", true), step("up", true)),
            host("web-2", "running"))),
        () -> Optional.of(deployment("succeeded", host("web-1", "succeeded", step("pull", true), step("up", true)),
            host("web-2", "succeeded", step("pull", true), step("up", true)))))), Duration.ofMinutes(1));
    assertThat(result.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(text.toString()).isEqualTo("""
        web-1 running
        web-1 step pull ok 100ms
        web-1 step up ok 100ms
        web-2 running
        web-1 succeeded (v1 -> v2)
        web-2 step pull ok 100ms
        web-2 step up ok 100ms
        web-2 succeeded (v1 -> v2)
        """);
  }

  @Test
  void failedAndRolledBackAndCancelledHaveTheirOwnExitCodes() {
    assertThat(watch(script(List.of(() -> Optional.of(deployment("failed", host("web-1", "failed", step("up", false)))))),
        Duration.ofMinutes(1)).exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(text.toString()).contains("web-1 step up failed 100ms exit 1").contains("web-1 failed at up: exit 1 (runs v1)");
    assertThat(watch(script(List.of(() -> Optional.of(deployment("rolled-back")))), Duration.ofMinutes(1)).exitCode())
        .isEqualTo(ExitCode.ROLLED_BACK);
    assertThat(watch(script(List.of(() -> Optional.of(deployment("cancelled")))), Duration.ofMinutes(1)).exitCode())
        .isEqualTo(ExitCode.CANCELLED);
    assertThat(watch(script(List.of(() -> Optional.of(deployment("skipped")))), Duration.ofMinutes(1)).exitCode())
        .isEqualTo(ExitCode.OK);
  }

  @Test
  void itGivesUpAtTheTimeoutWithTheLastStateSeen() {
    var result = watch(script(List.of(() -> Optional.of(deployment("running", host("web-1", "running"))))), Duration.ofSeconds(10));
    assertThat(result.exitCode()).isEqualTo(ExitCode.TIMEOUT);
    assertThat(result.timedOut()).isTrue();
    assertThat(result.deployment().orElseThrow().status()).isEqualTo("running");
    assertThat(time.now).isEqualTo(Instant.parse("2026-11-29T10:00:10Z"));
  }

  @Test
  void anUnreachableAuditIsRetriedWithOneNoteButARefusedTokenEndsTheWait() {
    var result = watch(script(List.of(
        () -> { throw new CliException(ExitCode.UNREACHABLE, "cannot reach the audit"); },
        () -> { throw new CliException(ExitCode.BUSY, "audit refused (503)"); },
        () -> Optional.of(deployment("succeeded")))), Duration.ofMinutes(1));
    assertThat(result.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(text.toString()).containsOnlyOnce("still waiting: cannot reach the audit");
    assertThatThrownBy(() -> watch(script(List.of(() -> { throw new CliException(ExitCode.UNAUTHORIZED, "401"); })),
        Duration.ofMinutes(1))).isInstanceOfSatisfying(CliException.class,
        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED));
  }

  @Test
  void hostileHostAndStepNamesCannotWriteControlCharacters() {
    watch(script(List.of(() -> Optional.of(deployment("succeeded",
        host("web-1\u001b[1A\u001b[2Kweb-1 succeeded", "succeeded", step("pull\nweb-2 step up ok", true)))))),
        Duration.ofMinutes(1));
    assertThat(text.toString()).doesNotContain("\u001b").contains("web-1\\e[1A\\e[2Kweb-1 succeeded step pull\\nweb-2 step up ok ok");
    assertThat(text.toString().lines()).hasSize(2);
  }

  @Test
  void onATerminalEachHostIsOneLineRedrawnInPlace() {
    StringWriter tty = new StringWriter();
    TtyProgress view = new TtyProgress(new PrintWriter(tty), 100);
    view.update(deployment("running", host("web-1", "running", step("pull", true)), host("web-10", "running")));
    view.update(deployment("running", host("web-1", "running", step("pull", true)), host("web-10", "running")));
    view.update(deployment("failed", host("web-1", "succeeded", step("pull", true), step("up", true)),
        host("web-10\u001b[31m", "failed", step("pull", true), step("up", false))));
    String clear = "\u001b[2K\r";
    assertThat(tty.toString()).isEqualTo(
        clear + "web-1   running     pull ✓  …\n"
        + clear + "web-10  running     …\n"
        + "\u001b[2A"
        + clear + "web-1         succeeded   pull ✓  up ✓   (v1 -> v2)\n"
        + clear + "web-10\\e[31m  failed      pull ✓  up ✗   at up: exit 1 (runs v1)\n");
  }

  @Test
  void terminalLinesAreCutToTheWidth() {
    StringWriter tty = new StringWriter();
    new TtyProgress(new PrintWriter(tty), 20).update(deployment("running",
        host("web-1", "running", step("pull", true), step("up", true), step("health-check", true))));
    assertThat(tty.toString()).isEqualTo("\u001b[2K\rweb-1  running     …\n");
  }
}
