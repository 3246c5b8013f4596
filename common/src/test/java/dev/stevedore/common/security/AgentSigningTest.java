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

  @Test
  void withoutTrustedKeysNothingIsChecked() {
    EventVerifier off = new EventVerifier(List.of(), codec);
    assertThat(off.enabled()).isFalse();
    assertThat(off.verify(SampleEvents.all().get(4))).isEqualTo(EventVerifier.Verdict.notApplicable());
  }
}
