package dev.stevedore.agent.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.PushConfig;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.PushSignatures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SshGateTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final KeyPair CI = Ed25519Keys.generate();

  @Test
  void acceptsExactlyTheDeployCommand() {
    DeployCommand c = SshGate.parse("deploy --service web --version v42");
    assertThat(c.service()).isEqualTo("web");
    assertThat(c.version()).isEqualTo("v42");
    assertThat(c.signed()).isFalse();
    assertThat(c.config()).isNull();
    DeployCommand digest = SshGate.parse("deploy --service web --version sha256:" + "a".repeat(64));
    assertThat(digest.version()).startsWith("sha256:");
    String sig = PushSignatures.sign(CI.getPrivate(), "web", "v42", 1_800_000_000L);
    DeployCommand signed = SshGate.parse("deploy --service web --version v42 --at 1800000000 --signature " + sig);
    assertThat(signed.signed()).isTrue();
    assertThat(String.join(" ", signed.words())).isEqualTo("deploy --service web --version v42 --at 1800000000 --signature " + sig);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "id", "sh", "bash -i", "scp -t /", "git-upload-pack '/srv/repo'", "rsync --server . /",
      "deploy", "deploy --service web", "deploy --version v1 --service web",
      "deploy --service web --version v1;reboot", "deploy --service web --version --upload-pack=x",
      "deploy --service web --version $(reboot)", "deploy --service web --version `id`",
      "deploy --service web --version v1 && id", "deploy --service web --version v1|id",
      "deploy --service web --version 'v1'", "deploy --service web --version v1\nid",
      "deploy --service web --version v1\tid", "deploy  --service web --version v1", " deploy --service web --version v1",
      "deploy --service web --version v1 ", "deploy --service web --version v1 --config /tmp/evil.yml",
      "deploy --service ../web --version v1", "deploy --service Web --version v1", "deploy --service web --version ../v1",
      "deploy --service web --version -v1", "deploy --service web --version v1 --at 1 --signature x",
      "deploy --service web --version v1 --at now --signature AAAA",
      "deploy --service web --version v1 --force", "deploy --service web --version v1 --service db",
      "deploy --service web --version v\u00e91", "deploy --service web --version sha256:abc"})
  void refusesEverythingElse(String command) {
    assertThatThrownBy(() -> SshGate.parse(command)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("refused");
  }

  @Test
  void refusesAnOversizedCommandAndANullOne() {
    assertThatThrownBy(() -> SshGate.parse("deploy --service web --version " + "v".repeat(600)))
        .hasMessageContaining("longer than");
    assertThatThrownBy(() -> SshGate.parse(null)).hasMessageContaining("cannot open a shell");
  }

  // ---- run(): refusals happen before the configuration is read or anything runs -------------

  static AgentConfig config(PushConfig push) {
    return new AgentConfig("web-1", "prod", Map.of(), KafkaSettings.of("k:9092"), List.of(), "/nonexistent/state", null,
        null, null, -1, null, 0, null, null, Map.of(), null, null, push);
  }

  record Result(PushExit exit, String err, boolean configRead) {}

  static Result gate(String command, PushConfig push) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicBoolean read = new AtomicBoolean();
    PushExit exit = SshGate.run(command == null ? Map.of() : Map.of("SSH_ORIGINAL_COMMAND", command), () -> {
      read.set(true);
      return config(push);
    }, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    return new Result(exit, err.toString(StandardCharsets.UTF_8), read.get());
  }

  @Test
  void aForbiddenCommandIsRefusedWithUsageBeforeTheConfigIsRead() {
    Result r = gate("deploy --service web --version v1;reboot", PushConfig.defaults());
    assertThat(r.exit()).isEqualTo(PushExit.USAGE);
    assertThat(r.err()).contains("refused: the version must be a tag");
    assertThat(r.configRead()).isFalse();
    Result shell = gate(null, PushConfig.defaults());
    assertThat(shell.exit()).isEqualTo(PushExit.USAGE);
    assertThat(shell.err()).contains("cannot open a shell");
  }

  @Test
  void aHostThatRequiresSignaturesRefusesUnsignedForgedStaleAndOtherVersionRequests() {
    KeyPair other = Ed25519Keys.generate();
    PushConfig push = new PushConfig(true, List.of(Ed25519Keys.toPem(CI.getPublic())), Duration.ofMinutes(5), null);
    long at = NOW.getEpochSecond();

    Result unsigned = gate("deploy --service web --version v2", push);
    Result forged = gate("deploy --service web --version v2 --at " + at + " --signature "
        + PushSignatures.sign(other.getPrivate(), "web", "v2", at), push);
    Result stale = gate("deploy --service web --version v2 --at " + (at - 600) + " --signature "
        + PushSignatures.sign(CI.getPrivate(), "web", "v2", at - 600), push);
    Result otherVersion = gate("deploy --service web --version v3 --at " + at + " --signature "
        + PushSignatures.sign(CI.getPrivate(), "web", "v2", at), push);

    assertThat(unsigned.exit()).isEqualTo(PushExit.REFUSED);
    assertThat(unsigned.err()).contains("requires a signed push request");
    assertThat(forged.exit()).isEqualTo(PushExit.REFUSED);
    assertThat(forged.err()).contains("does not verify");
    assertThat(stale.exit()).isEqualTo(PushExit.REFUSED);
    assertThat(stale.err()).contains("600 s away");
    assertThat(otherVersion.exit()).isEqualTo(PushExit.REFUSED);
    assertThat(otherVersion.err()).contains("does not verify");
  }

  @Test
  void aGoodSignatureGetsPastTheGate() {
    PushConfig push = new PushConfig(true, List.of(Ed25519Keys.toPem(CI.getPublic())), Duration.ofMinutes(5), null);
    long at = NOW.getEpochSecond() - 30;
    // past the gate, the one-shot refuses the unknown service: the signature was accepted
    Result r = gate("deploy --service web --version v2 --at " + at + " --signature "
        + PushSignatures.sign(CI.getPrivate(), "web", "v2", at), push);
    assertThat(r.exit()).isEqualTo(PushExit.REFUSED);
    assertThat(r.err()).contains("service web is not managed by the agent on this host");
  }

  @Test
  void requiringSignaturesWithoutKeysIsAConfigurationError() {
    assertThatThrownBy(() -> new PushConfig(true, List.of(), null, null))
        .hasMessageContaining("push.requireSignature needs at least one key");
  }
}
