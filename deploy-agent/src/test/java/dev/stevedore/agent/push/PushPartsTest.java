package dev.stevedore.agent.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.agent.state.HostLock;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushPartsTest {
  static final Instant T = Instant.parse("2026-11-29T12:00:00Z");
  static final String ID = "0b7c6f7e-1111-4a4a-9c9c-123456789abc";

  @Test
  void theExitCodeFollowsTheOutcome() {
    assertThat(PushExit.of(new DeploySucceeded("e", "s", T, ID, "h", "web", "prod", "v2", null, 10))).isEqualTo(PushExit.SUCCEEDED);
    assertThat(PushExit.of(new DeployFailed("e", "s", T, ID, "h", "web", "prod", "v2", "pull", 1, "x", "not found", "v1", 10)))
        .isEqualTo(PushExit.FAILED);
    assertThat(PushExit.of(new DeployRolledBack("e", "s", T, ID, "h", "web", "prod", "v2", "v1", "health-check", "unhealthy",
        true, 10))).isEqualTo(PushExit.ROLLED_BACK);
    assertThat(PushExit.of(new DeploySkipped("e", "s", T, ID, "h", "web", "prod", "v2",
        "version v2 already runs here; nothing to do (a forced request deploys it again)"))).isEqualTo(PushExit.SUCCEEDED);
    assertThat(PushExit.of(new DeploySkipped("e", "s", T, ID, "h", "web", "prod", "v2",
        "version v2 is blocked after a failed rollout on this host"))).isEqualTo(PushExit.REFUSED);
    assertThat(PushExit.values()).extracting(e -> e.code).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(PushExit.of(42)).isEqualTo(PushExit.ERROR);
  }

  @Test
  void aFailedStepLineShowsTheLastOutputLineSanitised() {
    String line = PushProgress.line(new DeployStep("e", "s", T, ID, "h", "web", "pull", false, 1200, 1,
        "Pulling demo\nmanifest for x:v9 not found\u001b[31m\n"));
    assertThat(line).isEqualTo("step pull FAILED in 1200 ms (exit 1): manifest for x:v9 not found?[31m");
    assertThat(PushProgress.line(new DeployStep("e", "s", T, ID, "h", "web", "up", true, 80, 0, "ok")))
        .isEqualTo("step up ok in 80 ms");
  }

  @Test
  void aRequestFileIsCheckedLikeARequestFromTheNetwork() {
    PushRequest r = new PushRequest(ID, "web", "v2", T, "ssh 10.0.0.1\nforged line");
    assertThat(r.requestedBy()).isEqualTo("ssh 10.0.0.1?forged line");
    assertThat(PushRequest.decode(r.encode())).isEqualTo(r);
    assertThatThrownBy(() -> PushRequest.decode(("{\"deploymentId\":\"" + ID + "\",\"service\":\"web\",\"version\":"
        + "\"v1;reboot\",\"requestedAt\":\"2026-11-29T12:00:00Z\"}").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("version must be a tag");
    assertThatThrownBy(() -> PushRequest.decode(("{\"deploymentId\":\"../../etc/passwd\",\"service\":\"web\","
        + "\"version\":\"v1\",\"requestedAt\":\"2026-11-29T12:00:00Z\"}").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("deploymentId must be a UUID");
    assertThatThrownBy(() -> PushRequest.decode(("{\"deploymentId\":\"" + ID + "\",\"service\":\"web\",\"version\":"
        + "\"v1\",\"requestedAt\":\"2026-11-29T12:00:00Z\",\"force\":true}").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("malformed request file");
    assertThatThrownBy(() -> PushRequest.decode(new byte[5000])).hasMessageContaining("larger than");
    assertThatThrownBy(() -> PushRequest.decode("{".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("malformed");
  }

  @Test
  void theAuthorizedKeysLineForcesTheGateAndRestrictsEverythingElse() {
    String pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII9yo3eqAzGScCzfKBpOT0dnDK7Uvpzg/R4P95X9IS/T ci@example";
    assertThat(AuthorizedKeys.line(pub + "\n", AuthorizedKeys.DEFAULT_COMMAND)).isEqualTo(
        "restrict,command=\"stevedore-agent ssh-gate\" " + pub);
    assertThat(AuthorizedKeys.line(pub, "/usr/local/bin/stevedore-agent ssh-gate --config /etc/stevedore/agent.yml"))
        .startsWith("restrict,command=\"/usr/local/bin/stevedore-agent ssh-gate --config /etc/stevedore/agent.yml\" ");
    assertThatThrownBy(() -> AuthorizedKeys.line("from=\"*\" " + pub, AuthorizedKeys.DEFAULT_COMMAND))
        .hasMessageContaining("without options");
    assertThatThrownBy(() -> AuthorizedKeys.line("-----BEGIN OPENSSH PRIVATE KEY-----", AuthorizedKeys.DEFAULT_COMMAND))
        .hasMessageContaining("not one OpenSSH public key line");
    assertThatThrownBy(() -> AuthorizedKeys.line(pub, "stevedore-agent ssh-gate\" ,permitopen=\"*"))
        .hasMessageContaining("gate command");
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String java(Path source, String mode, Path dir) throws Exception {
    Process p = new ProcessBuilder(javaBin(), source.toString(), mode, dir.resolve(HostLock.FILE).toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void theHostLockIsExclusiveAndFreedWhenItsHolderEnds(@TempDir Path dir) throws Exception {
    Optional<HostLock> first = HostLock.tryAcquire(dir, "agent web-1");
    assertThat(first).isPresent();
    assertThat(HostLock.tryAcquire(dir, "push")).isEmpty();
    assertThat(HostLock.holder(dir)).isEqualTo("pid " + ProcessHandle.current().pid() + " agent web-1");
    // another process cannot take it either (a second JVM, as a daemon and a push are)
    Path holder = dir.resolve("Holder.java");
    Files.writeString(holder, """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        public class Holder {
          public static void main(String[] a) throws Exception {
            FileChannel ch = FileChannel.open(Path.of(a[1]), StandardOpenOption.WRITE, StandardOpenOption.CREATE);
            if (a[0].equals("try")) { System.out.println(ch.tryLock() == null ? "busy" : "got"); return; }
            ch.lock(); System.out.println("locked"); System.out.flush(); Thread.sleep(60_000);
          }
        }
        """);
    assertThat(java(holder, "try", dir)).isEqualTo("busy");
    first.get().close();
    assertThat(java(holder, "try", dir)).isEqualTo("got");
    Optional<HostLock> second = HostLock.tryAcquire(dir, "push");
    assertThat(second).isPresent();
    second.get().close();
    // a holder killed with SIGKILL leaves no lock behind
    Process p = new ProcessBuilder(javaBin(), holder.toString(), "hold", dir.resolve(HostLock.FILE).toString()).start();
    assertThat(new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("locked");
    assertThat(HostLock.tryAcquire(dir, "push")).isEmpty();
    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Optional<HostLock> after = HostLock.tryAcquire(dir, "push");
    assertThat(after).isPresent();
    after.get().close();
    assertThat(Files.readString(dir.resolve(HostLock.OWNER_FILE))).startsWith("pid ");
  }
}
