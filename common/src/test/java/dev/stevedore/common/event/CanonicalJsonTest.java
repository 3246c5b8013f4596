package dev.stevedore.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one-pass canonical writer against the older path (tree to sorted maps to bytes), byte for
 * byte: signatures and the audit hash chain of a fleet where both versions run depend on it.
 */
class CanonicalJsonTest {
  private static final ObjectMapper CANONICAL = EventCodec.canonicalMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final EventCodec codec = new EventCodec();

  static Stream<StevedoreEvent> events() {
    return SampleEvents.all().stream();
  }

  @ParameterizedTest
  @MethodSource("events")
  void everyEventTypeCanonicalizesAsTheOlderPathDid(StevedoreEvent event) throws IOException {
    byte[] older = EventCodec.sortedThroughMaps(CANONICAL, codec.canonicalTree(event));
    assertThat(new String(codec.canonicalBytes(event), StandardCharsets.UTF_8))
        .isEqualTo(new String(older, StandardCharsets.UTF_8));
    assertThat(codec.canonicalBytes(event)).isEqualTo(older);
  }

  @Test
  void randomTreesAreWrittenByteForByteAsTheOlderPathWroteThem() throws IOException {
    Random random = new Random(20261129L);
    for (int i = 0; i < 3_000; i++) {
      ObjectNode tree = randomObject(random, 0);
      assertSame(tree);
    }
  }

  @Test
  void documentsAsReadFromTheWireToo() throws IOException {
    // Received documents (a newer writer's unknown fields are signed as received) are trees the
    // reader parsed: numbers of every size, escapes, members in any order.
    String[] documents = {
      "{\"b\":1,\"a\":{\"z\":[3,2,1],\"y\":null,\"x\":\"\\u0000\\u2028\\ud83d\\ude00\\\"\\\\/\"}}",
      "{\"n\":12345678901234567890123,\"m\":-9223372036854775808,\"l\":9223372036854775807,\"k\":2147483648}",
      "{\"d\":1.0,\"e\":-0.0,\"f\":1e300,\"g\":4.9e-324,\"h\":0.1,\"i\":123456789.125,\"j\":1E2}",
      "{\"\":\"empty name\",\"A\":1,\"a\":2,\"\\u00e9\":3,\"\\ud83d\\ude00\":4,\"\\uffff\":5,\"10\":6,\"9\":7}",
      "{\"deep\":[[[{\"b\":[],\"a\":{}}]]],\"t\":true,\"f\":false,\"nul\":[null,null]}",
    };
    for (String document : documents) {
      assertSame((ObjectNode) codec.mapper().readTree(document));
    }
  }

  @Test
  void nodeTypesItDoesNotWriteAreLeftToTheOlderPathWithNothingWritten() throws IOException {
    for (JsonNode odd : new JsonNode[] {NODES.numberNode(1.5f), NODES.numberNode(new BigDecimal("1.50")),
        NODES.binaryNode(new byte[] {1, 2, 3}), NODES.pojoNode("a POJO")}) {
      ObjectNode tree = NODES.objectNode().put("a", 1);
      tree.putArray("list").add(odd);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JsonGenerator g = CANONICAL.createGenerator(out)) {
        assertThat(CanonicalJson.write(g, tree)).as(odd.getNodeType() + " " + odd).isFalse();
      }
      assertThat(out.size()).isZero();
    }
  }

  private static void assertSame(ObjectNode tree) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = CANONICAL.createGenerator(out)) {
      assertThat(CanonicalJson.write(g, tree)).isTrue();
    }
    byte[] older = EventCodec.sortedThroughMaps(CANONICAL, tree);
    assertThat(out.toString(StandardCharsets.UTF_8)).as("tree %s", tree).isEqualTo(new String(older, StandardCharsets.UTF_8));
    assertThat(out.toByteArray()).isEqualTo(older);
  }

  private static ObjectNode randomObject(Random random, int depth) {
    ObjectNode node = NODES.objectNode();
    int members = random.nextInt(depth == 0 ? 8 : 5);
    for (int i = 0; i < members; i++) {
      node.set(randomString(random, 6), randomValue(random, depth + 1));
    }
    return node;
  }

  private static JsonNode randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 4 ? 9 : 11);
    return switch (kind) {
      case 0 -> NODES.textNode(randomString(random, 20));
      case 1 -> NODES.booleanNode(random.nextBoolean());
      case 2 -> NODES.nullNode();
      case 3 -> NODES.numberNode(random.nextInt());
      case 4 -> NODES.numberNode(random.nextLong());
      case 5 -> NODES.numberNode(new BigInteger(100, random).negate());
      case 6 -> NODES.numberNode(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL));
      case 7 -> NODES.numberNode(random.nextInt(1000) / 8.0);
      case 8 -> NODES.textNode("");
      case 9 -> randomObject(random, depth);
      default -> {
        ArrayNode array = NODES.arrayNode();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          array.add(randomValue(random, depth + 1));
        }
        yield array;
      }
    };
  }

  /** Letters of either case, digits, punctuation that must be escaped, control characters, non-ASCII and surrogate pairs. */
  private static String randomString(Random random, int maxLength) {
    String[] pieces = {"a", "B", "z", "Z", "0", "9", "_", "-", ".", "\"", "\\", "/", "\n", "\t", "\u0000", "\u001f",
        "\u007f", "\u00e9", "\u00ff", "\u2028", "\ud83d\ude00", "\uffff", "\u4e2d", " "};
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(maxLength + 1);
    for (int i = 0; i < n; i++) {
      b.append(pieces[random.nextInt(pieces.length)]);
    }
    return b.toString();
  }
}
