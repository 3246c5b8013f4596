package dev.stevedore.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
  private final EventCodec codec = new EventCodec();

  static Stream<StevedoreEvent> events() {
    return SampleEvents.all().stream();
  }

  @Test
  void samplesCoverEveryEventType() {
    Set<EventType> covered = SampleEvents.all().stream().map(StevedoreEvent::type).collect(Collectors.toSet());
    assertThat(covered).isEqualTo(EnumSet.allOf(EventType.class));
  }

  @ParameterizedTest
  @MethodSource("events")
  void roundTripsEveryType(StevedoreEvent event) throws Exception {
    byte[] bytes = codec.encode(event);
    assertThat(codec.decode(bytes)).isEqualTo(event);
  }

  @ParameterizedTest
  @MethodSource("events")
  void writesACloudEventsEnvelope(StevedoreEvent event) throws Exception {
    JsonNode json = codec.mapper().readTree(codec.encode(event));
    assertThat(json.get("specversion").asText()).isEqualTo("1.0");
    assertThat(json.get("id").asText()).isEqualTo(event.id());
    assertThat(json.get("source").asText()).isEqualTo(event.source());
    assertThat(json.get("type").asText()).isEqualTo(event.type().typeName());
    assertThat(json.get("time").asText()).isEqualTo("2026-11-26T10:15:30.123Z");
    assertThat(json.get("subject").asText()).isEqualTo(event.subject());
    assertThat(json.get("data").has("id")).isFalse();
  }

  @ParameterizedTest
  @MethodSource("events")
  void rejectsEveryTypeWithAMissingRequiredDataField(StevedoreEvent event) throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(event));
    String required = event instanceof AgentHeartbeat ? "host"
        : event instanceof RolloutEvent || event instanceof VersionBlocked ? "rolloutId" : "deploymentId";
    ((ObjectNode) json.get("data")).remove(required);
    assertThatThrownBy(() -> codec.decode(codec.mapper().writeValueAsBytes(json)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining(required);
  }

  @ParameterizedTest
  @MethodSource("events")
  void rejectsEveryTypeWithAFieldOfTheWrongType(StevedoreEvent event) throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(event));
    String field = event instanceof AgentHeartbeat ? "host" : "deploymentId";
    ((ObjectNode) json.get("data")).put(field, 42);
    assertThatThrownBy(() -> codec.decode(codec.mapper().writeValueAsBytes(json)))
        .isInstanceOf(EventDecodingException.class);
  }

  @ParameterizedTest
  @MethodSource("events")
  void rejectsEveryTypeWithAMissingEnvelopeId(StevedoreEvent event) throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(event));
    json.remove("id");
    assertThatThrownBy(() -> codec.decode(codec.mapper().writeValueAsBytes(json)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("'id'");
  }

  @ParameterizedTest
  @MethodSource("events")
  void rejectsEveryTypeUnderAnUnknownTypeName(StevedoreEvent event) throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(event));
    json.put("type", event.type().typeName() + ".v2");
    assertThatThrownBy(() -> codec.decode(codec.mapper().writeValueAsBytes(json)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("unknown event type");
  }

  @ParameterizedTest
  @MethodSource("events")
  void rejectsEveryTypeWithAnUnknownDataField(StevedoreEvent event) throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(event));
    ((ObjectNode) json.get("data")).put("command", "rm -rf /");
    assertThatThrownBy(() -> codec.decode(codec.mapper().writeValueAsBytes(json)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("command");
  }

  @Test
  void rejectsGarbageBytes() {
    assertThatThrownBy(() -> codec.decode(new byte[] {0x00, 0x13, (byte) 0xff, 0x7f}))
        .isInstanceOf(EventDecodingException.class);
    assertThatThrownBy(() -> codec.decode("{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> codec.decode("[1,2,3]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessage("not a JSON object");
    assertThatThrownBy(() -> codec.decode(new byte[0]))
        .isInstanceOf(EventDecodingException.class)
        .hasMessage("empty record");
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] bytes = "{\"specversion\":\"1.0\",\"id\":\"\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessage("not valid UTF-8");
  }

  @Test
  void rejectsDeeplyNestedAndOversizedRecords() {
    String nested = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
    assertThatThrownBy(() -> codec.decode(nested.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
    byte[] huge = new byte[EventCodec.MAX_EVENT_BYTES + 1];
    assertThatThrownBy(() -> codec.decode(huge))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void rejectsDuplicateKeysAndATimeThatIsNotAnInstant() throws Exception {
    String encoded = new String(codec.encode(SampleEvents.requested()), StandardCharsets.UTF_8);
    String duplicated = encoded.replace("\"specversion\":\"1.0\"", "\"specversion\":\"1.0\",\"specversion\":\"1.0\"");
    assertThatThrownBy(() -> codec.decode(duplicated.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class);
    ObjectNode json = (ObjectNode) codec.mapper().readTree(encoded);
    json.put("time", "yesterday");
    assertThatThrownBy(() -> codec.decode(codec.mapper().writeValueAsBytes(json)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("time");
  }

  @Test
  void rejectsASubjectThatDisagreesWithTheEvent() throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(SampleEvents.requested()));
    json.put("subject", "another-deployment");
    assertThatThrownBy(() -> codec.decode(codec.mapper().writeValueAsBytes(json)))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("subject");
  }

  @Test
  void decodesToTheExpectedKindOrSaysWhatItGot() throws Exception {
    byte[] bytes = codec.encode(SampleEvents.requested());
    assertThat(codec.decode(bytes, DeployRequested.class).service()).isEqualTo("web");
    assertThatThrownBy(() -> codec.decode(bytes, Outcome.class))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("deploy.requested");
  }

  @Test
  void canonicalBytesDoNotDependOnFieldOrder() throws Exception {
    StevedoreEvent event = SampleEvents.requested();
    byte[] canonical = codec.canonicalBytes(event);
    assertThat(codec.canonicalBytes(codec.decode(codec.encode(event)))).isEqualTo(canonical);
    String text = new String(canonical, StandardCharsets.UTF_8);
    assertThat(text.indexOf("\"data\"")).isLessThan(text.indexOf("\"id\""));
  }

  @Test
  void outcomesAreTerminalAndProgressEventsAreNot() {
    assertThat(EventType.DEPLOY_SUCCEEDED.terminal()).isTrue();
    assertThat(EventType.DEPLOY_SKIPPED.terminal()).isTrue();
    assertThat(EventType.DEPLOY_STEP.terminal()).isFalse();
    assertThat(EventType.DEPLOY_REQUESTED.terminal()).isFalse();
  }
}
