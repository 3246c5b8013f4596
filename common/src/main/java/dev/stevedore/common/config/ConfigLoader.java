package dev.stevedore.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed configuration in three layers: the defaults a service ships (a YAML resource), then an
 * operator's YAML file, then environment variables. Every scalar key {@code a.bB.c} can be set
 * with {@code STEVEDORE_A_B_B_C}, and read from a file with {@code STEVEDORE_A_B_B_C_FILE}
 * (for secrets: Docker and Kubernetes mount them as files; a list key's file holds one element
 * per line). In the YAML file, {@code xFile: PATH} sets the key {@code x} to the content of PATH,
 * in mappings and list entries alike (no configuration key ends in {@code File}).
 *
 * <p>{@code kafka.properties}, a free map of Kafka client properties, takes its entries from
 * {@code STEVEDORE_KAFKA_PROPERTIES_<NAME>} too: NAME in lower case with {@code _} for
 * {@code .} ({@code STEVEDORE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config};
 * Kafka's client properties are all dotted lower-case words), and from a file with
 * {@code ..._FILE}.
 *
 * <p>Unknown keys are errors, so a typo in a config file stops the service at start-up with the
 * key's name instead of being ignored.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "STEVEDORE_";
  public static final String CONFIG_FILE_ENV = "STEVEDORE_CONFIG";
  /** Free maps whose entries may come from the environment: {@code <prefix><NAME>[_FILE]}. */
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \\1-----", Pattern.DOTALL);
  private static final List<List<String>> PROPERTY_MAPS = List.of(List.of("kafka", "properties"));
  /**
   * Free maps set as a whole from one variable, {@code STEVEDORE_LABELS=zone=eu-1,role=web}
   * (comma-separated {@code key=value}; its {@code _FILE} holds one {@code key=value} per line):
   * the variable replaces the map of the YAML file.
   */
  private static final List<List<String>> KEY_VALUE_MAPS = List.of(List.of("labels"));
  private static final String FILE_SUFFIX = "File";

  private final ObjectMapper yaml;
  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.yaml = JsonMappers.configYaml();
    this.env = Map.copyOf(env);
  }

  public static ConfigLoader fromSystem() {
    return new ConfigLoader(System.getenv());
  }

  /**
   * Loads {@code type} from {@code defaultsResource} on the class path, then {@code file} (or the
   * file named by {@code STEVEDORE_CONFIG} when {@code file} is empty), then the environment.
   */
  public <T> T load(Class<T> type, String defaultsResource, Optional<Path> file) {
    JsonNode tree = readDefaults(type, defaultsResource);
    Optional<Path> path = file.or(() -> Optional.ofNullable(env.get(CONFIG_FILE_ENV)).filter(s -> !s.isBlank()).map(Path::of));
    if (path.isPresent()) {
      merge((ObjectNode) tree, readFile(path.get()));
    }
    resolveFileKeys((ObjectNode) tree);
    applyEnvironment((ObjectNode) tree, List.of());
    try {
      return yaml.treeToValue(tree, type);
    } catch (IOException e) {
      String problem = e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException v
          && v.getCause() instanceof IllegalArgumentException refused
          ? refused.getMessage() // a record's own check: its words are the clearest
          : e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new ConfigException("invalid configuration" + where(e) + ": " + problem, e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid configuration: " + e.getMessage(), e);
    }
  }

  /** " at services.web.poll" for the place in the tree a binding error names, or "". */
  private static String where(IOException e) {
    if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException m) || m.getPath().isEmpty()) {
      return "";
    }
    StringBuilder at = new StringBuilder();
    for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
      if (r.getFieldName() != null) {
        at.append(at.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        at.append('[').append(r.getIndex()).append(']');
      }
    }
    return at.isEmpty() ? "" : " at " + at;
  }

  private JsonNode readDefaults(Class<?> type, String resource) {
    try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ConfigException("missing defaults resource " + resource);
      }
      JsonNode node = yaml.readTree(in);
      return node == null || node.isMissingNode() ? yaml.createObjectNode() : node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode readFile(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ConfigException("config file " + path + " does not exist");
    }
    try {
      JsonNode node = yaml.readTree(path.toFile());
      if (node == null || node.isMissingNode() || node.isNull()) {
        return yaml.createObjectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException("config file " + path + " must hold a YAML mapping");
      }
      return node;
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage(), e);
    }
  }

  /** Objects merge key by key; anything else (scalars, lists) replaces. */
  private static void merge(ObjectNode into, JsonNode from) {
    for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode existing = into.get(e.getKey());
      if (existing != null && existing.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) existing, e.getValue());
      } else {
        into.set(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * {@code fooFile: /path} sets {@code foo} to the file's content (trailing new line removed), in
   * mappings and in list entries alike, whether or not {@code foo} is written beside it; a list
   * {@code foo} takes one element per line (per PEM block when the file holds PEM blocks, e.g. trusted
   * public keys). A blank {@code fooFile} is dropped.
   */
  private void resolveFileKeys(ObjectNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode value = node.get(name);
      if (value.isObject()) {
        resolveFileKeys((ObjectNode) value);
      } else if (value.isArray()) {
        value.forEach(element -> {
          if (element.isObject()) {
            resolveFileKeys((ObjectNode) element);
          }
        });
      } else if (name.endsWith(FILE_SUFFIX) && name.length() > FILE_SUFFIX.length() && value.isTextual()) {
        node.remove(name);
        if (!value.asText().isBlank()) {
          String target = name.substring(0, name.length() - FILE_SUFFIX.length());
          node.set(target, scalarOrList(node.get(target), readSecret(Path.of(value.asText()), name), "\n"));
        }
      }
    }
  }

  private void applyEnvironment(ObjectNode node, List<String> path) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      List<String> childPath = new ArrayList<>(path);
      childPath.add(name);
      JsonNode value = node.get(name);
      if (value.isObject() && PROPERTY_MAPS.contains(childPath)) {
        applyPropertyMap((ObjectNode) value, envName(childPath) + "_");
        continue;
      }
      if (value.isObject() && KEY_VALUE_MAPS.contains(childPath)) {
        applyKeyValueMap(node, name, envName(childPath));
        continue;
      }
      if (value.isObject()) {
        applyEnvironment((ObjectNode) value, childPath);
        continue;
      }
      String variable = envName(childPath);
      String fromFile = env.get(variable + "_FILE");
      if (fromFile != null && !fromFile.isBlank()) {
        node.set(name, scalarOrList(value, readSecret(Path.of(fromFile), variable + "_FILE"), "\n"));
      } else if (env.containsKey(variable)) {
        node.set(name, scalarOrList(value, env.get(variable), ","));
      }
    }
  }

  /** {@code VARIABLE=k=v,k2=v2} or {@code VARIABLE_FILE} (one {@code k=v} per line) replaces the map {@code name}. */
  private void applyKeyValueMap(ObjectNode parent, String name, String variable) {
    String fromFile = env.get(variable + "_FILE");
    String text;
    String separator;
    String source;
    if (fromFile != null && !fromFile.isBlank()) {
      text = readSecret(Path.of(fromFile), variable + "_FILE");
      separator = "\n";
      source = variable + "_FILE";
    } else if (env.containsKey(variable)) {
      text = env.get(variable);
      separator = ",";
      source = variable;
    } else {
      return;
    }
    ObjectNode map = yaml.createObjectNode();
    for (String part : text.split(separator)) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(source + ": '" + part.trim() + "' is not key=value");
      }
      String key = part.substring(0, eq).trim();
      if (map.has(key)) {
        throw new ConfigException(source + ": key '" + key + "' is given twice");
      }
      map.set(key, TextNode.valueOf(part.substring(eq + 1).trim()));
    }
    parent.set(name, map);
  }

  /** {@code PREFIX_SASL_JAAS_CONFIG[_FILE]} -> {@code sasl.jaas.config}; a file wins over a value. */
  private void applyPropertyMap(ObjectNode map, String prefix) {
    env.keySet().stream().filter(k -> k.startsWith(prefix) && k.length() > prefix.length()).sorted().forEach(k -> {
      boolean file = k.endsWith("_FILE");
      String rest = k.substring(prefix.length(), file ? k.length() - "_FILE".length() : k.length());
      if (rest.isEmpty() || !rest.matches("[A-Z0-9]+(_[A-Z0-9]+)*")) {
        throw new ConfigException(k + ": not a property name (letters and digits separated by single underscores)");
      }
      String property = rest.toLowerCase(Locale.ROOT).replace('_', '.');
      if (file) {
        String path = env.get(k);
        if (!path.isBlank()) {
          map.set(property, TextNode.valueOf(readSecret(Path.of(path), k)));
        }
      } else if (!env.containsKey(k + "_FILE")) {
        map.set(property, TextNode.valueOf(env.get(k)));
      }
    });
  }

  /**
   * The value for a key that holds {@code current}: a list when it is one (elements separated by
   * {@code separator}: commas in a variable, lines in a file), else the text.
   */
  private JsonNode scalarOrList(JsonNode current, String text, String separator) {
    if (current != null && current.isArray()) {
      var array = yaml.createArrayNode();
      Matcher pem = PEM_BLOCK.matcher(text);
      if ("\n".equals(separator) && pem.find()) {
        // a file of PEM blocks (trusted keys): one element per block, not per line
        do {
          array.add(pem.group());
        } while (pem.find());
        return array;
      }
      for (String part : text.split(separator)) {
        if (!part.isBlank()) {
          array.add(part.trim());
        }
      }
      return array;
    }
    return TextNode.valueOf(text);
  }

  /** {@code kafka.bootstrapServers} -> {@code STEVEDORE_KAFKA_BOOTSTRAP_SERVERS}. */
  public static String envName(List<String> path) {
    StringBuilder out = new StringBuilder(ENV_PREFIX);
    for (int i = 0; i < path.size(); i++) {
      if (i > 0) {
        out.append('_');
      }
      out.append(path.get(i).replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('-', '_').toUpperCase(Locale.ROOT));
    }
    return out.toString();
  }

  private static String readSecret(Path path, String source) {
    try {
      String text = Files.readString(path, StandardCharsets.UTF_8);
      return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      throw new ConfigException("cannot read " + source + " (" + path + "): " + e.getMessage(), e);
    }
  }

  /** A configuration that cannot be loaded; the message names the key or file at fault. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }

    public ConfigException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
