package dev.stevedore.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/events.md true to the code: every {@code ```json} block in it must decode with the
 * {@link EventCodec} and be, byte for byte, what the codec writes (pretty-printed) for the sample
 * of its type in {@link SampleEvents}; every event type must have a section that names its topic
 * and every field of its record; the signed example must verify with the public key printed there.
 *
 * <p>When an example drifts, the expected text is written to
 * {@code common/target/events-docs/} so it can be pasted into the page.
 */
@DisplayName("docs/events.md matches the event records and the codec")
class EventDocsTest {
  /** Maven runs the tests of a module in its own directory, so the repository root is "..". */
  private static final Path DOC = Path.of("..", "docs", "events.md");
  private static final Path OUT = Path.of("target", "events-docs");
  private static final Pattern JSON_BLOCK = Pattern.compile("(?ms)^```json[ \\t]*\\n(.*?)^```[ \\t]*$");
  private static final Pattern SECTION = Pattern.compile("(?m)^## `([a-z.-]+)`[ \\t]*$");
  private static final Pattern PUBLIC_KEY =
      Pattern.compile("-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", Pattern.DOTALL);

  private static final Set<String> ENVELOPE_ONLY = Set.of("id", "source", "time");
  private static final List<String> ENVELOPE_ATTRIBUTES =
      List.of("specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data");

  private static final EventCodec CODEC = new EventCodec();
  private static String doc;
  private static List<String> blocks;

  @BeforeAll
  static void readDoc() throws IOException {
    assertThat(DOC).as("docs/events.md (resolved from %s)", Path.of("").toAbsolutePath()).isRegularFile();
    doc = Files.readString(DOC, StandardCharsets.UTF_8).replace("\r\n", "\n");
    blocks = new ArrayList<>();
    Matcher m = JSON_BLOCK.matcher(doc);
    while (m.find()) {
      blocks.add(m.group(1));
    }
  }

  @Test
  void everyJsonBlockDecodesWithTheCodec() {
    assertThat(blocks).as("```json blocks in docs/events.md").isNotEmpty();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      try {
        CODEC.decode(blocks.get(i).getBytes(StandardCharsets.UTF_8));
      } catch (EventDecodingException e) {
        failures.add("block " + (i + 1) + " (" + firstLine(blocks.get(i), "\"type\"") + "): " + e.getMessage());
      }
    }
    assertThat(failures).as("json blocks the codec rejects").isEmpty();
  }

  @Test
  void everyEventTypeHasAnExampleThatIsExactlyTheCodecsOutput() throws Exception {
    Map<EventType, String> expected = new EnumMap<>(EventType.class);
    for (StevedoreEvent sample : SampleEvents.all()) {
      expected.put(sample.type(), pretty(sample));
    }
    assertThat(expected.keySet()).as("SampleEvents covers every type").isEqualTo(EnumSet.allOf(EventType.class));

    Set<EventType> documented = EnumSet.noneOf(EventType.class);
    List<String> drifted = new ArrayList<>();
    for (String block : blocks) {
      StevedoreEvent event = CODEC.decode(block.getBytes(StandardCharsets.UTF_8));
      if (event instanceof DeployRequested r && r.signature() != null) {
        continue; // the signed example, checked on its own below
      }
      String want = expected.get(event.type());
      if (want.equals(block.strip())) {
        documented.add(event.type());
      } else {
        drifted.add(event.type().typeName());
        writeExpected(event.type().typeName() + ".json", want);
      }
    }
    assertThat(drifted)
        .as("examples that differ from the codec's output for SampleEvents (expected text in %s)", OUT.toAbsolutePath())
        .isEmpty();
    assertThat(documented).as("event types with an example").isEqualTo(EnumSet.allOf(EventType.class));
  }

  @Test
  void signedExampleVerifiesWithTheDocumentedPublicKey() throws Exception {
    List<DeployRequested> signed = new ArrayList<>();
    for (String block : blocks) {
      if (CODEC.decode(block.getBytes(StandardCharsets.UTF_8)) instanceof DeployRequested r && r.signature() != null) {
        signed.add(r);
        assertThat(block.strip()).as("signed example is the codec's output").isEqualTo(pretty(r));
      }
    }
    Matcher key = PUBLIC_KEY.matcher(doc);
    boolean ok = signed.size() == 1 && key.find();
    if (ok) {
      PublicKey publicKey = Ed25519Keys.publicKeyFromPem(key.group());
      DeployRequested example = signed.get(0);
      ok = example.keyId().equals(Ed25519Keys.keyId(publicKey))
          && new RequestVerifier(List.of(publicKey), CODEC).verifies(example)
          && example.unsigned().equals(SampleEvents.requested());
    }
    if (!ok) {
      KeyPair fresh = Ed25519Keys.generate();
      DeployRequested regenerated = new RequestSigner(fresh, CODEC).sign(SampleEvents.requested());
      writeExpected("signed-example.md", "```text\n" + Ed25519Keys.toPem(fresh.getPublic()) + "```\n\n```json\n"
          + pretty(regenerated) + "\n```\n");
      fail("docs/events.md needs exactly one signed deploy.requested example (the signed form of "
          + "SampleEvents.requested()) that verifies with the PEM public key printed on the page; "
          + "a regenerated pair is in " + OUT.resolve("signed-example.md").toAbsolutePath());
    }
  }

  @Test
  void everyEventTypeHasASectionNamingItsTopicAndEveryField() {
    Map<String, String> sections = sections();
    List<String> missing = new ArrayList<>();
    for (EventType type : EventType.values()) {
      String section = sections.get(type.typeName());
      if (section == null) {
        missing.add("section ## `" + type.typeName() + "`");
        continue;
      }
      if (!section.contains("`" + topicOf(type) + "`")) {
        missing.add(type.typeName() + ": topic `" + topicOf(type) + "`");
      }
      for (String field : fieldNames(type.recordClass(), "")) {
        if (!section.contains("`" + field + "`")) {
          missing.add(type.typeName() + ": field `" + field + "`");
        }
      }
    }
    assertThat(missing).as("what docs/events.md does not document").isEmpty();
  }

  @Test
  void envelopeSectionNamesEveryAttribute() throws Exception {
    int start = doc.indexOf("\n## The envelope\n");
    assertThat(start).as("section ## The envelope").isNotNegative();
    int end = doc.indexOf("\n## ", start + 1);
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    JsonNode written = CODEC.mapper().readTree(CODEC.encode(SampleEvents.requested()));
    List<String> attributes = new ArrayList<>();
    written.fieldNames().forEachRemaining(attributes::add);
    assertThat(attributes).as("what the codec writes").containsExactlyElementsOf(ENVELOPE_ATTRIBUTES);
    for (String attribute : ENVELOPE_ATTRIBUTES) {
      assertThat(section).as("envelope table").contains("| `" + attribute + "` |");
    }
  }

  /** Where each type travels (the topic table of docs/events.md), by the sealed hierarchy. */
  private static String topicOf(EventType type) {
    Class<? extends StevedoreEvent> kind = type.recordClass();
    if (AgentHeartbeat.class.equals(kind)) {
      return Topics.HEARTBEATS;
    }
    if (RolloutState.class.equals(kind)) {
      return Topics.ROLLOUT_STATE;
    }
    if (RolloutEvent.class.isAssignableFrom(kind)) {
      return Topics.ROLLOUT_EVENTS;
    }
    if (VersionBlocked.class.equals(kind)) {
      return Topics.FLEET_BLOCKLIST;
    }
    if (AgentEvent.class.isAssignableFrom(kind)) {
      return Topics.EVENTS;
    }
    return Topics.REQUESTS;
  }

  /**
   * Record components, nested records as {@code parent.child}, lists of records as
   * {@code parent[].child}; not {@code id}, {@code source} and {@code time}, which the codec puts
   * in the envelope (checked by {@link #envelopeSectionNamesEveryAttribute()}).
   */
  private static List<String> fieldNames(Class<?> record, String prefix) {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      if (prefix.isEmpty() && ENVELOPE_ONLY.contains(c.getName())) {
        continue;
      }
      String name = prefix + c.getName();
      names.add(name);
      if (c.getType().isRecord()) {
        names.addAll(fieldNames(c.getType(), name + "."));
      } else if (List.class.equals(c.getType()) && c.getGenericType() instanceof ParameterizedType p) {
        Type element = p.getActualTypeArguments()[0];
        if (element instanceof Class<?> e && e.isRecord()) {
          names.addAll(fieldNames(e, name + "[]."));
        }
      }
    }
    return names;
  }

  private static Map<String, String> sections() {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = SECTION.matcher(doc);
    List<int[]> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      starts.add(new int[] {m.start(), m.end()});
      names.add(m.group(1));
    }
    for (int i = 0; i < names.size(); i++) {
      int end = doc.indexOf("\n## ", starts.get(i)[1]);
      out.put(names.get(i), doc.substring(starts.get(i)[1], end < 0 ? doc.length() : end));
    }
    return out;
  }

  private static String pretty(StevedoreEvent event) throws IOException {
    JsonNode tree = CODEC.mapper().readTree(CODEC.encode(event));
    return CODEC.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree);
  }

  private static void writeExpected(String name, String text) throws IOException {
    Files.createDirectories(OUT);
    Files.writeString(OUT.resolve(name), text.endsWith("\n") ? text : text + "\n", StandardCharsets.UTF_8);
  }

  private static String firstLine(String block, String containing) {
    return block.lines().filter(l -> l.contains(containing)).findFirst().orElse("no type").strip();
  }
}
