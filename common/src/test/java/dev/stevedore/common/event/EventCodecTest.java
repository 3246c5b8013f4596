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
    assertThat(json.get("type").asText()).isEqualTo("dev.stevedore." + event.type().typeName())
        .isEqualTo(event.type().cloudEventsType());
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
    String field = event instanceof AgentHeartbeat ? "host"
        : event instanceof RolloutEvent || event instanceof VersionBlocked ? "rolloutId" : "deploymentId";
    assertThat(json.get("data").has(field)).as(field).isTrue();
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
  void readsEveryTypeUnderItsShortNameAsWrittenBeforeThePrefix(StevedoreEvent event) throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(event));
    json.put("type", event.type().typeName());
    assertThat(codec.decode(codec.mapper().writeValueAsBytes(json))).isEqualTo(event);
  }

  @ParameterizedTest
  @MethodSource("events")
  void leavesANewerWritersDataFieldOutOfTheRecord(StevedoreEvent event) throws Exception {
    ObjectNode json = (ObjectNode) codec.mapper().readTree(codec.encode(event));
    ((ObjectNode) json.get("data")).put("command", "rm -rf /");
    ((ObjectNode) json.get("data")).putObject("newerBlock").put("depth", 1);
    DecodedEvent decoded = codec.decodeEvent(codec.mapper().writeValueAsBytes(json));
    assertThat(decoded.event()).isEqualTo(event);
    assertThat(decoded.unknownFields()).isTrue();
    assertThat(codec.decodeEvent(codec.encode(event)).unknownFields()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("events")
  void acceptsExtensionAttributesAndPassesThemOn(StevedoreEvent event) throws Exception {
    java.util.Map<String, Object> extensions = new java.util.LinkedHashMap<>();
    extensions.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    extensions.put("partitionkey", "production/web");
    extensions.put("attempt", 2);
    extensions.put("sampled", true);
    byte[] bytes = codec.encode(event, extensions);
    JsonNode json = codec.mapper().readTree(bytes);
    assertThat(json.get("traceparent").asText()).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    DecodedEvent decoded = codec.decodeEvent(bytes);
    assertThat(decoded.event()).isEqualTo(event);
    assertThat(decoded.extensions()).containsExactlyEntriesOf(extensions);
    assertThat(codec.extensions(decoded.event())).isEqualTo(extensions);
    // Passed on: re-encoding with them gives the same document; they are not in the canonical form.
    assertThat(codec.encode(decoded.event(), decoded.extensions())).isEqualTo(bytes);
    assertThat(codec.canonicalBytes(decoded.event())).isEqualTo(codec.canonicalBytes(event));
  }

  @Test
  void rejectsHostileExtensionAttributes() throws Exception {
    String[][] cases = {
        {"\"Traceparent\":\"x\"", "unknown envelope attribute 'Traceparent'"},
        {"\"data_base64\":\"AAAA\"", "unknown envelope attribute 'data_base64'"},
        {"\"averyveryverylongextensionname\":\"x\"", "unknown envelope attribute"},
        {"\"traceparent\":{\"nested\":1}", "must be a string"},
        {"\"traceparent\":[1]", "must be a string"},
        {"\"traceparent\":null", "must be a string"},
        {"\"traceparent\":1.5", "must be a string"},
        {"\"traceparent\":99999999999", "must be a string"},
        {"\"traceparent\":\"" + "x".repeat(EventCodec.MAX_EXTENSION_CHARS + 1) + "\"", "must be a string"},
    };
    String encoded = new String(codec.encode(SampleEvents.requested()), StandardCharsets.UTF_8);
    for (String[] c : cases) {
      String hostile = encoded.replaceFirst("\\{", "{" + java.util.regex.Matcher.quoteReplacement(c[0]) + ",");
      assertThatThrownBy(() -> codec.decode(hostile.getBytes(StandardCharsets.UTF_8)))
          .as(c[0]).isInstanceOf(EventDecodingException.class).hasMessageContaining(c[1]);
    }
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i <= EventCodec.MAX_EXTENSIONS; i++) {
      many.append("\"ext").append(i).append("\":\"v\",");
    }
    String tooMany = encoded.replaceFirst("\\{", many.toString());
    assertThatThrownBy(() -> codec.decode(tooMany.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class).hasMessageContaining("more than " + EventCodec.MAX_EXTENSIONS);
    assertThatThrownBy(() -> codec.encode(SampleEvents.requested(), java.util.Map.of("type", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("core attribute");
    assertThatThrownBy(() -> codec.encode(SampleEvents.requested(), java.util.Map.of("trace_parent", "x")))
        .isInstanceOf(IllegalArgumentException.class);
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
