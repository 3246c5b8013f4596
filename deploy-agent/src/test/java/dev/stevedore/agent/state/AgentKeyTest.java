package dev.stevedore.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.AgentSigner;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.EventVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentKeyTest {
  @TempDir
  Path dir;

  @Test
  void madeAtFirstStartOwnerOnlyWithItsPublicHalfBesideAndKeptAfterwards() throws Exception {
    KeyPair first = AgentKey.loadOrCreate(dir.resolve("state"));
    Path privateFile = dir.resolve("state").resolve(AgentKey.PRIVATE_FILE);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile))).isEqualTo("rw-------");
    assertThat(Ed25519Keys.publicKeyFromPem(Files.readString(dir.resolve("state").resolve(AgentKey.PUBLIC_FILE))))
        .isEqualTo(first.getPublic());
    KeyPair again = AgentKey.loadOrCreate(dir.resolve("state"));
    assertThat(again.getPublic()).isEqualTo(first.getPublic());
    assertThat(again.getPrivate().getEncoded()).isEqualTo(first.getPrivate().getEncoded());
  }

  @Test
  void refusesAKeyFileOthersCanRead() throws Exception {
    AgentKey.loadOrCreate(dir);
    Files.setPosixFilePermissions(dir.resolve(AgentKey.PRIVATE_FILE), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> AgentKey.loadOrCreate(dir)).hasMessageContaining("chmod 600");
  }

  @Test
  void theOutboxHoldsEventsSignedBeforeTheyAreEncoded() throws Exception {
    EventCodec codec = new EventCodec();
    KeyPair keys = AgentKey.loadOrCreate(dir);
    AgentSigner signer = new AgentSigner(keys, codec);
    AgentState state = new AgentState();
    Outbox outbox = new Outbox(state, codec, signer::sign);
    DeploySucceeded event = new DeploySucceeded("e1", "stevedore://agent/web-1", Instant.parse("2026-01-01T00:00:00Z"),
        "d1", "web-1", "web", "prod", "v2", null, 10);

    outbox.add(Topics.EVENTS, "d1", event);

    byte[] queued = state.outbox.get(0).payload.getBytes(StandardCharsets.UTF_8);
    EventVerifier verifier = new EventVerifier(List.of(new EventVerifier.TrustedAgent("web-1", keys.getPublic())),
        codec);
    assertThat(verifier.verify(codec.decode(queued)).verified()).isTrue();
    assertThat(queued).isEqualTo(codec.encode(signer.sign(event)));
  }
}
