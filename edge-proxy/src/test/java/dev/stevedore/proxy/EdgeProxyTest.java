package dev.stevedore.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy in this JVM in front of real HTTP servers on loopback (one per colour). */
class EdgeProxyTest {
  static final String TOKEN = "s3cret-token";

  Vertx vertx;
  HttpClient client;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(4));
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  /** An upstream answering its colour, echoing the forwarded headers; {@code /slow} answers after 600 ms. */
  HttpServer upstream(String colour) {
    return vertx.createHttpServer().requestHandler(req -> {
      Runnable answer = () -> req.response()
          .putHeader("x-seen-for", String.valueOf(req.getHeader("x-forwarded-for")))
          .putHeader("x-seen-proto", String.valueOf(req.getHeader("x-forwarded-proto")))
          .putHeader("x-seen-host", String.valueOf(req.getHeader("x-forwarded-host")))
          .putHeader("connection", "close")
          .end(colour);
      if (req.path().equals("/slow")) {
        vertx.setTimer(600, id -> answer.run());
      } else {
        answer.run();
      }
    }).listen(0, "127.0.0.1").await();
  }

  ProxyConfig config(Path state) {
    return new ProxyConfig("127.0.0.1", 0, "127.0.0.1", 0, TOKEN, state.toString(), "127.0.0.1", Duration.ofSeconds(1), 1, 0, false, null);
  }

  EdgeProxy.Running proxy() {
    return EdgeProxy.start(vertx, config(dir.resolve("state.json"))).await();
  }

  Future<Answer> get(int port, String path) {
    return client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(path))
        .compose(r -> r.send().compose(resp -> resp.body().map(b -> new Answer(resp, b))));
  }

  record Answer(HttpClientResponse response, Buffer body) {
    int status() {
      return response.statusCode();
    }

    String text() {
      return body.toString();
    }
  }

  Answer admin(EdgeProxy.Running p, HttpMethod method, String path, String token, JsonObject body) {
    RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(p.adminPort()).setURI(path).setMethod(method);
    if (token != null) {
      o.putHeader("authorization", "Bearer " + token);
    }
    return client.request(o).compose(r -> (body == null ? r.send() : r.send(body.encode()))
        .compose(resp -> resp.body().map(b -> new Answer(resp, b)))).await();
  }

  Answer switchTo(EdgeProxy.Running p, String colour, int port) {
    return admin(p, HttpMethod.PUT, "/upstream", TOKEN, new JsonObject().put("colour", colour).put("port", port));
  }

  @Test
  void answers503WithRetryAfterBeforeAnyColourIsSet() {
    EdgeProxy.Running p = proxy();
    Answer a = get(p.port(), "/").await();
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.response().getHeader("retry-after")).isEqualTo("1");
  }

  @Test
  void forwardsToTheActiveColourWithForwardedHeaders() {
    HttpServer blue = upstream("blue");
    EdgeProxy.Running p = proxy();
    assertThat(switchTo(p, "blue", blue.actualPort()).status()).isEqualTo(200);
    Answer a = get(p.port(), "/version").await();
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.text()).isEqualTo("blue");
    assertThat(a.response().getHeader("x-seen-for")).isEqualTo("127.0.0.1");
    assertThat(a.response().getHeader("x-seen-proto")).isEqualTo("http");
    assertThat(a.response().getHeader("x-seen-host")).isEqualTo("127.0.0.1:" + p.port());
  }

  @Test
  void replacesForwardedHeadersAClientSent() {
    HttpServer blue = upstream("blue");
    EdgeProxy.Running p = proxy();
    switchTo(p, "blue", blue.actualPort());
    Answer a = client.request(new RequestOptions().setHost("127.0.0.1").setPort(p.port()).setURI("/")
            .putHeader("x-forwarded-for", "6.6.6.6"))
        .compose(r -> r.send().compose(resp -> resp.body().map(b -> new Answer(resp, b)))).await();
    assertThat(a.response().getHeader("x-seen-for")).isEqualTo("127.0.0.1");
  }

  @Test
  void aSwitchSendsNewRequestsToTheNewColourWhileARequestInFlightFinishesOnTheOld() {
    HttpServer blue = upstream("blue");
    HttpServer green = upstream("green");
    EdgeProxy.Running p = proxy();
    switchTo(p, "blue", blue.actualPort());
    Future<Answer> slow = get(p.port(), "/slow");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> p.traffic().inFlight("blue") == 1);
    Answer switched = switchTo(p, "green", green.actualPort());
    assertThat(switched.status()).isEqualTo(200);
    JsonObject state = switched.body().toJsonObject();
    assertThat(state.getString("colour")).isEqualTo("green");
    assertThat(state.getJsonObject("inFlight").getLong("blue")).isEqualTo(1);
    assertThat(get(p.port(), "/").await().text()).isEqualTo("green");
    Answer drained = slow.await();
    assertThat(drained.status()).isEqualTo(200);
    assertThat(drained.text()).isEqualTo("blue");
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> p.traffic().inFlight("blue") == 0);
  }

  /** The upstreams close every connection (as busybox httpd does): the client's connection stays open all the same. */
  @Test
  void aClientsKeepAliveConnectionSurvivesASwitch() {
    HttpServer blue = upstream("blue");
    HttpServer green = upstream("green");
    EdgeProxy.Running p = proxy();
    switchTo(p, "blue", blue.actualPort());
    AtomicInteger connections = new AtomicInteger();
    HttpClient one = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
        .with(new PoolOptions().setHttp1MaxSize(1)).withConnectHandler(c -> connections.incrementAndGet()).build();
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      if (i == 3) {
        switchTo(p, "green", green.actualPort());
      }
      bodies.add(one.request(new RequestOptions().setHost("127.0.0.1").setPort(p.port()).setURI("/"))
          .compose(r -> r.send().compose(HttpClientResponse::body)).await().toString());
    }
    assertThat(bodies).containsExactly("blue", "blue", "blue", "green", "green", "green");
    assertThat(connections.get()).isEqualTo(1);
  }

  @Test
  void aStoppingProxyLetsARequestInFlightFinish() {
    HttpServer blue = upstream("blue");
    EdgeProxy.Running p = proxy();
    switchTo(p, "blue", blue.actualPort());
    Future<Answer> slow = get(p.port(), "/slow");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> p.traffic().inFlight("blue") == 1);
    Future<Void> stopped = p.stop().get();
    Answer a = slow.await();
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.text()).isEqualTo("blue");
    stopped.await();
  }

  /**
   * SIGTERM's order: the admin port and the listening socket close at once (a new process on the
   * port gets the new connections), a connection already open is still served, with
   * {@code Connection: close}, during the grace; then the proxy stops.
   */
  @Test
  void aStoppingProxyClosesItsListenerFirstAndServesOpenConnectionsWithConnectionClose() {
    HttpServer blue = upstream("blue");
    EdgeProxy.Running p = proxy();
    switchTo(p, "blue", blue.actualPort());
    AtomicInteger connections = new AtomicInteger();
    HttpClient one = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
        .with(new PoolOptions().setHttp1MaxSize(1)).withConnectHandler(c -> connections.incrementAndGet()).build();
    RequestOptions root = new RequestOptions().setHost("127.0.0.1").setPort(p.port()).setURI("/");
    assertThat(one.request(root).compose(r -> r.send().compose(HttpClientResponse::body)).await().toString()).isEqualTo("blue");
    Future<Void> stopped = p.shutdown().apply(Duration.ofSeconds(3));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> p.traffic().draining());
    // a new connection: refused (nothing else listens on this port)
    HttpClient other = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    assertThatThrownBy(() -> other.request(root).compose(r -> r.send()).await()).hasMessageContaining("refused");
    // the open one: answered, and told to close
    HttpClientResponse last = one.request(root).compose(r -> r.send()).await();
    assertThat(last.statusCode()).isEqualTo(200);
    assertThat(last.getHeader("connection")).isEqualTo("close");
    assertThat(connections.get()).isEqualTo(1);
    stopped.await();
    assertThatThrownBy(() -> admin(p, HttpMethod.GET, "/health", null, null)).hasMessageContaining("refused");
  }

  /**
   * The takeover in one JVM (two Vert.x instances with epoll, as two processes would have): the
   * second proxy listens beside the first, follows the switch the first one makes, and becomes the
   * admin endpoint when the first one stops.
   */
  @Test
  void aSecondProxyListensBesideTheFirstFollowsItsSwitchesAndTakesTheAdminPortWhenItStops() throws Exception {
    HttpServer blue = upstream("blue");
    HttpServer green = upstream("green");
    int port = dev.stevedore.testing.FreePorts.find();
    int adminPort = dev.stevedore.testing.FreePorts.find();
    ProxyConfig shared = new ProxyConfig("127.0.0.1", port, "127.0.0.1", adminPort, TOKEN,
        dir.resolve("state.json").toString(), "127.0.0.1", Duration.ofSeconds(1), 1, 0, true, Duration.ofMillis(200));
    Vertx first = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
    Vertx second = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
    try {
      assertThat(first.isNativeTransportEnabled()).as("epoll on this machine").isTrue();
      EdgeProxy.Running a = EdgeProxy.start(first, shared).await();
      switchTo(a, "blue", blue.actualPort());
      Future<EdgeProxy.Running> b = EdgeProxy.start(second, shared);
      // b listens on the public port beside a, but cannot have the admin port yet
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          return !b.isComplete();
        }
      });
      Thread.sleep(300);
      assertThat(b.isComplete()).isFalse();
      switchTo(a, "green", green.actualPort());                     // a still switches; b reads the file
      a.shutdown().apply(Duration.ofMillis(200)).await();
      EdgeProxy.Running taken = b.await();
      assertThat(taken.adminPort()).isEqualTo(adminPort);
      assertThat(taken.traffic().state().active()).isEqualTo(new Upstream("green", green.actualPort()));
      assertThat(get(port, "/").await().text()).isEqualTo("green");
      assertThat(switchTo(taken, "blue", blue.actualPort()).status()).isEqualTo(200);
      assertThat(get(port, "/").await().text()).isEqualTo("blue");
    } finally {
      first.close().await();
      second.close().await();
    }
  }

  @Test
  void theAdminEndpointWantsTheToken() {
    HttpServer blue = upstream("blue");
    EdgeProxy.Running p = proxy();
    JsonObject body = new JsonObject().put("colour", "blue").put("port", blue.actualPort());
    assertThat(admin(p, HttpMethod.PUT, "/upstream", null, body).status()).isEqualTo(401);
    assertThat(admin(p, HttpMethod.PUT, "/upstream", "wrong", body).status()).isEqualTo(401);
    assertThat(admin(p, HttpMethod.GET, "/state", "wrong", null).status()).isEqualTo(401);
    assertThat(p.traffic().state().active()).isNull();
    assertThat(admin(p, HttpMethod.GET, "/state", TOKEN, null).status()).isEqualTo(200);
    assertThat(admin(p, HttpMethod.GET, "/metrics", null, null).status()).isEqualTo(200);
  }

  @Test
  void rejectsAnUpstreamThatIsNotAColourAndAPort() {
    EdgeProxy.Running p = proxy();
    assertThat(switchTo(p, "Blue; rm", 8080).status()).isEqualTo(400);
    assertThat(switchTo(p, "blue", 70_000).status()).isEqualTo(400);
    assertThat(admin(p, HttpMethod.PUT, "/upstream", TOKEN, new JsonObject()).status()).isEqualTo(400);
  }

  @Test
  void aRestartedProxyServesTheColourItServedBefore() throws Exception {
    HttpServer blue = upstream("blue");
    HttpServer green = upstream("green");
    EdgeProxy.Running first = proxy();
    switchTo(first, "blue", blue.actualPort());
    switchTo(first, "green", green.actualPort());
    first.stop().get().await();
    assertThat(Files.readString(dir.resolve("state.json"))).contains("green");
    EdgeProxy.Running second = proxy();
    assertThat(second.traffic().state().active()).isEqualTo(new Upstream("green", green.actualPort()));
    assertThat(second.traffic().state().generation()).isEqualTo(2);
    assertThat(get(second.port(), "/").await().text()).isEqualTo("green");
  }

  @Test
  void countsRequestsUpstreamErrorsAndTheActiveColourInItsMetrics() throws Exception {
    HttpServer blue = upstream("blue");
    int closed = blue.actualPort();
    EdgeProxy.Running p = proxy();
    switchTo(p, "blue", closed);
    get(p.port(), "/").await();
    blue.close().await();
    assertThat(get(p.port(), "/").await().status()).isEqualTo(502);
    String metrics = admin(p, HttpMethod.GET, "/metrics", null, null).text();
    assertThat(metrics).contains("stevedore_proxy_requests_total{colour=\"blue\"} 2")
        .contains("stevedore_proxy_upstream_errors_total{colour=\"blue\"} 1")
        .contains("stevedore_proxy_active{colour=\"blue\",port=\"" + closed + "\"} 1")
        .contains("stevedore_proxy_in_flight{colour=\"blue\"} 0");
    // the real /metrics passes promtool and carries the JVM and build-info series too
    dev.stevedore.common.ops.PrometheusScrape.assertServiceScrape("proxy",
        dev.stevedore.common.ops.PrometheusScrape.afterGc(() -> admin(p, HttpMethod.GET, "/metrics", null, null).text()));
  }

  @Test
  void refusesAnAdminEndpointOffLoopbackAndAMissingToken() {
    assertThatThrownBy(() -> new ProxyConfig("0.0.0.0", 80, "0.0.0.0", 9901, TOKEN, "/tmp/s", null, null, 1, 0, false, null))
        .hasMessageContaining("loopback");
    assertThatThrownBy(() -> new ProxyConfig("0.0.0.0", 80, "127.0.0.1", 9901, " ", "/tmp/s", null, null, 1, 0, false, null))
        .hasMessageContaining("adminToken");
    assertThat(config(dir).toString()).doesNotContain(TOKEN);
  }
}
