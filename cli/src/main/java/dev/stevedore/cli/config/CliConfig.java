package dev.stevedore.cli.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.stevedore.cli.CliException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * {@code ~/.config/stevedore/config.yaml}, kubectl style: named contexts and the current one.
 *
 * <pre>
 * current-context: prod
 * contexts:
 *   - name: prod
 *     trigger: https://deploy.example.com
 *     audit: https://audit.example.com
 *     environment: production
 *     triggerTokenPath: ~/.config/stevedore/prod-deployer.token
 *     auditTokenPath: ~/.config/stevedore/prod-reader.token
 * </pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CliConfig(@JsonProperty("current-context") String currentContext, List<Context> contexts) {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  public CliConfig {
    contexts = contexts == null ? List.of() : List.copyOf(contexts);
    for (int i = 0; i < contexts.size(); i++) {
      for (int j = i + 1; j < contexts.size(); j++) {
        if (contexts.get(i).name().equals(contexts.get(j).name())) {
          throw new IllegalArgumentException("context '" + contexts.get(i).name() + "' is defined twice");
        }
      }
    }
  }

  /**
   * One place Stevedore runs. Token paths may start with {@code ~/}; relative paths are relative
   * to the config file's directory. {@code *TokenEnv} names an environment variable holding the token.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Context(String name, String trigger, String audit, String environment,
      String triggerTokenPath, String auditTokenPath, String triggerTokenEnv, String auditTokenEnv) {
    public Context {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a context without a name");
      }
    }
  }

  public Optional<Context> context(String name) {
    return contexts.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The file, or an empty config when it does not exist; a broken file is a usage error naming it. */
  public static CliConfig load(Path file) {
    if (!Files.exists(file)) {
      return new CliConfig(null, List.of());
    }
    try {
      CliConfig config = YAML.readValue(file.toFile(), CliConfig.class);
      return config == null ? new CliConfig(null, List.of()) : config;
    } catch (IOException | IllegalArgumentException e) {
      String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw CliException.usage("cannot read " + file + ": " + why);
    }
  }

  /** Sets {@code current-context}, keeping every other key of the file as it is. */
  public static void useContext(Path file, String name) {
    CliConfig config = load(file);
    if (config.context(name).isEmpty()) {
      throw CliException.usage("no context '" + name + "' in " + file + " (stevedore config get-contexts)");
    }
    ObjectNode tree = tree(file);
    tree.put("current-context", name);
    write(file, tree);
  }

  /** Adds or changes a context: the given fields replace the context's, the others stay. */
  public static void setContext(Path file, Context changes) {
    load(file);
    ObjectNode tree = tree(file);
    ArrayNode contexts = tree.has("contexts") && tree.get("contexts").isArray()
        ? (ArrayNode) tree.get("contexts") : tree.putArray("contexts");
    ObjectNode target = null;
    for (var c : contexts) {
      if (c.isObject() && changes.name().equals(c.path("name").asText(null))) {
        target = (ObjectNode) c;
      }
    }
    if (target == null) {
      target = contexts.addObject().put("name", changes.name());
    }
    ObjectNode given = YAML.valueToTree(changes);
    target.setAll(given);
    if (!tree.has("current-context")) {
      tree.put("current-context", changes.name());
    }
    write(file, tree);
  }

  private static ObjectNode tree(Path file) {
    try {
      if (Files.exists(file)) {
        var node = YAML.readTree(file.toFile());
        if (node != null && node.isObject()) {
          return (ObjectNode) node;
        }
      }
      return YAML.createObjectNode();
    } catch (IOException e) {
      throw CliException.usage("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Written to a temporary file (owner read/write only) and moved over the old one: never half a file. */
  private static void write(Path file, ObjectNode tree) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".config", ".yaml.tmp");
      try {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system
        }
        Files.write(tmp, YAML.writeValueAsBytes(tree));
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw CliException.usage("cannot write " + file + ": " + e.getMessage());
    }
  }
}
