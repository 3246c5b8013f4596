package dev.stevedore.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.PushSignatures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushOptionsTest {
  static final Map<String, String> ENV = Map.of("HOME", "/home/ci", PushOptions.KEY_VARIABLE, "x");

  @Test
  void parsesHostsWithUserAndPort() {
    assertThat(HostTarget.parse("deploy@web-1:2222")).isEqualTo(new HostTarget("deploy", "web-1", 2222));
    assertThat(HostTarget.parse("deploy@web-1.example.com")).isEqualTo(new HostTarget("deploy", "web-1.example.com", 22));
    assertThat(HostTarget.parse("root@[::1]:22").host()).isEqualTo("::1");
    assertThat(HostTarget.parse("deploy@web-1:22").label()).isEqualTo("web-1");
    for (String bad : new String[] {"web-1", "deploy@", "@web-1", "deploy@web-1:0", "deploy@web-1:99999",
        "-oProxyCommand=x@web-1", "deploy@-oProxyCommand=x", "deploy@web 1", "deploy@web-1:22;id"}) {
      assertThatThrownBy(() -> HostTarget.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void validatesServiceAndVersionBeforeConnectingAnywhere() {
    PushOptions o = PushOptions.parse(new String[] {"--host", "deploy@web-1", "--host", "deploy@web-2:2222", "--service",
        "web", "--version", "v42", "--wave", "2"}, ENV);
    assertThat(o.hosts()).hasSize(2);
    assertThat(o.wave()).isEqualTo(2);
    assertThat(o.knownHosts()).isEqualTo(Path.of("/home/ci/.ssh/known_hosts"));
    assertThat(o.acceptNew()).isFalse();
    String[][] bad = {
        {"--service", "web", "--version", "v1"},
        {"--host", "deploy@web-1", "--service", "web", "--version", "v1;reboot"},
        {"--host", "deploy@web-1", "--service", "web", "--version", "--upload-pack=x"},
        {"--host", "deploy@web-1", "--service", "Web", "--version", "v1"},
        {"--host", "deploy@web-1", "--service", "web", "--version", "v1", "--wave", "0"},
        {"--host", "deploy@web-1", "--service", "web", "--version", "v1", "--bogus", "1"},
        {"--host", "deploy@web-1", "--service", "web", "--version"}};
    for (String[] args : bad) {
      assertThatThrownBy(() -> PushOptions.parse(args, ENV)).as(String.join(" ", args))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> PushOptions.parse(new String[] {"--host", "deploy@web-1", "--service", "web", "--version", "v1"},
        Map.of())).hasMessageContaining("STEVEDORE_SSH_KEY");
  }

  @Test
  void aUsageErrorExitsWithTwoAndSaysWhy() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PushMain.run(new String[] {"--host", "deploy@web-1", "--service", "web", "--version", "v1;reboot"}, ENV,
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--version must be a tag").contains("usage: stevedore push");
  }

  @Test
  void aSignedCommandCarriesTimeAndSignatureTheGateVerifies(@TempDir Path dir) throws Exception {
    KeyPair key = Ed25519Keys.generate();
    Path pem = dir.resolve("push.pem");
    Files.writeString(pem, Ed25519Keys.toPem(key.getPrivate()));
    PushOptions o = PushOptions.parse(new String[] {"--host", "deploy@web-1", "--service", "web", "--version", "v42",
        "--signing-key", pem.toString()}, ENV);
    Instant now = Instant.parse("2026-11-29T12:00:00Z");
    String command = new PushClient(o, ENV, System.out, System.err, Clock.fixed(now, ZoneOffset.UTC)).command();
    String[] words = command.split(" ");
    assertThat(words).hasSize(9);
    assertThat(String.join(" ", java.util.Arrays.copyOf(words, 7)))
        .isEqualTo("deploy --service web --version v42 --at " + now.getEpochSecond());
    assertThat(PushSignatures.verify(key.getPublic(), words[8], "web", "v42", now.getEpochSecond())).isTrue();
    assertThat(PushSignatures.verify(key.getPublic(), words[8], "web", "v43", now.getEpochSecond())).isFalse();
  }

  /** A clock that moves ten minutes (twice push.maxAge's default) every time it is read. */
  static final class SlowWaves extends Clock {
    Instant now = Instant.parse("2026-11-29T12:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      Instant t = now;
      now = now.plus(java.time.Duration.ofMinutes(10));
      return t;
    }
  }

  @Test
  void eachWaveIsSignedWhenItStartsSoALongPushIsNotRefusedForItsAgeByTheLaterHosts(@TempDir Path dir)
      throws Exception {
    KeyPair key = Ed25519Keys.generate();
    Path pem = Files.writeString(dir.resolve("push.pem"), Ed25519Keys.toPem(key.getPrivate()));
    PushOptions o = PushOptions.parse(new String[] {"--host", "deploy@web-1", "--host", "deploy@web-2", "--host",
        "deploy@web-3", "--wave", "2", "--service", "web", "--version", "v42", "--signing-key", pem.toString()}, ENV);
    SlowWaves clock = new SlowWaves();
    Map<String, String> sent = new java.util.concurrent.ConcurrentHashMap<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new PushClient(o, ENV, new PrintStream(out, true, StandardCharsets.UTF_8), System.err, clock)
        .inWaves(Ed25519Keys.privateKeyFromPem(Files.readString(pem)), (h, command) -> {
          sent.put(h.host(), command);
          return 0;
        });

    assertThat(code).isZero();
    long first = Instant.parse("2026-11-29T12:00:00Z").getEpochSecond();
    long second = first + 600;
    assertThat(sent.get("web-1")).isEqualTo(sent.get("web-2")).contains(" --at " + first + " ");
    assertThat(sent.get("web-3")).contains(" --at " + second + " ");
    String[] words = sent.get("web-3").split(" ");
    assertThat(PushSignatures.verify(key.getPublic(), words[8], "web", "v42", second)).isTrue();
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("[web-1] ok", "[web-2] ok", "[web-3] ok");
  }

  @Test
  void aFailedWaveLeavesTheNextWavesUntouched() {
    PushOptions o = PushOptions.parse(new String[] {"--host", "deploy@web-1", "--host", "deploy@web-2", "--host",
        "deploy@web-3", "--wave", "2", "--service", "web", "--version", "v42"}, ENV);
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new PushClient(o, ENV, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC()).inWaves(null, (h, command) -> {
          asked.add(h.host());
          assertThat(command).isEqualTo("deploy --service web --version v42");
          return h.host().equals("web-2") ? 3 : 0;
        });

    assertThat(code).isEqualTo(3);
    assertThat(asked).containsExactlyInAnyOrder("web-1", "web-2");
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("[web-1] ok", "[web-2] failed (exit 3)", "[web-3] not attempted");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("the remaining 1 host(s) were not touched");
  }

  @Test
  void linesOfEachHostArePrefixedAndNeverInterleavedWithinALine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    LineSink a = new LineSink("web-1", out);
    LineSink b = new LineSink("web-2", out);
    a.write("step pu".getBytes(StandardCharsets.UTF_8), 0, 7);
    b.write("step pull ok\r\n".getBytes(StandardCharsets.UTF_8), 0, 14);
    a.write("ll ok\nsucc".getBytes(StandardCharsets.UTF_8), 0, 10);
    a.close();
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("[web-2] step pull ok", "[web-1] step pull ok", "[web-1] succ");
  }

  @Test
  void aKeyThatDoesNotParseIsReportedWithoutItsText() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----";
    int code = PushMain.run(new String[] {"--host", "deploy@127.0.0.1:1", "--service", "web", "--version", "v1"},
        Map.of(PushOptions.KEY_VARIABLE, secret), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(6);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read the private key in $STEVEDORE_SSH_KEY")
        .doesNotContain("c2VjcmV0");
  }
}
