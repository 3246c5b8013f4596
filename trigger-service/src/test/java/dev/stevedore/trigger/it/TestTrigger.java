package dev.stevedore.trigger.it;

import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.trigger.RunningTrigger;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.TriggerService;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A trigger service started in-process for a test, and a plain HTTP client to talk to it. */
public final class TestTrigger implements AutoCloseable {
  public static final String GENERIC_TOKEN = "generic-token-0123456789abcdef";
  public static final String SIGNED_TOKEN = "signed-token-0123456789abcdef";
  public static final String HMAC_SECRET = "generic-hmac-secret";
  public static final String GITHUB_SECRET = "github-secret-for-tests";
  public static final String GITLAB_TOKEN = "gitlab-token-for-tests";
  public static final String DEPLOYER_TOKEN = "deployer-token-0123456789";
  public static final String VIEWER_TOKEN = "viewer-token-0123456789ab";

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public final Vertx vertx;
  public final RunningTrigger running;
  public final TriggerConfig config;
  private volatile dev.stevedore.testing.OpenApiCheck openApi;
  /** The contract checks run here, off the test's path: an IT's timing stays what it was. */
  private final java.util.concurrent.ExecutorService checks = java.util.concurrent.Executors.newSingleThreadExecutor();
  private final List<String> mismatches = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private Vertx checkVertx;

  private TestTrigger(Vertx vertx, RunningTrigger running, TriggerConfig config) {
    this.vertx = vertx;
    this.running = running;
    this.config = config;
  }

  public static TestTrigger start(TriggerConfig config) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      TestTrigger started = new TestTrigger(vertx, TriggerService.start(vertx, config).await(60, TimeUnit.SECONDS), config);
      // Loaded now, not at the first exchange, on a Vert.x of its own: the service's is left alone.
      started.checkVertx = Vertx.vertx();
      started.openApi = dev.stevedore.testing.OpenApiCheck.load(started.checkVertx,
          dev.stevedore.trigger.http.TriggerRoutes.OPENAPI);
      return started;
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The configuration most ITs use: every hook and token, an ephemeral key, a generous rate. */
  public static TriggerConfig config(String bootstrap, Path dataDir) {
    return config(bootstrap, dataDir, 1000, repositories());
  }

  /** {@code c} with another signing key (several instances of one trigger share their key). */
  public static TriggerConfig withSigning(TriggerConfig c, TriggerConfig.Signing signing) {
    return new TriggerConfig(c.instanceId(), c.http(), c.kafka(), c.topics(), signing, c.generic(), c.github(), c.gitlab(),
        c.repositories(), c.api(), c.schedules(), c.limits(), c.history(), c.agents()).withWarmUp(c.warmUp());
  }

  /** A signing key pair as PEM texts, to give several instances the same key. */
  public static TriggerConfig.Signing sharedSigning() {
    java.security.KeyPair keys = dev.stevedore.common.security.Ed25519Keys.generate();
    return new TriggerConfig.Signing(dev.stevedore.common.security.Ed25519Keys.toPem(keys.getPrivate()),
        dev.stevedore.common.security.Ed25519Keys.toPem(keys.getPublic()), false, null);
  }

  /** Branch rules used by the provider ITs. */
  public static List<TriggerConfig.Repository> repositories() {
    return List.of(
        new TriggerConfig.Repository("acme/web", List.of("web"), "production", null),
        new TriggerConfig.Repository("acme/api", List.of("api"), "production", List.of(
            new TriggerConfig.Rule("release/*", null, null, "staging", TriggerConfig.VersionFrom.SHORT_COMMIT, null),
            new TriggerConfig.Rule(null, "v*", null, null, TriggerConfig.VersionFrom.TAG, null))),
        new TriggerConfig.Repository("acme/pkg", List.of("pkg", "pkg-worker"), "production", List.of(
            new TriggerConfig.Rule(null, "*", null, null, null, null))),
        new TriggerConfig.Repository("group/app", List.of("app"), "production", List.of(
            new TriggerConfig.Rule("main", null, null, "staging", null, null),
            new TriggerConfig.Rule(null, "v*", null, "production", null, null))));
  }

  public static byte[] payload(String name) throws IOException {
    try (var in = TestTrigger.class.getResourceAsStream("/payloads/" + name)) {
      if (in == null) {
        throw new IOException("no payload " + name);
      }
      return in.readAllBytes();
    }
  }

