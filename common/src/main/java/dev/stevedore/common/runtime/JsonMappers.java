package dev.stevedore.common.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Every ObjectMapper Stevedore uses, made in one place. All of them are strict readers: duplicate
 * keys, trailing tokens and NaN are errors. They differ only where their jobs differ.
 */
public final class JsonMappers {
  /** The largest event (and string in one) the codec accepts. */
  public static final int MAX_EVENT_BYTES = 256 * 1024;

  private JsonMappers() {}

  /**
   * Events and stored records: ISO times, unknown properties and nulls for primitives refused, no
   * coercion of scalars, null fields left out; {@code canonical} also sorts properties (the bytes
   * that are signed and hashed).
   */
  public static ObjectMapper events(boolean canonical) {
    JsonMapper.Builder builder = strict(JsonMapper.builder())
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .serializationInclusion(JsonInclude.Include.NON_NULL);
    if (canonical) {
      builder.enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    }
    ObjectMapper m = limit(builder.build(), 32, 40, MAX_EVENT_BYTES);
    // No silent "5" -> "5" or 1 -> true: a field of the wrong JSON type is an error.
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return m;
  }

  /** Request bodies from outside (webhooks, API calls): read as trees, bounded depth and sizes. */
  public static ObjectMapper requestBodies(int maxDepth, int maxNumberLength, int maxStringLength) {
    return limit(strict(JsonMapper.builder()).build(), maxDepth, maxNumberLength, maxStringLength);
  }

  /** HTTP answers: every field written, null ones included, so clients always see the full shape. */
  public static ObjectMapper responses() {
    return JsonMapper.builder().addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
  }

  /**
   * Configuration files: YAML, Java times, enums in any case ({@code deployer} is
   * {@code DEPLOYER}), unknown keys are errors (a typo stops the start).
   */
  public static ObjectMapper configYaml() {
    return YAMLMapper.builder(new YAMLFactory())
        .addModule(new JavaTimeModule())
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  /**
   * State files a service writes and reads back itself (the agent's state, the edge proxy's):
   * indented, Java times as ISO strings, nulls written, unknown properties ignored (a file written
   * by a newer version still loads after a downgrade). Files written by older versions are on disk:
   * keep this format stable.
   */
  public static ObjectMapper stateFiles() {
    return JsonMapper.builder().addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  /** JSON printed by the programs the agent runs ({@code docker inspect}): a plain reader. */
  public static ObjectMapper toolOutput() {
    return JsonMapper.builder().build();
  }

  /** YAML printed by the programs the agent runs ({@code docker compose config}): a plain reader. */
  public static ObjectMapper toolOutputYaml() {
    return YAMLMapper.builder(new YAMLFactory()).build();
  }

  private static JsonMapper.Builder strict(JsonMapper.Builder builder) {
    return builder
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);
  }

  private static ObjectMapper limit(ObjectMapper mapper, int depth, int numberLength, int stringLength) {
    mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(depth)
        .maxNumberLength(numberLength)
        .maxStringLength(stringLength)
        .build());
    return mapper;
  }
}
