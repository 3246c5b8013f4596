package dev.stevedore.common.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one codec at the Kafka boundary: Stevedore events to and from CloudEvents 1.0 structured
 * JSON ({@value #STRUCTURED_CONTENT_TYPE}). Decoding is strict (unknown type, missing or mistyped
 * field, oversized or deeply nested input are all rejected with a reason) so that a bad record
 * becomes a dead letter rather than a half-understood command; it is lenient only where the
 * CloudEvents spec and forward compatibility ask for it: extension attributes are accepted (and
 * can be passed on), and {@code data} fields a newer version added are left out of the record
 * while signatures are still checked over them ({@link #signedBytes}).
 */
public final class EventCodec {
  public static final String SPEC_VERSION = "1.0";
  /** The {@code datacontenttype}: what {@code data} is. */
  public static final String CONTENT_TYPE = "application/json";
  /** The Kafka {@code content-type} header of a structured-mode record: the whole value is a CloudEvent. */
  public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";
  /** The header that names it (the CloudEvents Kafka protocol binding). */
  public static final String CONTENT_TYPE_HEADER = "content-type";
  /** At most this many extension attributes on one event. */
  public static final int MAX_EXTENSIONS = 16;
  /** Longest extension attribute value (a string). */
  public static final int MAX_EXTENSION_CHARS = 4096;
  private static final java.util.regex.Pattern EXTENSION_NAME = java.util.regex.Pattern.compile("[a-z0-9]{1,20}");
  /** Largest encoded event accepted. */
  public static final int MAX_EVENT_BYTES = JsonMappers.MAX_EVENT_BYTES;

  private static final Set<String> ENVELOPE_FIELDS =
      Set.of("specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data");
  private static final Set<String> META_FIELDS = Set.of("id", "source", "time");

  // One pair per process: mappers are thread-safe once built, and each builds its serializers on
  // first use (a JVM that hosts many agents, the fleet simulator, paid that once per agent).
  private static final ObjectMapper MAPPER = JsonMappers.events(false);
  private static final ObjectMapper CANONICAL = JsonMappers.events(true);

  private final ObjectMapper mapper;
  private final ObjectMapper canonical;

  public EventCodec() {
    this.mapper = MAPPER;
    this.canonical = CANONICAL;
  }

  /** The mapper that writes canonical forms (sorted members); for tests that compare the forms. */
  static ObjectMapper canonicalMapper() {
    return CANONICAL;
  }

  /** The mapper used for event payloads; share it rather than making new ones. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** Encodes an event as a CloudEvents structured-mode JSON document. */
  public byte[] encode(StevedoreEvent event) {
    return encode(event, Map.of());
  }

  /**
   * Encodes an event with CloudEvents extension attributes (e.g. the {@code traceparent} of the
   * event it answers, from {@link DecodedEvent#extensions()}). Extensions are not part of the
   * signed canonical form.
   *
   * @throws IllegalArgumentException for a name that is not 1-20 of {@code a-z0-9}, a core
   *     attribute's name, a value that is not a string, integer or boolean, or too many of them
   */
  public byte[] encode(StevedoreEvent event, Map<String, ?> extensions) {
    ObjectNode envelope = envelope(event, EventType::cloudEventsType);
    ObjectNode data = (ObjectNode) envelope.remove("data");
    if (extensions.size() > MAX_EXTENSIONS) {
      throw new IllegalArgumentException(extensions.size() + " extension attributes, more than " + MAX_EXTENSIONS);
    }
    extensions.forEach((name, value) -> {
      String why = extensionRejection(name, mapper.valueToTree(value));
      if (why != null) {
        throw new IllegalArgumentException(why);
      }
      envelope.set(name, mapper.valueToTree(value));
    });
    envelope.set("data", data);
    try {
      return mapper.writeValueAsBytes(envelope);
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
      return canonical(envelope(event, EventType::typeName));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + event.type().typeName(), e);
    }
  }

  /**
   * The bytes a signature on {@code event} covers: the canonical form of the event without
   * {@code keyId} and {@code signature}. For an event this codec decoded from a document with
   * {@code data} fields this version does not know, that is the form of the document as received
   * (so an older reader verifies a newer writer's signature over exactly what was signed);
   * otherwise the record's own {@link #canonicalBytes}.
   */
  public byte[] signedBytes(StevedoreEvent event) {
    ReceivedForms.Received received = ReceivedForms.get(event);
    if (received != null && received.signedForm() != null) {
      return received.signedForm().clone();
    }
    StevedoreEvent unsigned = event;
    if (event instanceof SignedRequest<?> request) {
      unsigned = (StevedoreEvent) request.unsigned();
    } else if (event instanceof SignedByAgent<?> agent) {
      unsigned = (StevedoreEvent) agent.unsigned();
    }
    return canonicalBytes(unsigned);
  }

  /** The extension attributes an event this codec decoded carried; empty for any other. */
  public Map<String, Object> extensions(StevedoreEvent event) {
    ReceivedForms.Received received = ReceivedForms.get(event);
    return received == null ? Map.of() : received.extensions();
  }

  private byte[] canonical(ObjectNode envelope) throws IOException {
    com.fasterxml.jackson.core.util.ByteArrayBuilder out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(1024);
    try (com.fasterxml.jackson.core.JsonGenerator g = canonical.createGenerator(out)) {
      if (!CanonicalJson.write(g, envelope)) {
        return sortedThroughMaps(canonical, envelope);
      }
    }
    return out.toByteArray();
  }

  /**
   * The canonical form the long way: through plain maps, which ORDER_MAP_ENTRIES_BY_KEYS sorts at
   * every depth. What {@link CanonicalJson} must equal byte for byte, and its fallback.
   */
  static byte[] sortedThroughMaps(ObjectMapper canonical, JsonNode tree) throws IOException {
    Object plain = canonical.treeToValue(tree, Object.class);
    return canonical.writeValueAsBytes(plain);
  }

  /** The tree {@link #canonicalBytes} writes (tests compare the one-pass writer with the older path over it). */
  ObjectNode canonicalTree(StevedoreEvent event) {
    return envelope(event, EventType::typeName);
  }

  private ObjectNode envelope(StevedoreEvent event, java.util.function.Function<EventType, String> typeName) {
    ObjectNode data = mapper.valueToTree(event);
    META_FIELDS.forEach(data::remove);
    ObjectNode envelope = mapper.createObjectNode();
    envelope.put("specversion", SPEC_VERSION);
    envelope.put("id", event.id());
    envelope.put("source", event.source());
    envelope.put("type", typeName.apply(event.type()));
    envelope.put("time", event.time().toString());
    envelope.put("subject", event.subject());
    envelope.put("datacontenttype", CONTENT_TYPE);
    envelope.set("data", data);
    return envelope;
  }

  /** Decodes a CloudEvents JSON document into its event record, or says exactly why not. */
  public StevedoreEvent decode(byte[] bytes) throws EventDecodingException {
    return decodeEvent(bytes).event();
  }

  /**
   * Decodes a CloudEvents JSON document into its event record and its extension attributes, or
   * says exactly why not. Its {@code type} may be the CloudEvents type or the short name.
   */
  public DecodedEvent decodeEvent(byte[] bytes) throws EventDecodingException {
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
    Map<String, Object> extensions = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> attribute = it.next();
      if (ENVELOPE_FIELDS.contains(attribute.getKey())) {
        continue;
      }
      String why = extensionRejection(attribute.getKey(), attribute.getValue());
      if (why != null) {
        throw EventDecodingException.of(why);
      }
      if (extensions.size() == MAX_EXTENSIONS) {
        throw EventDecodingException.of("more than " + MAX_EXTENSIONS + " extension attributes");
      }
      extensions.put(attribute.getKey(), mapper.convertValue(attribute.getValue(), Object.class));
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
    boolean unknownFields = false;
    try {
      try {
        event = mapper.treeToValue(fields, type.recordClass());
      } catch (UnrecognizedPropertyException e) {
        // A newer writer's additive field: leave it out of the record, keep it for the signature.
        unknownFields = true;
        event = mapper.readerFor(type.recordClass())
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .readValue(fields);
      }
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
    if (unknownFields || !extensions.isEmpty()) {
      ReceivedForms.put(event, new ReceivedForms.Received(
          java.util.Collections.unmodifiableMap(extensions), unknownFields ? receivedSignedForm(root, type, event) : null));
    }
    return new DecodedEvent(event, extensions, unknownFields);
  }

  /**
   * The canonical form of a received document as its signer made it: without extension
   * attributes (not signed), with the short type name and the subject the record implies (as
   * {@link #canonicalBytes} writes them), without {@code keyId} and {@code signature}.
   */
  private byte[] receivedSignedForm(JsonNode root, EventType type, StevedoreEvent event) throws EventDecodingException {
    ObjectNode signed = mapper.createObjectNode();
    ENVELOPE_FIELDS.forEach(name -> {
      if (root.has(name)) {
        signed.set(name, root.get(name).deepCopy());
      }
    });
    signed.put("type", type.typeName());
    signed.put("subject", event.subject());
    signed.put("datacontenttype", CONTENT_TYPE);
    ((ObjectNode) signed.get("data")).remove(List.of("keyId", "signature"));
    try {
      return canonical(signed);
    } catch (IOException e) {
      throw EventDecodingException.of("cannot canonicalize: " + firstLine(e), e);
    }
  }

  /** Why an envelope attribute outside the core set is not an acceptable extension, or {@code null}. */
  private static String extensionRejection(String name, JsonNode value) {
    if (ENVELOPE_FIELDS.contains(name)) {
      return "'" + name + "' is a core attribute, not an extension";
    }
    if (!EXTENSION_NAME.matcher(name).matches()) {
      return "unknown envelope attribute '" + name + "' (an extension's name is 1-20 of a-z and 0-9)";
    }
    boolean scalar = value != null && (value.isTextual() && value.asText().length() <= MAX_EXTENSION_CHARS
        || value.isBoolean() || value.isIntegralNumber() && value.canConvertToInt());
    return scalar ? null : "extension attribute '" + name + "' must be a string of at most " + MAX_EXTENSION_CHARS
        + " characters, an integer or a boolean";
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
    if (!Utf8.isValid(bytes)) {
      throw EventDecodingException.of("not valid UTF-8");
    }
  }

  private static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
