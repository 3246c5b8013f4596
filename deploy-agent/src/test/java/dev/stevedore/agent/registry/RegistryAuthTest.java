package dev.stevedore.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.driver.Breakers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The challenge flow against a hostile registry and token server of the test's own (JDK HttpServer
 * on loopback): what they send, how often they are asked, what reaches whom. The real registries
 * are in {@code RegistryAuthIT}.
 */
class RegistryAuthTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);
  private static final RegistryCredentials ALICE = new RegistryCredentials("alice", "pw", null, "test");

  private final Vertx vertx = Vertx.vertx();
  private final WebClient web = WebClient.create(vertx);
  private HttpServer server;
  private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
  private final AtomicInteger manifestRequests = new AtomicInteger();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger elsewhereRequests = new AtomicInteger();
  private final List<String> manifestAuthorizations = new CopyOnWriteArrayList<>();
  private final List<String> tokenAuthorizations = new CopyOnWriteArrayList<>();
  private volatile Handler registry;
  private volatile Handler tokens;
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-29T12:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  interface Handler {
    void handle(HttpExchange ex) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v2/", ex -> {
      manifestRequests.incrementAndGet();
      manifestAuthorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      try (ex) {
        registry.handle(ex);
      }
    });
    server.createContext("/token", ex -> {
      tokenRequests.incrementAndGet();
      tokenAuthorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      try (ex) {
        tokens.handle(ex);
      }
    });
    server.createContext("/elsewhere", ex -> {
      elsewhereRequests.incrementAndGet();
      try (ex) {
        ex.getResponseHeaders().add("Docker-Content-Digest", DIGEST);
        ex.sendResponseHeaders(200, -1);
      }
    });
    server.setExecutor(pool);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop(0);
    pool.shutdownNow();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private String realm() {
    return "http://" + host() + "/token";
  }

  private RegistryClient client(RegistryCredentials credentials) {
    return new RegistryClient(web, new Breakers(ResilienceConfig.defaults()),
        registry -> Future.succeededFuture(Optional.ofNullable(credentials)), clock);
  }

  private Future<String> digest(RegistryClient client) {
    return client.digest(host() + "/team/app", "v1");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> f) throws Exception {
    try {
      await(f);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("succeeded");
  }

  private static void challenge(HttpExchange ex, String header) throws IOException {
    ex.getResponseHeaders().add("WWW-Authenticate", header);
    ex.sendResponseHeaders(401, -1);
  }

  private static void ok(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().add("Docker-Content-Digest", DIGEST);
    ex.sendResponseHeaders(200, -1);
  }

  private static void json(HttpExchange ex, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, b.length);
    ex.getResponseBody().write(b);
  }

  /** A registry that wants {@code Bearer good-token}. */
  private void bearerRegistry() {
    registry = ex -> {
      if ("Bearer good-token".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ok(ex);
      } else {
        challenge(ex, "Bearer realm=\"" + realm() + "\",service=\"svc\",scope=\"repository:team/app:pull\"");
      }
    };
  }

  @Test
  void keepsTheTokenUntilItsExpiresInThenAsksAgain() throws Exception {
    bearerRegistry();
    tokens = ex -> json(ex, "{\"access_token\": \"good-token\", \"expires_in\": 120}");
    RegistryClient client = client(ALICE);
    assertThat(await(digest(client))).isEqualTo(DIGEST);
    assertThat(await(digest(client))).isEqualTo(DIGEST);
    assertThat(tokenRequests.get()).isEqualTo(1);
    assertThat(manifestRequests.get()).as("401, retry, then straight with the token").isEqualTo(3);
    now.set(now.get().plusSeconds(119));
    assertThat(await(digest(client))).isEqualTo(DIGEST);
    assertThat(tokenRequests.get()).as("expired (with its 5 s margin): a new token").isEqualTo(2);
    // credentials went to the realm only; the registry saw the token only
    assertThat(tokenAuthorizations).allMatch(a -> a.startsWith("Basic "));
    assertThat(manifestAuthorizations).noneMatch(a -> a.startsWith("Basic"));
  }

  @Test
  void withoutExpiresInATokenIsKeptSixtySeconds() throws Exception {
    bearerRegistry();
    tokens = ex -> json(ex, "{\"token\": \"good-token\"}");
    RegistryClient client = client(null);
    await(digest(client));
    now.set(now.get().plusSeconds(59));
    await(digest(client));
    assertThat(tokenRequests.get()).isEqualTo(1);
    now.set(now.get().plusSeconds(2));
    await(digest(client));
    assertThat(tokenRequests.get()).isEqualTo(2);
    assertThat(tokenAuthorizations).containsOnly("null");   // anonymous: no Authorization at all
  }

  @Test
  void aRegistryThatRefusesEveryTokenIsAnsweredOnceNotInALoop() throws Exception {
    registry = ex -> challenge(ex, "Bearer realm=\"" + realm() + "\",service=\"svc\"");
    tokens = ex -> json(ex, "{\"token\": \"useless\"}");
    assertThat(failure(digest(client(ALICE)))).isInstanceOf(RegistryAuthException.class)
        .hasMessageContaining("refused the token from " + realm() + " for repository:team/app:pull (user alice (from test))");
    assertThat(manifestRequests.get()).isEqualTo(2);
    assertThat(tokenRequests.get()).isEqualTo(1);
  }

  @Test
  void aRevokedCachedTokenIsReplacedOnce() throws Exception {
    AtomicReference<String> valid = new AtomicReference<>("t1");
    registry = ex -> {
      if (("Bearer " + valid.get()).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ok(ex);
      } else {
        challenge(ex, "Bearer realm=\"" + realm() + "\"");
      }
    };
    tokens = ex -> json(ex, "{\"token\": \"" + valid.get() + "\", \"expires_in\": 3600}");
    RegistryClient client = client(ALICE);
    await(digest(client));
    valid.set("t2");
    assertThat(await(digest(client))).isEqualTo(DIGEST);
    assertThat(tokenRequests.get()).isEqualTo(2);
  }

  @Test
  void basicCredentialsAreSentUpFrontOnceAccepted() throws Exception {
    registry = ex -> {
      if (ALICE.basicAuthorization().equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ok(ex);
      } else {
        challenge(ex, "Basic realm=\"Registry Realm\"");
      }
    };
    RegistryClient client = client(ALICE);
    assertThat(await(digest(client))).isEqualTo(DIGEST);
    assertThat(await(digest(client))).isEqualTo(DIGEST);
    assertThat(manifestRequests.get()).isEqualTo(3);
    assertThat(tokenRequests.get()).isZero();
  }

  @Test
  void aRegistryThatRefusesBasicCredentialsIsAskedOnce() throws Exception {
    registry = ex -> challenge(ex, "Basic realm=\"r\"");
    assertThat(failure(digest(client(ALICE)))).hasMessage("registry " + host()
        + " refused the credentials of user alice (from test) (401)");
    assertThat(manifestRequests.get()).isEqualTo(2);
  }

  @Test
  void refusedCredentialsDoNotOpenTheRegistryBreaker() throws Exception {
    registry = ex -> challenge(ex, "Basic realm=\"r\"");
    Breakers breakers = new Breakers(ResilienceConfig.defaults());
    RegistryClient client = new RegistryClient(web, breakers,
        r -> Future.succeededFuture(Optional.of(ALICE)), clock);
    for (int i = 0; i < 6; i++) {
      assertThat(failure(digest(client))).isInstanceOf(RegistryAuthException.class);
    }
    assertThat(breakers.registry(host()).getState().name()).isEqualTo("CLOSED");
    assertThat(manifestRequests.get()).isEqualTo(12);
    // an outage still counts: a registry that answers 500
    registry = ex -> ex.sendResponseHeaders(500, -1);
    for (int i = 0; i < 3; i++) {
      failure(digest(client));
    }
    assertThat(breakers.registry(host()).getState().name()).isEqualTo("OPEN");
  }

  @Test
  void hostileChallengesGiveClearErrorsAndNoTokenRequest() throws Exception {
    List<String[]> cases = List.of(
        new String[] {"Bearer realm=\"" + realm() + "\",service=\"" + "x".repeat(5000) + "\"", "at most 4096 are read"},
        new String[] {"Bearer service=\"svc\"", "Bearer challenge without a realm"},
        new String[] {"Bearer realm=\"ftp://" + host() + "/token\"", "is not an http(s) URL"},
        new String[] {"Bearer realm=\"file:///etc/passwd\"", "is not an http(s) URL"},
        new String[] {"Bearer realm=\"http://203.0.113.7/token\"", "plain HTTP to a host that is not loopback"},
        new String[] {"Bearer realm=\"" + realm(), "expected a closing quote"},
        new String[] {"Negotiate abc", "asks for authentication by Negotiate; the agent answers Bearer and Basic only"});
    for (String[] c : cases) {
      registry = ex -> challenge(ex, c[0]);
      assertThat(failure(digest(client(ALICE)))).as(c[1]).isInstanceOf(RegistryAuthException.class)
          .hasMessageContaining(c[1]);
    }
    registry = ex -> ex.sendResponseHeaders(401, -1);
    assertThat(failure(digest(client(ALICE)))).hasMessageContaining("401 without a WWW-Authenticate challenge");
    assertThat(tokenRequests.get()).isZero();
  }

  @Test
  void hostileTokenAnswersGiveClearErrors() throws Exception {
    bearerRegistry();
    List<Object[]> cases = List.of(
        new Object[] {(Handler) ex -> json(ex, "<html>login</html>"), "answered something that is not a JSON object"},
        new Object[] {(Handler) ex -> json(ex, "[\"good-token\"]"), "answered something that is not a JSON object"},
        new Object[] {(Handler) ex -> json(ex, "{\"expires_in\": 60}"), "without a usable token"},
        new Object[] {(Handler) ex -> json(ex, "{\"token\": \"a\\r\\nX-Injected: 1\"}"), "without a usable token"},
        new Object[] {(Handler) ex -> json(ex, "{\"token\": 42}"), "without a usable token"},
        new Object[] {(Handler) ex -> ex.sendResponseHeaders(500, -1), "answered 500"},
        new Object[] {(Handler) ex -> ex.sendResponseHeaders(403, -1), "refused user alice (from test) (403)"},
        new Object[] {(Handler) RegistryAuthTest::endless, "is larger than " + RegistryClient.MAX_TOKEN_ANSWER + " bytes"},
        new Object[] {(Handler) ex -> {
          ex.getResponseHeaders().add("Location", "http://" + host() + "/elsewhere");
          ex.sendResponseHeaders(307, -1);
        }, "answered 307"});
    for (Object[] c : cases) {
      tokens = (Handler) c[0];
      assertThat(failure(digest(client(ALICE)))).as((String) c[1]).isInstanceOf(RegistryAuthException.class)
          .hasMessageContaining((String) c[1]);
    }
    assertThat(elsewhereRequests.get()).as("a token request with credentials follows no redirect").isZero();
  }

  @Test
  void anUnreachableTokenServerIsNamed() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    registry = ex -> challenge(ex, "Bearer realm=\"http://127.0.0.1:" + closed + "/token\"");
    assertThat(failure(digest(client(ALICE)))).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("token server http://127.0.0.1:" + closed + "/token (for registry " + host()
            + ") did not answer: ");
  }

  @Test
  void anAuthenticatedManifestRequestFollowsNoRedirect() throws Exception {
    registry = ex -> {
      if (ex.getRequestHeaders().getFirst("Authorization") == null) {
        challenge(ex, "Basic realm=\"r\"");
      } else {
        ex.getResponseHeaders().add("Location", "http://" + host() + "/elsewhere");
        ex.sendResponseHeaders(307, -1);
      }
    };
    assertThat(failure(digest(client(ALICE)))).hasMessageContaining("registry answered 307");
    assertThat(elsewhereRequests.get()).isZero();
  }

  @Test
  void aFailingCredentialLookupFailsThePoll() throws Exception {
    registry = ex -> challenge(ex, "Basic realm=\"r\"");
    RegistryClient client = new RegistryClient(web, new Breakers(ResilienceConfig.defaults()),
        r -> Future.failedFuture(new RegistryAuthException("credential helper docker-credential-x (for " + r + ") failed")),
        clock);
    assertThat(failure(digest(client))).hasMessage("credential helper docker-credential-x (for " + host() + ") failed");
  }

  /** An answer that never ends (chunked, 8 KiB at a time). */
  private static void endless(HttpExchange ex) throws IOException {
    ex.sendResponseHeaders(200, 0);
    byte[] chunk = "{\"token\": \"".concat("x".repeat(8192)).getBytes(StandardCharsets.UTF_8);
    OutputStream out = ex.getResponseBody();
    try {
      for (int i = 0; i < 100_000; i++) {   // 800 MB if nobody stops reading
        out.write(chunk);
      }
    } catch (IOException e) {
      // the client hung up: expected
    }
  }
}
