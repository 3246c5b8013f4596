package dev.stevedore.cli.out;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.Iterator;
import java.util.Map;

/** The one JSON/YAML setup of the CLI: lenient reading (new fields are ignored), terminal-safe writing. */
public final class Json {
  /** Reads API answers and the config file; unknown fields are ignored (the API may grow). */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  /** Writes {@code -o json}: exact data, with every character {@link Safe} calls unsafe as a {@code \\u} escape. */
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  static {
    PRETTY.getFactory().setCharacterEscapes(new TerminalEscapes());
    COMPACT.getFactory().setCharacterEscapes(new TerminalEscapes());
  }

  private Json() {}

  /** Pretty JSON with control and bidi characters escaped (still valid JSON, same data). */
  public static String pretty(JsonNode node) {
    try {
      return PRETTY.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One line of JSON, escaped as {@link #pretty}. */
  public static String compact(JsonNode node) {
    try {
      return COMPACT.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * YAML; strings with unsafe characters are written as their {@link Safe#text} form (YAML would
   * print a bidi override raw), so use {@code -o json} for the exact bytes.
   */
  public static String yaml(JsonNode node) {
    try {
      return YAML.writeValueAsString(safeCopy(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode safeCopy(JsonNode node) {
    if (node.isTextual()) {
      return JsonNodeFactory.instance.textNode(Safe.text(node.textValue()));
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        copy.set(Safe.text(e.getKey()), safeCopy(e.getValue()));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(n -> copy.add(safeCopy(n)));
      return copy;
    }
    return node;
  }

  /** Escapes DEL, C1 controls, separators and bidi overrides too (Jackson escapes only C0 by default). */
  private static final class TerminalEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    TerminalEscapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return Safe.unsafe(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }
}
