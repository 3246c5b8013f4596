package dev.stevedore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Keeps docs/configuration.md true to a service's defaults: every key of the defaults resource
 * must be documented (as {@code `a.b`}), and every scalar or list-of-scalars key with its
 * environment variable. Lists of objects and free maps ({@code kafka.properties}) are set in YAML
 * and need their key only.
 */
public final class ConfigDocs {
  public static final Path DOC = Path.of("..", "docs", "configuration.md");

  private ConfigDocs() {}

  /** What the page does not say about {@code defaultsResource}; empty when it says it all. */
  public static List<String> undocumented(Class<?> owner, String defaultsResource) throws IOException {
    return undocumented(owner, defaultsResource, DOC);
  }

  /** What {@code page} does not say about {@code defaultsResource}; empty when it says it all. */
  public static List<String> undocumented(Class<?> owner, String defaultsResource, Path page) throws IOException {
    String doc = Files.readString(page, StandardCharsets.UTF_8);
    JsonNode tree;
    try (InputStream in = owner.getClassLoader().getResourceAsStream(defaultsResource)) {
      if (in == null) {
        throw new IOException("no resource " + defaultsResource);
      }
      tree = JsonMappers.configYaml().readTree(in);
    }
    List<String> missing = new ArrayList<>();
    walk(tree, new ArrayList<>(), doc, missing);
    return missing;
  }

  private static void walk(JsonNode node, List<String> path, String doc, List<String> missing) {
    if (node.isObject() && !(path.size() > 0 && path.get(path.size() - 1).equals("properties"))) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<String> child = new ArrayList<>(path);
        child.add(e.getKey());
        walk(e.getValue(), child, doc, missing);
      }
      return;
    }
    String key = String.join(".", path);
    // A list of objects is documented as `key[]` (YAML only); a free map has no variables of its own.
    boolean yamlOnly = node.isObject() || doc.contains("`" + key + "[]");
    if (!doc.contains("`" + key + "`") && !doc.contains("`" + key + "[]")) {
      missing.add("key " + key);
    } else if (!yamlOnly && !doc.contains(ConfigLoader.envName(path))) {
      missing.add("variable " + ConfigLoader.envName(path) + " (key " + key + ")");
    }
  }
}
