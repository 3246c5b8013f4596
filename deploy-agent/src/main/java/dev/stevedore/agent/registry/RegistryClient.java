package dev.stevedore.agent.registry;

import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.driver.ImageRefs;
import dev.stevedore.common.event.Versions;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;

/**
 * Asks a registry for the digest of a tag: {@code HEAD /v2/<name>/manifests/<tag>} with the Docker
 * v2 and OCI manifest media types, answer in {@code Docker-Content-Digest}. Behind the registry's
 * circuit breaker. Plain HTTP for loopback registries, HTTPS otherwise. A missing tag is
 * {@code null}; any other answer but 200 with a {@code sha256:} digest is a failure (no token
 * flow: a registry that asks for credentials with 401 fails the call).
 */
public final class RegistryClient {
  static final String ACCEPT = String.join(", ",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json");

  private final WebClient client;
  private final Breakers breakers;

  public RegistryClient(WebClient client, Breakers breakers) {
    this.client = client;
    this.breakers = breakers;
  }

  /** The manifest URL of {@code repository:tag}. */
  public static String manifestUrl(String repository, String tag) {
    String registry = ImageRefs.registry(repository);
    boolean loopback = registry.startsWith("127.") || registry.startsWith("localhost") || registry.startsWith("[::1]");
    String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    return (loopback ? "http://" : "https://") + host + "/v2/" + ImageRefs.path(repository) + "/manifests/" + tag;
  }

  public Future<String> digest(String repository, String tag) {
    String url = manifestUrl(repository, tag);
    return VertxCircuitBreaker.guard(breakers.registry(ImageRefs.registry(repository)), () ->
        client.headAbs(url).putHeader("Accept", ACCEPT).timeout(5_000).send().compose(r -> {
          if (r.statusCode() == 404) {
            return Future.succeededFuture((String) null);
          }
          String digest = r.getHeader("Docker-Content-Digest");
          if (r.statusCode() != 200 || digest == null) {
            return Future.failedFuture(new IllegalStateException("registry answered " + r.statusCode() + " for " + url
                + (digest == null && r.statusCode() == 200 ? " without Docker-Content-Digest" : "")));
          }
          if (!Versions.isDigest(digest)) {
            // It names deployments and is compared with what runs: only a well-formed digest.
            return Future.failedFuture(new IllegalStateException("registry answered a malformed Docker-Content-Digest for "
                + url + " (not sha256:<64 hex digits>; " + digest.length() + " characters)"));
          }
          return Future.succeededFuture(digest);
        }));
  }
}
