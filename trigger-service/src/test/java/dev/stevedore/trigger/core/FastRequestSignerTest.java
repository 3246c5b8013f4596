package dev.stevedore.trigger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FastRequestSignerTest {
  final EventCodec codec = new EventCodec();
  final KeyPair keys = Ed25519Keys.generate();

  static DeployRequested request(String version) {
    return new DeployRequested("e1", "stevedore://trigger/t", Instant.parse("2030-01-01T00:00:00Z"), "d1", "web",
        "prod", version, "0123abc", "main", "acme/web", "octocat", "github", "push of branch main", null, null, null);
  }

  @Test
  void signsByteForByteLikeTheCommonSignerAndVerifies() {
    FastRequestSigner fast = new FastRequestSigner(keys, codec);
    RequestSigner reference = new RequestSigner(keys, codec);
    for (String version : List.of("v1", "v2.0.0", "sha256:" + "a".repeat(64))) {
      DeployRequested a = fast.apply(request(version));
      DeployRequested b = reference.sign(request(version));
      assertThat(a).isEqualTo(b);
      assertThat(new RequestVerifier(List.of(keys.getPublic()), codec).rejection(a)).isNull();
    }
  }

  @Test
  void aTamperedRequestDoesNotVerify() {
    DeployRequested signed = new FastRequestSigner(keys, codec).apply(request("v1"));
    DeployRequested tampered = new DeployRequested(signed.id(), signed.source(), signed.time(), signed.deploymentId(),
        signed.service(), signed.environment(), "v666", signed.commit(), signed.branch(), signed.repository(),
        signed.requestedBy(), signed.trigger(), signed.reason(), signed.target(), signed.keyId(), signed.signature());
    assertThat(new RequestVerifier(List.of(keys.getPublic()), codec).verifies(tampered)).isFalse();
  }

  @Test
  void refusesAPublicKeyThatIsNotItsOwn() {
    KeyPair other = Ed25519Keys.generate();
    assertThatThrownBy(() -> new FastRequestSigner(new KeyPair(other.getPublic(), keys.getPrivate()), codec))
        .hasMessageContaining("public half");
  }
}
