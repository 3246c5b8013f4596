package dev.stevedore.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Writes a JSON tree in its canonical form in one pass: object members sorted by name (String
 * natural order, as a {@link java.util.TreeMap} sorts them), members whose value is {@code null}
 * left out (array elements kept), no insignificant white space, scalars written exactly as the
 * mapper writes them. The bytes are the ones the older path made (tree to
 * sorted maps to bytes; {@code CanonicalJsonTest} compares both over every event type and random
 * trees), because signatures and the audit hash chain of a mixed-version fleet depend on them.
 *
 * <p>It writes the node types event trees are made of (objects, arrays, strings, booleans,
 * {@code null}, integers of any size, doubles); for anything else (binary, POJO, float, big
 * decimal nodes) {@link #write} answers {@code false} without having written a byte, so the
 * caller can take the older path.
 */
final class CanonicalJson {
  private CanonicalJson() {}

  /** Whether every node under {@code node} is of a type {@link #write} writes. */
  static boolean writable(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT, ARRAY -> {
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
          if (!writable(it.next())) {
            return false;
          }
        }
        return true;
      }
      case STRING, BOOLEAN, NULL -> {
        return true;
      }
      case NUMBER -> {
        return switch (node.numberType()) {
          case INT, LONG, BIG_INTEGER, DOUBLE -> true;
          default -> false;
        };
      }
      default -> {
        return false;
      }
    }
  }

  /** Writes {@code node} canonically; {@code false} (and nothing written) if it is not {@link #writable}. */
  static boolean write(JsonGenerator g, JsonNode node) throws IOException {
    if (!writable(node)) {
      return false;
    }
    writeNode(g, node);
    return true;
  }

  private static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<String> names = new ArrayList<>(node.size());
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        g.writeStartObject();
        for (String name : names) {
          JsonNode value = node.get(name);
          if (value.isNull()) {
            continue; // the mapper leaves null members out (NON_NULL), at every depth; array elements stay
          }
          g.writeFieldName(name);
          writeNode(g, value);
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode element : node) {
          writeNode(g, element);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL -> g.writeNull();
      case NUMBER -> {
        switch (node.numberType()) {
          case INT -> g.writeNumber(node.intValue());
          case LONG -> g.writeNumber(node.longValue());
          case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
          case DOUBLE -> g.writeNumber(node.doubleValue());
          default -> throw new IllegalStateException("not writable: " + node.numberType());
        }
      }
      default -> throw new IllegalStateException("not writable: " + node.getNodeType());
    }
  }
}
