package dev.stevedore.trigger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.trigger.TriggerConfig.Signing;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

class SigningKeysTest {
  @Test
  void noKeyFailsWithAClearMessageUnlessEphemeralIsAllowed() {
    assertThatThrownBy(() -> SigningKeys.load(new Signing(null, null, false, null)))
        .hasMessageContaining("signing.privateKey").hasMessageContaining("generateEphemeralKey");
    assertThat(SigningKeys.load(new Signing(null, null, true, null)).getPrivate().getAlgorithm()).isIn("EdDSA", "Ed25519");
  }

  @Test
  void configuredPairMustBelongTogether() {
    KeyPair a = Ed25519Keys.generate();
    KeyPair b = Ed25519Keys.generate();
    KeyPair loaded = SigningKeys.load(new Signing(Ed25519Keys.toPem(a.getPrivate()), Ed25519Keys.toPem(a.getPublic()), false, null));
    assertThat(loaded.getPublic().getEncoded()).isEqualTo(a.getPublic().getEncoded());
    assertThatThrownBy(() -> SigningKeys.load(new Signing(Ed25519Keys.toPem(a.getPrivate()), Ed25519Keys.toPem(b.getPublic()), false, null)))
        .hasMessageContaining("not the public half");
    assertThatThrownBy(() -> SigningKeys.load(new Signing(Ed25519Keys.toPem(a.getPrivate()), null, false, null)))
        .hasMessageContaining("signing.publicKey");
    assertThatThrownBy(() -> SigningKeys.load(new Signing("garbage", Ed25519Keys.toPem(a.getPublic()), false, null)))
        .hasMessageContaining("signing.privateKey");
  }
}
