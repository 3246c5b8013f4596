package dev.stevedore.agent.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the agent reads of Docker's client configuration ({@code config.json}): {@code auths}
 * (per registry: {@code auth} = base64 of {@code user:password}, or {@code username} and
 * {@code password}, and {@code identitytoken}), {@code credHelpers} (registry -> helper name) and
 * {@code credsStore} (the helper for every other registry). Keys of {@code auths} and
 * {@code credHelpers} are read as Docker reads them: {@code https://registry.example.com/v1/},
 * {@code registry.example.com} and {@code http://registry.example.com} name the same registry, and
 * {@code https://index.docker.io/v1/} (or {@code index.docker.io}, {@code registry-1.docker.io})
 * is Docker Hub.
 *
 * <p>Which source answers for a registry is Docker's rule ({@link #lookup}): its
 * {@code credHelpers} entry, else {@code credsStore}, else {@code auths}. Every other field is
 * ignored. {@link #toString} lists registries, never credentials.
 */
public record DockerConfig(Map<String, RegistryCredentials> auths, Map<String, String> credHelpers, String credsStore,
    String source) {
  /** Larger files are refused: a real one is a few KiB. */
  static final int MAX_BYTES = 1024 * 1024;
  /** The server address Docker uses for Docker Hub (in {@code auths} and towards helpers). */
  public static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
  private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final List<String> DOCKER_HUB_NAMES = List.of("docker.io", "index.docker.io", "registry-1.docker.io");
  private static final ObjectMapper JSON = JsonMappers.requestBodies(16, 32, 256 * 1024);

  public DockerConfig {
    auths = Map.copyOf(auths);
    credHelpers = Map.copyOf(credHelpers);
    credsStore = credsStore == null || credsStore.isEmpty() ? null : credsStore;
    credHelpers.forEach((registry, helper) -> checkHelper(helper, "credHelpers." + registry));
    if (credsStore != null) {
      checkHelper(credsStore, "credsStore");
    }
  }

  /** No file: every registry anonymous. */
  public static DockerConfig empty(String source) {
    return new DockerConfig(Map.of(), Map.of(), null, source);
  }

  /** Where a registry's credentials are. */
  public sealed interface Lookup {
    /** In the file. */
    record Stored(RegistryCredentials credentials) implements Lookup {}

    /** Ask {@code docker-credential-<helper> get} with {@code serverUrl} on stdin. */
    record Helper(String helper, String serverUrl) implements Lookup {
      public String program() {
        return "docker-credential-" + helper;
      }
    }

    /** Nowhere: anonymous. */
    record None() implements Lookup {}
  }

  /** Where the credentials of {@code registry} (a host as in an image reference, {@code docker.io} for Docker Hub) are. */
  public Lookup lookup(String registry) {
    String host = hostname(registry);
    String serverUrl = host.equals("docker.io") ? DOCKER_HUB_SERVER : host;
    String helper = credHelpers.get(host);
    if (helper != null) {
      return new Lookup.Helper(helper, serverUrl);
    }
    if (credsStore != null) {
      return new Lookup.Helper(credsStore, serverUrl);
    }
    RegistryCredentials stored = auths.get(host);
    return stored == null ? new Lookup.None() : new Lookup.Stored(stored);
  }

  /** Reads {@code file}; a missing file is an empty configuration, anything unreadable an error naming the file. */
  public static DockerConfig read(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new RegistryAuthException(file + " is larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return empty(file + " (absent)");
    } catch (IOException e) {
      throw new RegistryAuthException("cannot read " + file + ": " + e.getMessage());
    }
    return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses the text of a {@code config.json}; {@code source} names it in messages. */
  public static DockerConfig parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      // Jackson's message may quote the text around the error, which may be a secret
      throw new RegistryAuthException(source + " is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new RegistryAuthException(source + " is not a JSON object");
    }
    Map<String, RegistryCredentials> auths = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : fields(root, "auths", source)) {
      RegistryCredentials c = credentials(e.getKey(), e.getValue(), source);
      if (c != null) {
        auths.putIfAbsent(hostname(e.getKey()), c);
      }
    }
    Map<String, String> helpers = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : fields(root, "credHelpers", source)) {
      if (!e.getValue().isTextual()) {
        throw new RegistryAuthException(source + ": credHelpers." + e.getKey() + " is not a string");
      }
      helpers.put(hostname(e.getKey()), e.getValue().asText());
    }
    JsonNode store = root.get("credsStore");
    if (store != null && !store.isNull() && !store.isTextual()) {
      throw new RegistryAuthException(source + ": credsStore is not a string");
    }
    try {
      return new DockerConfig(auths, helpers, store == null || store.isNull() ? null : store.asText(), source);
    } catch (RegistryAuthException e) {
      throw new RegistryAuthException(source + ": " + e.getMessage());
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode root, String name, String source) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isObject()) {
      throw new RegistryAuthException(source + ": " + name + " is not an object");
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    return () -> it;
  }

  /** One {@code auths} entry; null when it holds no secret (Docker writes {@code {}} when a helper keeps them). */
  private static RegistryCredentials credentials(String key, JsonNode entry, String source) {
    String where = source + " auths." + hostname(key);
    if (!entry.isObject()) {
      throw new RegistryAuthException(where + " is not an object");
    }
    String username = text(entry, "username", where);
    String password = text(entry, "password", where);
    String auth = text(entry, "auth", where);
    String identityToken = text(entry, "identitytoken", where);
    if (auth != null && !auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new RegistryAuthException(where + ": auth is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new RegistryAuthException(where + ": auth is not base64 of user:password");
      }
      username = decoded.substring(0, colon);
      password = decoded.substring(colon + 1);
    }
    boolean hasPassword = password != null && !password.isEmpty();
    boolean hasToken = identityToken != null && !identityToken.isEmpty();
    if (!hasPassword && !hasToken) {
      return null;
    }
    return new RegistryCredentials(username, hasToken ? null : password, identityToken, source + " auths");
  }

  private static String text(JsonNode entry, String field, String where) {
    JsonNode n = entry.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new RegistryAuthException(where + ": " + field + " is not a string");
    }
    return n.asText();
  }

  /**
   * The registry host a key names, as Docker's {@code ConvertToHostname}: without scheme and path,
   * lower case; every Docker Hub name is {@code docker.io}.
   */
  public static String hostname(String key) {
    String h = key.trim();
    if (h.startsWith("http://")) {
      h = h.substring(7);
    } else if (h.startsWith("https://")) {
      h = h.substring(8);
    }
    int slash = h.indexOf('/');
    if (slash >= 0) {
      h = h.substring(0, slash);
    }
    h = h.toLowerCase(Locale.ROOT);
    return DOCKER_HUB_NAMES.contains(h) ? "docker.io" : h;
  }

  private static void checkHelper(String helper, String where) {
    if (helper == null || !HELPER_NAME.matcher(helper).matches()) {
      throw new RegistryAuthException(where + " '" + helper + "' is not a credential helper name ([A-Za-z0-9._-], "
          + "the program is docker-credential-<name> on PATH)");
    }
  }

  @Override
  public String toString() {
    return "DockerConfig[source=" + source + ", auths=" + auths.keySet() + ", credHelpers=" + credHelpers
        + ", credsStore=" + credsStore + "]";
  }
}