  public static TriggerConfig config(String bootstrap, Path dataDir, int ratePerSecond,
      List<TriggerConfig.Repository> repositories) {
    return new TriggerConfig(
        "it",
        new TriggerConfig.Http("127.0.0.1", 0, 1),
        new KafkaSettings(bootstrap, "trigger-it", 2_000, 3_000, 100, Map.of()),
        new TriggerConfig.TopicSetup(true, 3, 1),
        new TriggerConfig.Signing(null, null, true, dataDir.resolve("trigger-public.pem").toString()),
        List.of(
            new TriggerConfig.GenericHook("ci", GENERIC_TOKEN, null, List.of(), List.of()),
            new TriggerConfig.GenericHook("signed", SIGNED_TOKEN, HMAC_SECRET, List.of(), List.of()),
            new TriggerConfig.GenericHook("narrow", "narrow-token-0123456789abcdef", null,
                List.of("only-this"), List.of("staging"))),
        new TriggerConfig.GitHub(GITHUB_SECRET, List.of("Build")),
        new TriggerConfig.GitLab(GITLAB_TOKEN),
        repositories,
        new TriggerConfig.Api(List.of(
            new TriggerConfig.ApiToken("alice", DEPLOYER_TOKEN, List.of(TriggerConfig.Role.DEPLOYER, TriggerConfig.Role.VIEWER)),
            new TriggerConfig.ApiToken("bob", VIEWER_TOKEN, List.of(TriggerConfig.Role.VIEWER)))),
        new TriggerConfig.Schedules(dataDir.resolve("schedules").toString(), 200, 100),
        new TriggerConfig.Limits(64 * 1024, ratePerSecond, 300, 4_000, 10_000, 5),
        new TriggerConfig.History(true, 100))
        // short: every IT runs with the warm-up on; the default (up to 30 s) is for production
        .withWarmUp(new TriggerConfig.WarmUp(2_000, 100));
  }

  /** A GET on the management port ({@code /health/*}, {@code /metrics}). */
  public HttpResponse<String> getOps(String path) throws IOException, InterruptedException {
    // HTTP/1.1 as Prometheus scrapes: the JDK client's h2c upgrade stalls on a large body (/metrics)
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.opsPort()
        + path)).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + running.port() + path);
  }

  public HttpResponse<String> post(String path, String contentType, byte[] body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    headers.forEach(b::header);
    Map<String, String> sent = new java.util.HashMap<>(headers);
    if (contentType != null) {
      sent.put("Content-Type", contentType);
    }
    return checked(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString()), sent,
        new String(body, java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Every answer an IT gets through this client is checked against the OpenAPI document the
   * trigger serves (trigger-service/src/main/resources/openapi/trigger.yaml), and so is every
   * request it accepted (2xx); {@link #close()} fails with every mismatch. The checks run on a
   * thread of their own, so they add no time between an IT's requests. Exchanges the document has
   * no operation for (unknown paths, wrong methods: hostile input) are not checked.
   */
  private HttpResponse<String> checked(HttpResponse<String> response, Map<String, String> headers, String body) {
    String target = response.uri().getRawPath() + (response.uri().getRawQuery() == null ? "" : "?" + response.uri().getRawQuery());
    checks.execute(() -> {
      List<String> wrong = openApi.check(response.request().method(), target, headers, body,
          response.statusCode() / 100 == 2, response.statusCode(),
          response.headers().firstValue("content-type").orElse(null), response.body());
      if (!wrong.isEmpty() && !wrong.get(0).startsWith(dev.stevedore.testing.OpenApiCheck.NO_OPERATION)) {
        mismatches.addAll(wrong);
      }
    });
    return response;
  }

  /** What the contract checks found so far (waits for those under way). */
  public List<String> openApiMismatches() throws InterruptedException {
    try {
      checks.submit(() -> { }).get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the contract checks did not finish", e);
    }
    return List.copyOf(mismatches);
  }

  public HttpResponse<String> postJson(String path, String json, Map<String, String> headers)
      throws IOException, InterruptedException {
    return post(path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
  }

  public HttpResponse<String> get(String path, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
    headers.forEach(b::header);
    return checked(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString()), headers, null);
  }

  public HttpResponse<String> delete(String path, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).DELETE();
    headers.forEach(b::header);
    return checked(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString()), headers, null);
  }

  /** A DELETE with a JSON body ({@code DELETE /api/v1/blocks/...}). */
  public HttpResponse<String> deleteJson(String path, String json, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .method("DELETE", HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
    headers.forEach(b::header);
    Map<String, String> sent = new java.util.HashMap<>(headers);
    sent.put("Content-Type", "application/json");
    return checked(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString()), sent, json);
  }

  /** Stops the trigger, then fails when any answer did not match the OpenAPI document. */
  @Override
  public void close() throws Exception {
    List<String> wrong = openApiMismatches();
    checks.shutdown();
    try {
      running.stop().await(20, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
      if (checkVertx != null) {
        checkVertx.close().await(20, TimeUnit.SECONDS);
      }
    }
    if (!wrong.isEmpty()) {
      throw new AssertionError("the trigger's answers do not match its OpenAPI document: " + wrong);
    }
  }
}
