package dev.stevedore.common.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The one codec at the Kafka boundary: Stevedore events to and from CloudEvents 1.0 structured
 * JSON. Decoding is strict (unknown type, missing or mistyped field, unknown field, oversized or
 * deeply nested input are all rejected with a reason) so that a bad record becomes a dead letter
 * rather than a half-understood command.
 */
public final class EventCodec {
  public static final String SPEC_VERSION = "1.0";
  public static final String CONTENT_TYPE = "application/json";
  /** Largest encoded event accepted. */
  public static final int MAX_EVENT_BYTES = JsonMappers.MAX_EVENT_BYTES;

  private static final Set<String> ENVELOPE_FIELDS =
      Set.of("specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data");
  private static final Set<String> META_FIELDS = Set.of("id", "source", "time");

  private final ObjectMapper mapper;
  private final ObjectMapper canonical;

  public EventCodec() {
    this.mapper = JsonMappers.events(false);
    this.canonical = JsonMappers.events(true);
  }

  /** The mapper used for event payloads; share it rather than making new ones. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** Encodes an event as a CloudEvents structured-mode JSON document. */
  public byte[] encode(StevedoreEvent event) {
    try {
      return mapper.writeValueAsBytes(envelope(event));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + event.type().typeName(), e);
    }
  }

  /**
   * The deterministic bytes of an event (sorted keys, no insignificant white space), used for
   * signatures and the audit hash chain.
   */
  public byte[] canonicalBytes(StevedoreEvent event) {
    try {
      // Through plain maps, which ORDER_MAP_ENTRIES_BY_KEYS sorts at every depth.
      Object plain = canonical.treeToValue(envelope(event), Object.class);
      return canonical.writeValueAsBytes(plain);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + event.type().typeName(), e);
    }
  }

  private ObjectNode envelope(StevedoreEvent event) {
    ObjectNode data = mapper.valueToTree(event);
    META_FIELDS.forEach(data::remove);
    ObjectNode envelope = mapper.createObjectNode();
    envelope.put("specversion", SPEC_VERSION);
    envelope.put("id", event.id());
    envelope.put("source", event.source());
    envelope.put("type", event.type().typeName());
    envelope.put("time", event.time().toString());
    envelope.put("subject", event.subject());
    envelope.put("datacontenttype", CONTENT_TYPE);
    envelope.set("data", data);
    return envelope;
  }

  /** Decodes a CloudEvents JSON document into its event record, or says exactly why not. */
  public StevedoreEvent decode(byte[] bytes) throws EventDecodingException {
    if (bytes == null || bytes.length == 0) {
      throw EventDecodingException.of("empty record");
    }
    if (bytes.length > MAX_EVENT_BYTES) {
      throw EventDecodingException.of("record of " + bytes.length + " bytes exceeds " + MAX_EVENT_BYTES);
    }
    requireUtf8(bytes);
    JsonNode root;
    try {
      root = mapper.readTree(bytes);
    } catch (IOException e) {
      throw EventDecodingException.of("not JSON: " + firstLine(e), e);
    }
    if (root == null || !root.isObject()) {
      throw EventDecodingException.of("not a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!ENVELOPE_FIELDS.contains(name)) {
        throw EventDecodingException.of("unknown envelope attribute '" + name + "'");
      }
    }
    String specVersion = text(root, "specversion");
    if (!SPEC_VERSION.equals(specVersion)) {
      throw EventDecodingException.of("unsupported specversion '" + specVersion + "'");
    }
    String typeName = text(root, "type");
    EventType type = EventType.byName(typeName)
        .orElseThrow(() -> EventDecodingException.of("unknown event type '" + typeName + "'"));
    JsonNode data = root.get("data");
    if (data == null || !data.isObject()) {
      throw EventDecodingException.of("missing or non-object 'data'");
    }
    ObjectNode fields = ((ObjectNode) data).deepCopy();
    for (String meta : META_FIELDS) {
      if (fields.has(meta)) {
        throw EventDecodingException.of("'" + meta + "' belongs in the envelope, not in data");
      }
      fields.put(meta, text(root, meta));
    }
    try {
      Instant.parse(fields.get("time").asText());
    } catch (RuntimeException e) {
      throw EventDecodingException.of("'time' is not an RFC 3339 instant");
    }
    StevedoreEvent event;
    try {
      event = mapper.treeToValue(fields, type.recordClass());
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw EventDecodingException.of(typeName + ": " + cause.getMessage(), e);
    } catch (IOException | IllegalArgumentException e) {
      throw EventDecodingException.of(typeName + ": " + firstLine(e), e);
    }
    String subject = root.hasNonNull("subject") ? root.get("subject").asText() : null;
    if (subject != null && !subject.equals(event.subject())) {
      throw EventDecodingException.of("subject '" + subject + "' does not match the event");
    }
    return event;
  }

  /** Decodes, and checks that the event is of the expected kind. */
  public <T extends StevedoreEvent> T decode(byte[] bytes, Class<T> kind) throws EventDecodingException {
    StevedoreEvent event = decode(bytes);
    if (!kind.isInstance(event)) {
      throw EventDecodingException.of("expected " + kind.getSimpleName() + " but got " + event.type().typeName());
    }
    return kind.cast(event);
  }

  /** Reads any JSON value with the same strict settings (for payloads other than events). */
  public <T> T read(byte[] bytes, Class<T> kind) throws IOException {
    return mapper.readValue(bytes, kind);
  }

  public Map<String, Object> toMap(Object value) {
    return mapper.convertValue(value, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
  }

  private static String text(JsonNode root, String field) throws EventDecodingException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw EventDecodingException.of("missing envelope attribute '" + field + "'");
    }
    if (!node.isTextual() || node.asText().isBlank()) {
      throw EventDecodingException.of("envelope attribute '" + field + "' must be a non-empty string");
    }
    return node.asText();
  }

  private static void requireUtf8(byte[] bytes) throws EventDecodingException {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw EventDecodingException.of("not valid UTF-8");
    }
  }

  private static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
