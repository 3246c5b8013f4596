package dev.stevedore.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one failure handler, over a real (loopback) server: status, content type, body, headers. */
class ProblemsTest {
  static Vertx vertx;
  static HttpServer server;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/refused").handler(ctx -> ctx.fail(HttpProblem.of(409, "already running").withHeader("Retry-After", "10")));
    router.get("/bug").handler(ctx -> {
      throw new IllegalStateException("secret detail of a bug");
    });
    router.get("/classified").handler(ctx -> ctx.fail(new IllegalArgumentException("bad value")));
    router.post("/small").handler(BodyHandler.create(false).setBodyLimit(4)).handler(ctx -> ctx.end("ok"));
    Problems.install(router, e -> e instanceof IllegalArgumentException ? HttpProblem.badRequest(e.getMessage()) : null);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    // A connection per request: after an early 413 the server may close the connection it answered on.
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  record Answer(int status, String contentType, String retryAfter, JsonObject body) {}

  private static Answer call(HttpMethod method, String path, String body) throws Exception {
    return client.request(method, server.actualPort(), "127.0.0.1", path)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.getHeader("content-type"),
            r.getHeader("Retry-After"), b.length() == 0 ? new JsonObject() : b.toJsonObject())))
        .await(10, TimeUnit.SECONDS);
  }

  @Test
  void aProblemIsAnsweredWithItsStatusDetailAndHeaders() throws Exception {
    Answer a = call(HttpMethod.GET, "/refused", null);
    assertThat(a.status()).isEqualTo(409);
    assertThat(a.contentType()).isEqualTo("application/problem+json");
    assertThat(a.retryAfter()).isEqualTo("10");
    assertThat(a.body()).isEqualTo(new JsonObject().put("type", "about:blank").put("title", "Conflict")
        .put("status", 409).put("detail", "already running"));
  }

  @Test
  void aBugIsA500ThatSaysNothingAboutIt() throws Exception {
    Answer a = call(HttpMethod.GET, "/bug", null);
    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body().getString("detail")).isEqualTo("internal error");
    assertThat(a.body().encode()).doesNotContain("secret");
  }

  @Test
  void aServicesOwnFailuresAreClassified() throws Exception {
    Answer a = call(HttpMethod.GET, "/classified", null);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.body().getString("detail")).isEqualTo("bad value");
  }

  @Test
  void unknownPathsMethodsAndLargeBodiesAreProblemsToo() throws Exception {
    Answer notFound = call(HttpMethod.GET, "/nothing-here", null);
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.contentType()).isEqualTo("application/problem+json");
    assertThat(notFound.body().getString("title")).isEqualTo("Not Found");
    assertThat(call(HttpMethod.DELETE, "/refused", null).status()).isEqualTo(405);
    Answer tooLarge = tooLarge();
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.body().getString("detail")).isEqualTo("body larger than the limit");
  }

  /**
   * The oversized POST, tried up to three times on new connections: the server answers 413 before it
   * has read the body and closes the connection; when the body arrives after that close, the kernel
   * resets the connection and the client may never complete the request (CI, 1 of some hundred
   * runs: a 10 s timeout; 0 of 500 here in a loop). What is checked is the answer when there is one.
   */
  private static Answer tooLarge() throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/small")
            .compose(r -> r.send("0123456789"))
            .compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.getHeader("content-type"),
                r.getHeader("Retry-After"), b.length() == 0 ? new JsonObject() : b.toJsonObject())))
            .await(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        last = e;
      }
    }
    throw last;
  }

  @Test
  void problemStatusesAreErrorStatuses() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpProblem.of(200, "fine"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
