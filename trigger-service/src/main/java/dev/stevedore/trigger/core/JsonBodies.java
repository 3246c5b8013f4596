package dev.stevedore.trigger.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.event.Utf8;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads webhook and API bodies: UTF-8 only, one JSON object, bounded nesting, number length and
 * string length, no duplicate keys. Every refusal is a 400 with the parser's reason.
 */
public final class JsonBodies {
  public static final int MAX_DEPTH = 64;
  public static final int MAX_NUMBER_LENGTH = 40;

  private static final ObjectMapper MAPPER =
      JsonMappers.requestBodies(MAX_DEPTH, MAX_NUMBER_LENGTH, 1024 * 1024);

  private JsonBodies() {}

  /**
   * The body as a JSON object with no field but {@code fields}, or a 400 saying why not: the one
   * allow-list check of every body the trigger reads field by field (hooks' payloads are read
   * with {@link #object(byte[])}: providers add fields all the time).
   */
  public static JsonNode object(byte[] body, Set<String> fields) {
    JsonNode json = object(body);
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!fields.contains(field)) {
        throw HttpProblem.badRequest("unknown field '"
            + Validation.text("field", field.length() > 64 ? field.substring(0, 64) : field) + "'");
      }
    }
    return json;
  }

  /** The body as a JSON object, or a 400 saying why not. */
  public static JsonNode object(byte[] body) {
    if (body == null || body.length == 0) {
      throw HttpProblem.badRequest("empty body");
    }
    requireUtf8(body);
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw HttpProblem.badRequest("malformed JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw HttpProblem.badRequest("malformed JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw HttpProblem.badRequest("the body must be a JSON object");
    }
    return node;
  }

  /** A string field (absent or null = null); any other JSON type is a 400. */
  public static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw HttpProblem.badRequest("'" + field + "' must be a string");
    }
    return value.asText();
  }

  /** The string at a JSON pointer ({@code /a/b}), or null when absent or not a string. */
  public static String at(JsonNode node, String pointer) {
    JsonNode value = node.at(pointer);
    return value.isTextual() ? value.asText() : null;
  }

  private static void requireUtf8(byte[] body) {
    if (!Utf8.isValid(body)) {
      throw HttpProblem.badRequest("the body is not valid UTF-8");
    }
  }

  private static String firstLine(String message) {
    String m = String.valueOf(message);
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 200 ? m.substring(0, 200) : m;
  }
}
