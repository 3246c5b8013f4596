package dev.stevedore.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.Events;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.VersionUnblocked;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {
  final RecordDecoder decoder = new RecordDecoder(Events.CODEC);
  final Instant t = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void decodesAValidEventWithItsCanonicalBytes() {
    var step = Events.step("d-1", "h-1", "web", "pull", true, t);
    RecordDecoder.Decoded d = decoder.decode(Events.CODEC.encode(step));

    assertThat(d.ok()).isTrue();
    assertThat(d.event().event()).isEqualTo(step);
    assertThat(d.event().canonical()).isEqualTo(Events.CODEC.canonicalBytes(step));
  }

  @Test
  void storesOldAndNewTypeNamesAndANewerWritersFieldsAlikeAndVerifiesTheirSignatures() throws Exception {
    java.security.KeyPair web1 = dev.stevedore.common.security.Ed25519Keys.generate();
    var signer = new dev.stevedore.common.security.AgentSigner(web1, Events.CODEC);
    RecordDecoder checking = new RecordDecoder(Events.CODEC, new dev.stevedore.common.security.EventVerifier(
        java.util.List.of(new dev.stevedore.common.security.EventVerifier.TrustedAgent("h-1", web1.getPublic())),
        Events.CODEC));
    var step = signer.sign(Events.step("d-1", "h-1", "web", "pull", true, t));
    byte[] current = Events.CODEC.encode(step, java.util.Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(new String(current, StandardCharsets.UTF_8)).contains("\"type\":\"dev.stevedore.deploy.step\"");
    byte[] old = new String(current, StandardCharsets.UTF_8)
        .replace("\"type\":\"dev.stevedore.deploy.step\"", "\"type\":\"deploy.step\"").getBytes(StandardCharsets.UTF_8);
    for (byte[] bytes : java.util.List.of(current, old)) {
      RecordDecoder.Decoded d = checking.decode(bytes);
      assertThat(d.ok()).isTrue();
      assertThat(d.event().event()).isEqualTo(step);
      assertThat(d.event().unverified()).isNull();
      // The hash chain's bytes do not depend on the name on the wire.
      assertThat(d.event().canonical()).isEqualTo(Events.CODEC.canonicalBytes(step));
    }
  }

  @Test
  void decodesAnUnblockFromTheRequestsTopic() {
    var unblock = new VersionUnblocked("e-u", "stevedore://trigger/t1", t, "u-1", "web", "prod", "broken", null,
        "api:alice", "image rebuilt", "k1", "c2ln");
    RecordDecoder.Decoded d = decoder.decode(Events.CODEC.encode(unblock));

    assertThat(d.ok()).isTrue();
    assertThat(d.event().event()).isEqualTo(unblock);
    var tooLong = new VersionUnblocked("e-v", "src", t, "u".repeat(256), "web", "prod", "v1", null, null, "why", null,
        null);
    assertThat(decoder.decode(Events.CODEC.encode(tooLong)).reason()).contains("'deploymentId'");
  }

  @Test
  void flagsAgentEventsThatDoNotVerifyAgainstTheTrustedKeysWithoutRefusingThem() {
    java.security.KeyPair web1 = dev.stevedore.common.security.Ed25519Keys.generate();
    var signer = new dev.stevedore.common.security.AgentSigner(web1, Events.CODEC);
    RecordDecoder checking = new RecordDecoder(Events.CODEC, new dev.stevedore.common.security.EventVerifier(
        java.util.List.of(new dev.stevedore.common.security.EventVerifier.TrustedAgent("h-1", web1.getPublic())),
        Events.CODEC));
    var real = signer.sign(Events.step("d-1", "h-1", "web", "pull", true, t));
    var unsigned = Events.step("d-1", "h-1", "web", "up", true, t);
    var otherHost = signer.sign(Events.heartbeat("h-2", "prod", "v1", t));

    assertThat(checking.decode(Events.CODEC.encode(real)).event().unverified()).isNull();
    assertThat(checking.decode(Events.CODEC.encode(unsigned)).event().unverified()).isEqualTo("unsigned");
    assertThat(checking.decode(Events.CODEC.encode(otherHost)).event().unverified()).contains("not h-2");
    assertThat(checking.decode(Events.CODEC.encode(Events.requested("d-1", "web", "prod", "v1", t))).event()
        .unverified()).isNull();
  }

  @Test
  void flagsRequestsAndCancellationsThatTheTriggerDidNotSignWithoutRefusingThem() {
    java.security.KeyPair triggerKeys = dev.stevedore.common.security.Ed25519Keys.generate();
    var trigger = new dev.stevedore.common.security.RequestSigner(triggerKeys, Events.CODEC);
    var mallory = new dev.stevedore.common.security.RequestSigner(dev.stevedore.common.security.Ed25519Keys.generate(),
        Events.CODEC);
    RecordDecoder checking = new RecordDecoder(Events.CODEC, new dev.stevedore.common.security.EventVerifier(
        java.util.List.of(), Events.CODEC), new dev.stevedore.common.security.RequestVerifier(
        java.util.List.of(triggerKeys.getPublic()), Events.CODEC));
    var cancel = Events.cancelled("d-1", "web", "prod", t);
    var request = Events.requested("d-1", "web", "prod", "v1", t);
    var signedCancel = trigger.sign(cancel);
    var replayed = new dev.stevedore.common.event.DeployCancelled(signedCancel.id(), signedCancel.source(),
        signedCancel.time(), signedCancel.deploymentId(), "db", signedCancel.environment(), signedCancel.requestedBy(),
        signedCancel.reason(), signedCancel.keyId(), signedCancel.signature());

    assertThat(unverified(checking, signedCancel)).isNull();
    assertThat(unverified(checking, trigger.sign(request))).isNull();
    assertThat(unverified(checking, cancel)).isEqualTo("trigger signature: unsigned request");
    assertThat(unverified(checking, mallory.sign(cancel))).startsWith("trigger signature: signed by untrusted key");
    assertThat(unverified(checking, replayed)).isEqualTo("trigger signature: signature does not verify");
    assertThat(unverified(checking, request)).isEqualTo("trigger signature: unsigned request");
    assertThat(unverified(decoder, cancel)).as("without trusted trigger keys: not checked").isNull();
  }

  @Test
  void flagsRolloutEventsAndBlocksThatTheTriggerDidNotSignWithoutRefusingThem() {
    java.security.KeyPair triggerKeys = dev.stevedore.common.security.Ed25519Keys.generate();
    var trigger = new dev.stevedore.common.security.RequestSigner(triggerKeys, Events.CODEC);
    var mallory = new dev.stevedore.common.security.RequestSigner(dev.stevedore.common.security.Ed25519Keys.generate(),
        Events.CODEC);
    RecordDecoder checking = new RecordDecoder(Events.CODEC, new dev.stevedore.common.security.EventVerifier(
        java.util.List.of(), Events.CODEC), new dev.stevedore.common.security.RequestVerifier(
        java.util.List.of(triggerKeys.getPublic()), Events.CODEC));
    for (var e : Events.haltedCanary("r-1", "web", "prod", t)) {
      if (e instanceof dev.stevedore.common.event.RolloutEvent || e instanceof dev.stevedore.common.event.VersionBlocked) {
        var request = (dev.stevedore.common.event.SignedRequest<?>) e;
        assertThat(unverified(checking, (dev.stevedore.common.event.StevedoreEvent) request.unsigned()))
            .as(e.type().typeName()).isEqualTo("trigger signature: unsigned request");
        assertThat(unverified(checking, sign(trigger, e))).as(e.type().typeName()).isNull();
        assertThat(unverified(checking, sign(mallory, e))).as(e.type().typeName())
            .startsWith("trigger signature: signed by untrusted key");
      }
    }
    var halted = (dev.stevedore.common.event.RolloutHalted) sign(trigger, Events.haltedCanary("r-1", "web", "prod", t)
        .stream().filter(e -> e instanceof dev.stevedore.common.event.RolloutHalted).findFirst().orElseThrow());
    var tampered = new dev.stevedore.common.event.RolloutHalted(halted.id(), halted.source(), halted.time(),
        halted.rolloutId(), halted.environment(), halted.service(), halted.version(), halted.wave(), halted.reason(),
        java.util.List.of(), halted.rollbacks(), false, halted.keyId(), halted.signature());
    assertThat(unverified(checking, tampered)).isEqualTo("trigger signature: signature does not verify");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static dev.stevedore.common.event.StevedoreEvent sign(dev.stevedore.common.security.RequestSigner signer,
                                                                dev.stevedore.common.event.StevedoreEvent e) {
    return (dev.stevedore.common.event.StevedoreEvent) signer.sign((dev.stevedore.common.event.StevedoreEvent & dev.stevedore.common.event.SignedRequest) e);
  }

  @Test
  void refusesRolloutEventsWithNamesTooLongToIndex() {
    var longHost = Events.waveStarted("r-1", "web", "prod", "v2", 0, java.util.List.of("ok", "h".repeat(256)), t);
    assertThat(decoder.decode(Events.CODEC.encode(longHost)).reason()).contains("'host'");
    var longId = Events.rolloutSucceeded("r".repeat(256), "web", "prod", "v2", java.util.List.of(), t);
    assertThat(decoder.decode(Events.CODEC.encode(longId)).reason()).contains("'rolloutId'");
    var longBlock = Events.blocked("r-1", "s".repeat(256), "prod", "v2", java.util.List.of(), t);
    assertThat(decoder.decode(Events.CODEC.encode(longBlock)).reason()).contains("'service'");
    assertThat(decoder.decode(Events.CODEC.encode(Events.waveStarted("r-1", "web", "prod", "v2", 0,
        java.util.List.of("web-1"), t))).ok()).isTrue();
  }

  private static String unverified(RecordDecoder d, dev.stevedore.common.event.StevedoreEvent e) {
    RecordDecoder.Decoded decoded = d.decode(Events.CODEC.encode(e));
    assertThat(decoded.ok()).as("stored, not refused").isTrue();
    return decoded.event().unverified();
  }

  @Test
  void givesAReasonForGarbage() {
    assertThat(decoder.decode(null).reason()).isEqualTo("empty record");
    assertThat(decoder.decode("not json".getBytes(StandardCharsets.UTF_8)).reason()).contains("not JSON");
    assertThat(decoder.decode(new byte[] {(byte) 0xff, (byte) 0xfe}).reason()).contains("UTF-8");
    assertThat(decoder.decode("{\"specversion\":\"1.0\"}".getBytes(StandardCharsets.UTF_8)).ok()).isFalse();
  }

  @Test
  void refusesIdsTooLongToIndex() {
    var step = new DeployStep("x".repeat(300), "src", t, "d-1", "h-1", "web", "pull", true, 1, 0, "");
    assertThat(decoder.decode(Events.CODEC.encode(step)).reason()).contains("'id'");
    var longHost = new DeployStep("e-1", "src", t, "d-1", "h".repeat(256), "web", "pull", true, 1, 0, "");
    assertThat(decoder.decode(Events.CODEC.encode(longHost)).reason()).contains("'host'");
    var longDeployment = new DeployStep("e-2", "src", t, "d".repeat(256), "h", "web", "pull", true, 1, 0, "");
    assertThat(decoder.decode(Events.CODEC.encode(longDeployment)).reason()).contains("'deploymentId'");
  }
}
