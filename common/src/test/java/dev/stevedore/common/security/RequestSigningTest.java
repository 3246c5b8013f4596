package dev.stevedore.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.SampleEvents;
import dev.stevedore.common.event.VersionUnblocked;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestSigningTest {
  private final EventCodec codec = new EventCodec();
  private final KeyPair trigger = Ed25519Keys.generate();
  private final RequestSigner signer = new RequestSigner(trigger, codec);
  private final RequestVerifier verifier = new RequestVerifier(List.of(trigger.getPublic()), codec);

  @Test
  void aSignedRequestVerifiesAfterATripThroughTheCodec() throws Exception {
    DeployRequested signed = signer.sign(SampleEvents.requested());
    assertThat(signed.keyId()).isEqualTo(Ed25519Keys.keyId(trigger.getPublic()));
    DeployRequested decoded = codec.decode(codec.encode(signed), DeployRequested.class);
    assertThat(verifier.rejection(decoded)).isNull();
  }

  @Test
  void anyChangedFieldBreaksTheSignature() {
    DeployRequested signed = signer.sign(SampleEvents.requested());
    DeployRequested tampered = new DeployRequested(signed.id(), signed.source(), signed.time(), signed.deploymentId(),
        signed.service(), signed.environment(), "v666", signed.commit(), signed.branch(), signed.repository(),
        signed.requestedBy(), signed.trigger(), signed.reason(), signed.target(), signed.keyId(), signed.signature());
    assertThat(verifier.rejection(tampered)).isEqualTo("signature does not verify");
  }

  @Test
  void unsignedForeignAndGarbledSignaturesAreRejectedWithAReason() {
    DeployRequested request = SampleEvents.requested();
    assertThat(verifier.rejection(request)).isEqualTo("unsigned request");

    RequestSigner mallory = new RequestSigner(Ed25519Keys.generate(), codec);
    assertThat(verifier.rejection(mallory.sign(request))).startsWith("signed by untrusted key");

    DeployRequested signed = signer.sign(request);
    assertThat(verifier.rejection(signed.withSignature(signed.keyId(), "%%%not-base64"))).isEqualTo("signature is not base64");
    assertThat(verifier.rejection(signed.withSignature(signed.keyId(), "AAAA"))).startsWith("signature does not verify");
  }

  @Test
  void anUnblockIsSignedAndVerifiedLikeARequestAndAnyChangeBreaksIt() throws Exception {
    VersionUnblocked signed = signer.sign(SampleEvents.unblocked());
    assertThat(signed.keyId()).isEqualTo(Ed25519Keys.keyId(trigger.getPublic()));
    VersionUnblocked decoded = codec.decode(codec.encode(signed), VersionUnblocked.class);
    assertThat(verifier.rejection(decoded)).isNull();
    assertThat(signed.unsigned()).isEqualTo(SampleEvents.unblocked());

    VersionUnblocked otherVersion = new VersionUnblocked(signed.id(), signed.source(), signed.time(),
        signed.deploymentId(), signed.service(), signed.environment(), "v666", signed.target(), signed.requestedBy(),
        signed.reason(), signed.keyId(), signed.signature());
    VersionUnblocked everyHost = new VersionUnblocked(signed.id(), signed.source(), signed.time(),
        signed.deploymentId(), signed.service(), signed.environment(), signed.version(), null, signed.requestedBy(),
        signed.reason(), signed.keyId(), signed.signature());
    assertThat(verifier.rejection(otherVersion)).isEqualTo("signature does not verify");
    assertThat(verifier.rejection(everyHost)).isEqualTo("signature does not verify");
    assertThat(verifier.rejection(SampleEvents.unblocked())).isEqualTo("unsigned request");
    assertThat(verifier.rejection(new RequestSigner(Ed25519Keys.generate(), codec).sign(SampleEvents.unblocked())))
        .startsWith("signed by untrusted key");
  }

  @Test
  void aCancellationIsSignedAndVerifiedLikeARequestAndCannotBeTurnedOnAnotherDeploymentOrService() throws Exception {
    DeployCancelled unsigned = new DeployCancelled("c1", "stevedore://trigger/t1", SampleEvents.T,
        SampleEvents.DEPLOYMENT, "web", "production", "api:alice", "wrong build");
    DeployCancelled signed = signer.sign(unsigned);
    DeployCancelled decoded = codec.decode(codec.encode(signed), DeployCancelled.class);
    assertThat(verifier.rejection(decoded)).isNull();
    assertThat(signed.unsigned()).isEqualTo(unsigned);

    // Replayed for another service, environment or deployment: the signature no longer verifies.
    DeployCancelled otherService = new DeployCancelled(signed.id(), signed.source(), signed.time(),
        signed.deploymentId(), "db", signed.environment(), signed.requestedBy(), signed.reason(), signed.keyId(),
        signed.signature());
    DeployCancelled otherEnvironment = new DeployCancelled(signed.id(), signed.source(), signed.time(),
        signed.deploymentId(), signed.service(), "staging", signed.requestedBy(), signed.reason(), signed.keyId(),
        signed.signature());
    DeployCancelled otherDeployment = new DeployCancelled(signed.id(), signed.source(), signed.time(),
        "00000000-0000-5000-8000-000000000000", signed.service(), signed.environment(), signed.requestedBy(),
        signed.reason(), signed.keyId(), signed.signature());
    assertThat(List.of(otherService, otherEnvironment, otherDeployment))
        .allSatisfy(c -> assertThat(verifier.rejection(c)).isEqualTo("signature does not verify"));
    assertThat(verifier.rejection(unsigned)).isEqualTo("unsigned request");
    assertThat(verifier.rejection(new RequestSigner(Ed25519Keys.generate(), codec).sign(unsigned)))
        .startsWith("signed by untrusted key");
    assertThat(verifier.rejection(signed.withSignature(signed.keyId(), "%%%"))).isEqualTo("signature is not base64");
  }

  @Test
  void aRequestsSignatureIsOverTheSameBytesAsBefore() {
    // The generic signer signs a deploy request exactly as the one for requests only did.
    DeployRequested request = SampleEvents.requested();
    DeployRequested viaGeneric = signer.sign(request);
    DeployRequested viaOperator = signer.apply(request);
    assertThat(viaGeneric.signature()).isEqualTo(viaOperator.signature());
    assertThat(new String(codec.canonicalBytes(request.unsigned()), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("signature").doesNotContain("keyId");
  }

  @Test
  void signaturesAreTheOnesTheJdkProviderMakes() throws Exception {
    // Ed25519 is deterministic: Bouncy Castle and the JDK must agree byte for byte.
    for (String version : List.of("v1", "v2.0.0", "sha256:" + "a".repeat(64))) {
      DeployRequested request = new DeployRequested("e1", "stevedore://trigger/t", SampleEvents.T, "d1", "web", "prod",
          version, "0123abc", "main", "acme/web", "octocat", "github", "push", null, null, null);
      java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
      jdk.initSign(trigger.getPrivate());
      jdk.update(codec.canonicalBytes(request.unsigned()));
      assertThat(signer.sign(request).signature())
          .isEqualTo(java.util.Base64.getEncoder().encodeToString(jdk.sign()));
    }
  }

  @Test
  void refusesAPublicKeyThatIsNotItsOwn() {
    KeyPair other = Ed25519Keys.generate();
    assertThatThrownBy(() -> new RequestSigner(new KeyPair(other.getPublic(), trigger.getPrivate()), codec))
        .hasMessageContaining("public half");
  }

  @Test
  void keysSurviveAPemRoundTrip() {
    KeyPair keys = Ed25519Keys.generate();
    String privatePem = Ed25519Keys.toPem(keys.getPrivate());
    String publicPem = Ed25519Keys.toPem(keys.getPublic());
    assertThat(privatePem).startsWith("-----BEGIN PRIVATE KEY-----");
    RequestSigner fromPem = new RequestSigner(Ed25519Keys.privateKeyFromPem(privatePem),
        Ed25519Keys.publicKeyFromPem(publicPem), codec);
    RequestVerifier check = new RequestVerifier(List.of(Ed25519Keys.publicKeyFromPem(publicPem)), codec);
    assertThat(check.verifies(fromPem.sign(SampleEvents.requested()))).isTrue();
    assertThatThrownBy(() -> Ed25519Keys.publicKeyFromPem("not a key"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secretsCompareWholeAndMaskForLogs() {
    assertThat(Secrets.constantTimeEquals("s3cret", "s3cret")).isTrue();
    assertThat(Secrets.constantTimeEquals("s3cret", "s3cre")).isFalse();
    assertThat(Secrets.constantTimeEquals("s3cret", null)).isFalse();
    assertThat(Secrets.mask("s3cret")).isEqualTo("s3***(6)").doesNotContain("cret");
  }
}
