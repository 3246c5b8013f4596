package dev.stevedore.agent.driver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A service's {@code allowedRepositories}: which image references it may run. Pure functions: the
 * configured {@code image} is checked when the config loads, every image the compose files name
 * (as {@code compose config} resolves them for the version) before each pull.
 */
public final class AllowedImages {
  private static final ObjectMapper YAML = JsonMappers.toolOutputYaml();

  private AllowedImages() {}

  /**
   * Whether one of {@code entries} is a prefix of {@code reference} (as written, or with Docker
   * Hub's implicit {@code docker.io/library/} spelled out) that ends at a boundary: the entry ends
   * with {@code /}, or the reference goes on with {@code /}, {@code :} or {@code @} or ends there.
   * So {@code 127.0.0.1:5000/app} allows {@code 127.0.0.1:5000/app:v2}, not {@code 127.0.0.1:5000/app-evil:v2}.
   * No entries: everything is allowed.
   */
  public static boolean allows(List<String> entries, String reference) {
    if (entries.isEmpty()) {
      return true;
    }
    if (reference == null || reference.isBlank()) {
      return false;
    }
    List<String> spellings = List.of(reference, canonical(reference));
    for (String entry : entries) {
      if (entry == null || entry.isBlank()) {
        continue;
      }
      for (String ref : spellings) {
        if (ref.startsWith(entry) && (entry.endsWith("/") || ref.length() == entry.length()
            || "/:@".indexOf(ref.charAt(entry.length())) >= 0)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code nginx:1} -> {@code docker.io/library/nginx:1}; references with a registry host stay as they are. */
  static String canonical(String reference) {
    String repository = ImageRefs.repository(reference);
    String registry = ImageRefs.registry(repository);
    if (!registry.equals("docker.io") || repository.startsWith("docker.io/")) {
      return reference;
    }
    return "docker.io/" + ImageRefs.path(repository) + reference.substring(repository.length());
  }

  /**
   * The image of each service in the output of {@code compose config} (empty when a service names
   * none, as a {@code build:}-only service does).
   *
   * @throws IllegalArgumentException when the output is not a compose file with services
   */
  public static Map<String, Optional<String>> imagesOf(String composeConfig) {
    JsonNode root;
    try {
      root = YAML.readTree(composeConfig);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("compose config printed no readable YAML: " + e.getOriginalMessage(), e);
    }
    JsonNode services = root == null ? null : root.get("services");
    if (services == null || !services.isObject()) {
      throw new IllegalArgumentException("compose config printed no services");
    }
    Map<String, Optional<String>> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> service = it.next();
      JsonNode image = service.getValue().get("image");
      out.put(service.getKey(), image != null && image.isTextual() && !image.asText().isBlank()
          ? Optional.of(image.asText()) : Optional.empty());
    }
    return out;
  }

  /** Why the compose file's images may not run, or empty when every service's image is allowed. */
  public static Optional<String> refusal(List<String> entries, Map<String, Optional<String>> imagesByService) {
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    List<String> refused = new ArrayList<>();
    imagesByService.forEach((service, image) -> {
      if (image.isEmpty()) {
        refused.add(service + " (no image: it would be built here)");
      } else if (!allows(entries, image.get())) {
        refused.add(service + " (" + image.get() + ")");
      }
    });
    return refused.isEmpty() ? Optional.empty() : Optional.of("images outside allowedRepositories " + entries
        + " in the compose file: " + String.join(", ", refused) + "; nothing was pulled");
  }
}
