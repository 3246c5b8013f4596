package dev.stevedore.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.SampleEvents;
import dev.stevedore.common.event.SignedByAgent;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.security.EventVerifier.TrustedAgent;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentSigningTest {
  private final EventCodec codec = new EventCodec();
  private final KeyPair web1 = Ed25519Keys.generate();
  private final KeyPair web2 = Ed25519Keys.generate();
  private final AgentSigner signer = new AgentSigner(web1, codec);
  private final EventVerifier verifier = new EventVerifier(
      List.of(new TrustedAgent("web-1", web1.getPublic()), new TrustedAgent("web-2", web2.getPublic())), codec);

  @Test
  void everyAgentEventSignedVerifiesAfterATripThroughTheCodec() throws Exception {
    for (StevedoreEvent sample : SampleEvents.all()) {
      StevedoreEvent signed = signer.sign(sample);
      StevedoreEvent decoded = codec.decode(codec.encode(signed));
      if (sample instanceof SignedByAgent<?> s) {
        assertThat(((SignedByAgent<?>) decoded).keyId()).isEqualTo(signer.keyId());
        assertThat(verifier.verify(decoded)).as(sample.type().typeName()).isEqualTo(EventVerifier.Verdict.ok());
        assertThat(((SignedByAgent<?>) decoded).unsigned()).isEqualTo(sample);
      } else {
        assertThat(signed).isSameAs(sample);
        assertThat(verifier.verify(decoded).checked()).isFalse();
      }
    }
  }

  @Test
  void unsignedTamperedForeignAndOtherHostsEventsFailWithAReason() {
    DeploySucceeded sample = (DeploySucceeded) SampleEvents.all().get(4);
    DeploySucceeded signed = signer.sign(sample);
    DeploySucceeded tampered = new DeploySucceeded(signed.id(), signed.source(), signed.time(), signed.deploymentId(),
        signed.host(), signed.service(), signed.environment(), "v0-vulnerable", signed.digest(), signed.durationMs(),
        signed.attempts(), signed.waitedMs(), signed.keyId(), signed.signature());
    DeploySucceeded otherHost = signer.sign(new DeploySucceeded(sample.id(), sample.source(), sample.time(),
        sample.deploymentId(), "web-2", sample.service(), sample.environment(), sample.version(), sample.digest(),
        sample.durationMs()));
    DeploySucceeded untrusted = new AgentSigner(Ed25519Keys.generate(), codec).sign(sample);
    AgentHeartbeat heartbeat = (AgentHeartbeat) SampleEvents.all().get(8);

    assertThat(verifier.verify(sample).reason()).isEqualTo("unsigned");
    assertThat(verifier.verify(tampered).reason()).isEqualTo("signature does not verify");
    assertThat(verifier.verify(otherHost).reason()).contains("speaks for host web-1, not web-2");
    assertThat(verifier.verify(untrusted).reason()).startsWith("signed by untrusted key");
    assertThat(verifier.verify(heartbeat).verified()).isFalse();
    assertThat(verifier.verify(signer.sign(heartbeat)).verified()).isTrue();
  }

  /** A copy of {@code signed} with another key id and signature (what a forger can write). */
  private static DeploySucceeded withSignature(DeploySucceeded s, String keyId, String signature) {
    return new DeploySucceeded(s.id(), s.source(), s.time(), s.deploymentId(), s.host(), s.service(), s.environment(),
        s.version(), s.digest(), s.durationMs(), s.attempts(), s.waitedMs(), keyId, signature);
  }

  @Test
  void forgedSignaturesUnderATrustedKeyIdFailWhateverTheirBytes() {
    DeploySucceeded signed = signer.sign((DeploySucceeded) SampleEvents.all().get(4));
    byte[] good = Base64.getDecoder().decode(signed.signature());
    // another key's valid signature of the same event, claimed under web-1's key id
    DeploySucceeded byOtherKey = new AgentSigner(Ed25519Keys.generate(), codec).sign(signed.unsigned());
    byte[] flipped = good.clone();
    flipped[10] ^= 0x01;
    byte[] sFlipped = good.clone();
    sFlipped[63] ^= 0x40; // the scalar half: S >= L must be refused, not reduced
    String b64 = Base64.getEncoder().encodeToString(new byte[0]);

    assertThat(verifier.verify(withSignature(signed, signer.keyId(), byOtherKey.signature())).reason())
        .isEqualTo("signature does not verify");
    assertThat(verifier.verify(withSignature(signed, signer.keyId(), Base64.getEncoder().encodeToString(flipped)))
        .reason()).isEqualTo("signature does not verify");
    assertThat(verifier.verify(withSignature(signed, signer.keyId(), Base64.getEncoder().encodeToString(sFlipped)))
        .verified()).isFalse();
    assertThat(verifier.verify(withSignature(signed, signer.keyId(),
        Base64.getEncoder().encodeToString(Arrays.copyOf(good, 63)))).reason()).startsWith("signature does not verify");
    assertThat(verifier.verify(withSignature(signed, signer.keyId(),
        Base64.getEncoder().encodeToString(Arrays.copyOf(good, 65)))).reason()).startsWith("signature does not verify");
    assertThat(verifier.verify(withSignature(signed, signer.keyId(), b64)).verified()).isFalse();
    assertThat(verifier.verify(withSignature(signed, signer.keyId(), "not base64!")).reason())
        .isEqualTo("signature is not base64");
    assertThat(verifier.verify(signed)).isEqualTo(EventVerifier.Verdict.ok());
  }

  /** Bouncy Castle decides as the JDK's Ed25519 did (the verifier before), on valid and broken signatures. */
  @Test
  void agreesWithTheJdkVerifierOnEveryByteFlipOfASignature() throws Exception {
    DeploySucceeded signed = signer.sign((DeploySucceeded) SampleEvents.all().get(4));
    byte[] good = Base64.getDecoder().decode(signed.signature());
    byte[] message = codec.canonicalBytes(signed.unsigned());
    for (int i = 0; i < good.length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) bit;
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(web1.getPublic());
        jdk.update(message);
        boolean jdkSays;
        try {
          jdkSays = jdk.verify(bad);
        } catch (java.security.SignatureException e) {
          jdkSays = false;
        }
        assertThat(verifier.verify(withSignature(signed, signer.keyId(), Base64.getEncoder().encodeToString(bad)))
            .verified()).as("byte %d bit %x", i, bit).isEqualTo(jdkSays).isFalse();
      }
    }
  }

  @Test
  void aKeyThatIsNotEd25519IsRefusedAtConstruction() throws Exception {
    java.security.PublicKey rsa = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EventVerifier(List.of(new TrustedAgent("web-1", rsa)),
        codec)).isInstanceOf(RuntimeException.class);
  }

  @Test
  void withoutTrustedKeysNothingIsChecked() {
    EventVerifier off = new EventVerifier(List.of(), codec);
    assertThat(off.enabled()).isFalse();
    assertThat(off.verify(SampleEvents.all().get(4))).isEqualTo(EventVerifier.Verdict.notApplicable());
  }
}
