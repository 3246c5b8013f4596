package dev.stevedore.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.driver.Breakers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry client against a tiny local HTTP server that answers as a registry would
 * ({@code HEAD /v2/<name>/manifests/<tag>}), and as a broken or hostile one would.
 */
class RegistryClientTest {
  private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

  private final Vertx vertx = Vertx.vertx();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private volatile Consumer<HttpServerRequest> answer;
  private HttpServer server;
  private RegistryClient client;
  private String repository;

  @BeforeEach
  void start() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.method() + " " + req.uri() + " accept=" + req.getHeader("Accept")
          + " authorization=" + req.getHeader("Authorization"));
      answer.accept(req);
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    repository = "127.0.0.1:" + server.actualPort() + "/team/demo";
    client = new RegistryClient(WebClient.create(vertx), new Breakers(resilience()));
  }

  private static ResilienceConfig resilience() {
    // breaker: 100 % failures over a window of 4 calls, at least 4, then open for a minute
    return new ResilienceConfig(0, null, 100, 4, 4, Duration.ofMinutes(1), null, null, null, null, 0, 0, null);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private String digest(String tag) throws Exception {
    return client.digest(repository, tag).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Throwable failure(String tag) throws Exception {
    Future<String> f = client.digest(repository, tag);
    try {
      String unexpected = f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + unexpected);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void aManifestAnswerGivesItsDigestAskedWithHeadAndTheManifestTypes() throws Exception {
    answer = req -> req.response().putHeader("Docker-Content-Digest", DIGEST)
        .putHeader("Content-Type", "application/vnd.oci.image.index.v1+json").end();
    assertThat(digest("v2")).isEqualTo(DIGEST);
    assertThat(seen).containsExactly("HEAD /v2/team/demo/manifests/v2 accept=" + RegistryClient.ACCEPT + " authorization=null");
  }

  @Test
  void anUnknownTagIsNullNotAFailure() throws Exception {
    answer = req -> req.response().setStatusCode(404).end();
    assertThat(digest("nope")).isNull();
  }

  @Test
  void a401ChallengeIsAnsweredOnceAnonymouslyAndARefusedTokenFailsTheCall() throws Exception {
    // the same server refuses the manifest and the token: the realm is asked once, without credentials
    answer = req -> req.response().setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + server.actualPort()
            + "/token\",service=\"registry\",scope=\"repository:team/demo:pull\"").end();
    Throwable e = failure("v2");
    assertThat(e).hasMessageContaining("token server http://127.0.0.1:" + server.actualPort() + "/token")
        .hasMessageContaining("refused anonymous (401)");
    assertThat(seen).as("the manifest, then the realm once: nothing loops").hasSize(2);
    assertThat(seen).allMatch(line -> line.endsWith("authorization=null"), "no credentials sent");
  }

  @Test
  void aServerErrorOrA200WithoutDigestFails() throws Exception {
    answer = req -> req.response().setStatusCode(500).end();
    assertThat(failure("v2")).hasMessageContaining("registry answered 500");
    answer = req -> req.response().end();
    assertThat(failure("v2")).hasMessageContaining("registry answered 200").hasMessageContaining("without Docker-Content-Digest");
  }

  @Test
  void malformedDigestsAreRefused() throws Exception {
    for (String bad : List.of("garbage", "sha256:xyz", "sha256:" + "A".repeat(64), "md5:" + "a".repeat(32),
        DIGEST + "; rm -rf /", DIGEST + "0", "sha256:" + "a".repeat(63))) {
      answer = req -> req.response().putHeader("Docker-Content-Digest", bad).end();
      assertThat(failure("v2")).as(bad).hasMessageContaining("malformed Docker-Content-Digest")
          .hasMessageNotContaining(bad);
      // a new breaker each time: this test is about the answers, not about the breaker opening
      client = new RegistryClient(WebClient.create(vertx), new Breakers(resilience()));
    }
  }

  @Test
  void anOversizedHeaderFailsTheCallAndNothingIsTaken() throws Exception {
    answer = req -> req.response().putHeader("Docker-Content-Digest", DIGEST).putHeader("X-Padding", "x".repeat(64 * 1024))
        .end();
    assertThat(failure("v2")).isNotNull();
    answer = req -> req.response().putHeader("Docker-Content-Digest", "sha256:" + "a".repeat(1 << 20)).end();
    assertThat(failure("v2")).isNotNull();
  }

  @Test
  void aBodyOnAHeadAnswerIsNotRead() throws Exception {
    answer = req -> {
      req.response().putHeader("Docker-Content-Digest", DIGEST).putHeader("Content-Length", String.valueOf(10 << 20));
      req.response().end();
    };
    assertThat(digest("v2")).isEqualTo(DIGEST);
  }

  @Test
  void repeatedFailuresOpenTheRegistrysBreakerAndLaterCallsSendNothing() throws Exception {
    answer = req -> req.response().setStatusCode(503).end();
    for (int i = 0; i < 4; i++) {
      assertThat(failure("v2")).hasMessageContaining("registry answered 503");
    }
    int before = seen.size();
    assertThat(failure("v2")).isNotNull();
    assertThat(seen).as("refused by the open breaker, no request").hasSize(before);
  }
}
