package dev.stevedore.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.common.event.DecodedEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.SampleEvents;
import dev.stevedore.common.event.SignedByAgent;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.runtime.JsonMappers;
import dev.stevedore.common.security.EventVerifier.TrustedAgent;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The compatibility rule of docs/events.md for signed events: a newer writer may add fields to
 * {@code data} and extension attributes to the envelope; this (older) reader leaves the fields out
 * of its record but still verifies the signature over exactly what was signed, and an extension
 * added on the way (a {@code traceparent}) does not touch the signature. Requests signed before
 * the reverse-DNS type prefix verify as well.
 */
class SignedCompatibilityTest {
  private static final ObjectMapper CANONICAL = JsonMappers.events(true);
  private final EventCodec codec = new EventCodec();
  private final KeyPair trigger = Ed25519Keys.generate();
  private final RequestVerifier requests = new RequestVerifier(List.of(trigger.getPublic()), codec);

  @Test
  void aNewerTriggersRequestWithAnAddedFieldVerifiesOverThatField() throws Exception {
    byte[] newer = newerWriter(SampleEvents.requested(), trigger,
        data -> data.put("canaryPercent", 10).putObject("approval").put("by", "alice"), Map.of());
    DecodedEvent decoded = codec.decodeEvent(newer);
    DeployRequested request = (DeployRequested) decoded.event();
    assertThat(decoded.unknownFields()).isTrue();
    assertThat(request.unsigned()).isEqualTo(SampleEvents.requested());
    assertThat(requests.rejection(request)).isNull();
    // What this version would sign for the record alone is not what was signed: verifying over the
    // re-encoded record (the codec before this rule) would reject the newer trigger's request.
    assertThat(codec.canonicalBytes(request.unsigned())).isNotEqualTo(codec.signedBytes(request));
  }

  @Test
  void theAddedFieldIsCoveredByTheSignature() throws Exception {
    byte[] newer = newerWriter(SampleEvents.requested(), trigger, data -> data.put("canaryPercent", 10), Map.of());
    String tampered = new String(newer, java.nio.charset.StandardCharsets.UTF_8)
        .replace("\"canaryPercent\":10", "\"canaryPercent\":100");
    assertThat(tampered).contains("\"canaryPercent\":100");
    DeployRequested request = (DeployRequested) codec.decode(tampered.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(requests.rejection(request)).isEqualTo("signature does not verify");
  }

  @Test
  void anExtensionAddedOnTheWayDoesNotTouchTheSignature() throws Exception {
    DeployRequested signed = new RequestSigner(trigger, codec).sign(SampleEvents.requested());
    byte[] traced = codec.encode(signed, Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    DeployRequested decoded = (DeployRequested) codec.decode(traced);
    assertThat(requests.rejection(decoded)).isNull();
    byte[] newerTraced = newerWriter(SampleEvents.requested(), trigger, data -> data.put("canaryPercent", 10),
        Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(requests.rejection((DeployRequested) codec.decode(newerTraced))).isNull();
  }

  @Test
  void aRequestSignedBeforeTheTypePrefixVerifies() throws Exception {
    DeployRequested signed = new RequestSigner(trigger, codec).sign(SampleEvents.requested());
    ObjectNode old = (ObjectNode) codec.mapper().readTree(codec.encode(signed));
    old.put("type", "deploy.requested");
    DeployRequested decoded = (DeployRequested) codec.decode(codec.mapper().writeValueAsBytes(old));
    assertThat(requests.rejection(decoded)).isNull();
  }

  @Test
  void aNewerAgentsEventWithAnAddedFieldVerifiesForItsHost() throws Exception {
    KeyPair web1 = Ed25519Keys.generate();
    EventVerifier agents = new EventVerifier(List.of(new TrustedAgent("web-1", web1.getPublic())), codec);
    int checked = 0;
    for (StevedoreEvent sample : SampleEvents.all()) {
      if (!(sample instanceof SignedByAgent<?> s) || !"web-1".equals(s.host())) {
        continue;
      }
      byte[] newer = newerWriter(sample, web1, data -> data.put("cpuSeconds", 12), Map.of("traceparent", "00-x"));
      StevedoreEvent decoded = codec.decode(newer);
      assertThat(agents.verify(decoded)).as(sample.type().typeName()).isEqualTo(EventVerifier.Verdict.ok());
      byte[] tampered = new String(newer, java.nio.charset.StandardCharsets.UTF_8)
          .replace("\"cpuSeconds\":12", "\"cpuSeconds\":13").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(agents.verify(codec.decode(tampered)).verified()).as(sample.type().typeName()).isFalse();
      checked++;
    }
    assertThat(checked).isGreaterThan(3);
  }

  /**
   * What a later version writes: the event with {@code data} fields this version does not know,
   * signed over its canonical form (short type name, sorted keys, no extensions) with
   * {@code keyId}/{@code signature} added after, and extension attributes in the envelope.
   */
  private byte[] newerWriter(StevedoreEvent unsigned, KeyPair keys, Consumer<ObjectNode> addToData,
      Map<String, String> extensions) throws Exception {
    ObjectNode envelope = (ObjectNode) codec.mapper().readTree(codec.encode(unsigned));
    ObjectNode data = (ObjectNode) envelope.get("data");
    addToData.accept(data);
    ObjectNode signedForm = envelope.deepCopy();
    signedForm.put("type", unsigned.type().typeName());
    byte[] canonical = CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(signedForm, Object.class));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(keys.getPrivate());
    signer.update(canonical);
    data.put("keyId", Ed25519Keys.keyId(keys.getPublic()));
    data.put("signature", Base64.getEncoder().encodeToString(signer.sign()));
    extensions.forEach(envelope::put);
    return codec.mapper().writeValueAsBytes(envelope);
  }
}
