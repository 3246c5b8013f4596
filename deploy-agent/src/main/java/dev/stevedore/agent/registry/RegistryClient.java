package dev.stevedore.agent.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.driver.ImageRefs;
import dev.stevedore.common.event.Versions;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import dev.stevedore.common.runtime.JsonMappers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Asks a registry for the digest of a tag: {@code HEAD /v2/<name>/manifests/<tag>} with the Docker
 * v2 and OCI manifest media types, answer in {@code Docker-Content-Digest}. Behind the registry's
 * circuit breaker. Plain HTTP for loopback registries, HTTPS otherwise.
 *
 * <p>A {@code 401} is answered once, as Docker's client answers it:
 * <ul>
 *   <li>{@code Bearer realm=...,service=...}: a token from the realm (GET with {@code service} and
 *   {@code scope=repository:<name>:pull}, HTTP Basic when there are credentials; a POST of the
 *   OAuth2 refresh-token grant with an identity token), then the manifest request again with
 *   {@code Authorization: Bearer}. The token is kept per registry and scope until its
 *   {@code expires_in} (60 s when the answer gives none).</li>
 *   <li>{@code Basic}: the request again with the credentials; the registry then gets them up
 *   front on later polls.</li>
 * </ul>
 * Credentials come from a {@link CredentialSource} and are read only when a challenge asks for
 * them. They go to the registry itself, or to the realm its challenge named, and never over plain
 * HTTP to a host that is not loopback; requests that carry them follow no redirect. Hostile
 * answers (a challenge too long or unreadable, no realm, a realm that is not http(s), a token
 * answer that is not JSON or larger than {@link #MAX_TOKEN_ANSWER}) fail with a
 * {@link RegistryAuthException}; a refused retry fails too: at most one challenge is answered per
 * call, so nothing loops.
 */
public final class RegistryClient {
  static final String ACCEPT = String.join(", ",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json");
  /** Largest token answer read. Docker Hub's are about 1-4 KiB. */
  public static final int MAX_TOKEN_ANSWER = 64 * 1024;
  static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
  static final Duration MAX_TOKEN_LIFETIME = Duration.ofHours(24);
  static final long TIMEOUT_MS = 5_000;
  /** RFC 6750 b64token: nothing that could end a header. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
  private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final ObjectMapper JSON = JsonMappers.requestBodies(8, 32, MAX_TOKEN_ANSWER);

  private final WebClient client;
  private final Breakers breakers;
  private final CredentialSource credentials;
  private final Clock clock;
  private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();
  private final Set<String> basicRegistries = ConcurrentHashMap.newKeySet();

  /** Anonymous requests only. */
  public RegistryClient(WebClient client, Breakers breakers) {
    this(client, breakers, CredentialSource.NONE, Clock.systemUTC());
  }

  public RegistryClient(WebClient client, Breakers breakers, CredentialSource credentials, Clock clock) {
    this.client = client;
    this.breakers = breakers;
    this.credentials = credentials;
    this.clock = clock;
  }

  /** The manifest URL of {@code repository:tag}. */
  public static String manifestUrl(String repository, String tag) {
    String registry = ImageRefs.registry(repository);
    String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    return (isLoopback(hostOf(registry)) ? "http://" : "https://") + host + "/v2/" + ImageRefs.path(repository)
        + "/manifests/" + tag;
  }

  public Future<String> digest(String repository, String tag) {
    Target t = new Target(ImageRefs.registry(repository), manifestUrl(repository, tag),
        "repository:" + ImageRefs.path(repository) + ":pull");
    return VertxCircuitBreaker.guard(breakers.registry(t.registry()), () -> fetch(t).compose(r -> {
      if (r.statusCode() == 404) {
        return Future.succeededFuture((String) null);
      }
      String digest = r.getHeader("Docker-Content-Digest");
      if (r.statusCode() != 200 || digest == null) {
        return Future.failedFuture(new IllegalStateException("registry answered " + r.statusCode() + " for " + t.url()
            + (digest == null && r.statusCode() == 200 ? " without Docker-Content-Digest" : "")));
      }
      if (!dev.stevedore.common.event.Versions.isDigest(digest)) {
        // It names deployments and is compared with what runs: only a well-formed digest.
        return Future.failedFuture(new IllegalStateException("registry answered a malformed Docker-Content-Digest for "
            + t.url() + " (not sha256:<64 hex digits>; " + digest.length() + " characters)"));
      }
      return Future.succeededFuture(digest);
    }));
  }

  /** One manifest request, its challenge answered at most once. */
  private Future<HttpResponse<Buffer>> fetch(Target t) {
    CachedToken cached = tokens.get(t.cacheKey());
    if (cached != null && clock.instant().isBefore(cached.until())) {
      return head(t.url(), "Bearer " + cached.token()).compose(r -> {
        if (r.statusCode() != 401) {
          return Future.succeededFuture(r);
        }
        tokens.remove(t.cacheKey(), cached);   // revoked or expired early: one fresh answer
        return answer(t, r);
      });
    }
    if (basicRegistries.contains(t.registry())) {
      return credentials.forRegistry(t.registry()).compose(c -> c.isEmpty()
          ? head(t.url(), null).compose(r -> r.statusCode() == 401 ? answer(t, r) : Future.succeededFuture(r))
          : basic(t, c.get()));
    }
    return head(t.url(), null).compose(r -> r.statusCode() == 401 ? answer(t, r) : Future.succeededFuture(r));
  }

  private Future<HttpResponse<Buffer>> answer(Target t, HttpResponse<Buffer> unauthorized) {
    List<Challenge> challenges;
    try {
      challenges = challenges(unauthorized.headers().getAll("WWW-Authenticate"), t.registry());
    } catch (RegistryAuthException e) {
      return Future.failedFuture(e);
    }
    Optional<Challenge> bearer = challenges.stream().filter(c -> c.scheme() == Challenge.Scheme.BEARER).findFirst();
    if (bearer.isPresent()) {
      return bearer(t, bearer.get());
    }
    if (challenges.stream().anyMatch(c -> c.scheme() == Challenge.Scheme.BASIC)) {
      return credentials.forRegistry(t.registry()).compose(c -> {
        if (c.isEmpty()) {
          return Future.failedFuture(new RegistryAuthException("registry " + t.registry()
              + " asks for credentials (Basic) and there are none for it in " + credentials));
        }
        return basic(t, c.get());
      });
    }
    return Future.failedFuture(new RegistryAuthException("registry " + t.registry() + " asks for authentication by "
        + challenges.stream().map(Challenge::schemeName).collect(Collectors.joining(", "))
        + "; the agent answers Bearer and Basic only"));
  }

  /** Every challenge of the 401's headers (a registry may send several headers). */
  static List<Challenge> challenges(List<String> headers, String registry) {
    if (headers.isEmpty()) {
      throw new RegistryAuthException("registry " + registry + " answered 401 without a WWW-Authenticate challenge");
    }
    int total = headers.stream().mapToInt(String::length).sum();
    if (total > Challenge.MAX_HEADER) {
      throw new RegistryAuthException("registry " + registry + ": WWW-Authenticate headers of " + total
          + " characters (at most " + Challenge.MAX_HEADER + " are read)");
    }
    List<Challenge> out = new ArrayList<>();
    for (String h : headers) {
      try {
        out.addAll(Challenge.parse(h));
      } catch (RegistryAuthException e) {
        throw new RegistryAuthException("registry " + registry + ": " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * The request with Basic credentials. Accepted, the registry gets them up front on later polls;
   * refused (401), it is taken off that list and the call fails.
   */
  private Future<HttpResponse<Buffer>> basic(Target t, RegistryCredentials c) {
    String authorization;
    try {
      checkTransport(URI.create(t.url()), "registry " + t.registry());
      authorization = c.basicAuthorization();
    } catch (RegistryAuthException e) {
      return Future.failedFuture(e);
    }
    return head(t.url(), authorization).compose(r -> {
      if (r.statusCode() == 401) {
        basicRegistries.remove(t.registry());
        return Future.failedFuture(new RegistryAuthException("registry " + t.registry() + " refused the credentials of "
            + c.describe() + " (401)"));
      }
      basicRegistries.add(t.registry());
      return Future.succeededFuture(r);
    });
  }

  private Future<HttpResponse<Buffer>> bearer(Target t, Challenge challenge) {
    URI realm;
    try {
      realm = realm(challenge, t.registry());
    } catch (RegistryAuthException e) {
      return Future.failedFuture(e);
    }
    String service = challenge.param("service");
    return credentials.forRegistry(t.registry())
        .compose(c -> token(realm, service, t, c.orElse(null)).compose(token -> {
          tokens.put(t.cacheKey(), token);
          return head(t.url(), "Bearer " + token.token());
        }).compose(r -> {
          if (r.statusCode() != 401) {
            return Future.succeededFuture(r);
          }
          tokens.remove(t.cacheKey());
          return Future.failedFuture(new RegistryAuthException("registry " + t.registry() + " refused the token from "
              + realm + " for " + t.scope() + " (" + c.map(RegistryCredentials::describe)
                  .orElse("anonymous: no credentials for it in " + credentials) + ")"));
        }));
  }

  /** The realm of a Bearer challenge, if the agent may send credentials there. */
  static URI realm(Challenge challenge, String registry) {
    String value = challenge.param("realm");
    if (value == null || value.isBlank()) {
      throw new RegistryAuthException("registry " + registry + ": Bearer challenge without a realm");
    }
    String shown = value.length() > 200 ? value.substring(0, 200) + "..." : value;
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new RegistryAuthException("registry " + registry + ": realm '" + shown + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new RegistryAuthException("registry " + registry + ": realm '" + shown + "' is not an http(s) URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new RegistryAuthException("registry " + registry + ": realm '" + shown
          + "' needs a host and no user or fragment");
    }
    checkTransport(uri, "registry " + registry + ": realm '" + shown + "'");
    return uri;
  }

  /** Credentials travel over HTTPS, or over plain HTTP to loopback only. */
  static void checkTransport(URI uri, String what) {
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      return;
    }
    if ("http".equalsIgnoreCase(uri.getScheme()) && isLoopback(uri.getHost())) {
      return;
    }
    throw new RegistryAuthException(what + " is plain HTTP to a host that is not loopback: the agent sends no "
        + "credentials or tokens there");
  }

  private Future<CachedToken> token(URI realm, String service, Target t, RegistryCredentials c) {
    HttpRequest<Buffer> request;
    Future<HttpResponse<Buffer>> sent;
    if (c != null && c.identityToken() != null) {
      MultiMap form = MultiMap.caseInsensitiveMultiMap()
          .add("grant_type", "refresh_token").add("refresh_token", c.identityToken())
          .add("client_id", "stevedore-agent").add("scope", t.scope());
      if (service != null) {
        form.add("service", service);
      }
      request = client.postAbs(realm.toString()).followRedirects(false).timeout(TIMEOUT_MS)
          .as(BoundedBody.codec(MAX_TOKEN_ANSWER, "the token answer of " + realm));
      sent = request.sendForm(form);
    } else {
      String url = realm + (realm.getRawQuery() == null ? "?" : "&")
          + (service == null ? "" : "service=" + URLEncoder.encode(service, StandardCharsets.UTF_8) + "&")
          + "scope=" + URLEncoder.encode(t.scope(), StandardCharsets.UTF_8);
      request = client.getAbs(url).followRedirects(false).timeout(TIMEOUT_MS)
          .as(BoundedBody.codec(MAX_TOKEN_ANSWER, "the token answer of " + realm));
      if (c != null) {
        request.putHeader("Authorization", c.basicAuthorization());
      }
      sent = request.send();
    }
    String who = c == null ? "anonymous" : c.describe();
    return sent.recover(e -> Future.failedFuture(e instanceof RegistryAuthException ? e
        // an outage, counted by the registry's breaker as the registry's own would be
        : new IllegalStateException("token server " + realm + " (for registry " + t.registry() + ") did not answer: "
            + e.getMessage(), e))).compose(r -> {
      if (r.statusCode() == 401 || r.statusCode() == 403) {
        return Future.failedFuture(new RegistryAuthException("token server " + realm + " (for registry "
            + t.registry() + ") refused " + who + " (" + r.statusCode() + ")"));
      }
      if (r.statusCode() != 200) {
        return Future.failedFuture(new RegistryAuthException("token server " + realm + " answered " + r.statusCode()));
      }
      return Future.succeededFuture(parseToken(r.body(), realm, clock.instant()));
    });
  }

  /** {@code token} or {@code access_token}, kept until {@code expires_in} (60 s when absent). */
  static CachedToken parseToken(Buffer body, URI realm, Instant now) {
    JsonNode json;
    try {
      json = body == null ? null : JSON.readTree(body.getBytes());
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !json.isObject()) {
      throw new RegistryAuthException("token server " + realm + " answered something that is not a JSON object");
    }
    JsonNode token = json.path("token").isTextual() && !json.path("token").asText().isEmpty()
        ? json.get("token") : json.path("access_token");
    if (!token.isTextual() || !TOKEN.matcher(token.asText()).matches()) {
      throw new RegistryAuthException("token server " + realm + " answered without a usable token or access_token");
    }
    JsonNode expires = json.path("expires_in");
    Duration lifetime = expires.canConvertToLong() && expires.asLong() > 0
        ? Duration.ofSeconds(Math.min(expires.asLong(), MAX_TOKEN_LIFETIME.toSeconds())) : DEFAULT_TOKEN_LIFETIME;
    // a little before the end of a longer one, so that it is not sent in its last second
    Duration margin = lifetime.compareTo(DEFAULT_TOKEN_LIFETIME) > 0 ? Duration.ofSeconds(5) : Duration.ZERO;
    return new CachedToken(token.asText(), now.plus(lifetime).minus(margin));
  }

  private Future<HttpResponse<Buffer>> head(String url, String authorization) {
    HttpRequest<Buffer> request = client.headAbs(url).putHeader("Accept", ACCEPT).timeout(TIMEOUT_MS);
    if (authorization != null) {
      request.putHeader("Authorization", authorization).followRedirects(false);
    }
    return request.send();
  }

  /** How many tokens are kept (one per registry and scope). */
  int cachedTokens() {
    return tokens.size();
  }

  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equalsIgnoreCase("localhost") || LOOPBACK_V4.matcher(h).matches() || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1");
  }

  /** {@code host:port} -> {@code host}, {@code [::1]:5000} -> {@code [::1]}. */
  private static String hostOf(String registry) {
    if (registry.startsWith("[")) {
      int close = registry.indexOf(']');
      return close < 0 ? registry : registry.substring(0, close + 1);
    }
    int colon = registry.indexOf(':');
    return colon < 0 ? registry : registry.substring(0, colon);
  }

  /** A token and until when it is used. {@link #toString} hides the token. */
  record CachedToken(String token, Instant until) {
    @Override
    public String toString() {
      return "CachedToken[token=(redacted), until=" + until + "]";
    }
  }

  private record Target(String registry, String url, String scope) {
    String cacheKey() {
      return registry + " " + scope;
    }
  }
}
