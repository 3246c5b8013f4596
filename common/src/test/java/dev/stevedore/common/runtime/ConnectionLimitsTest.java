package dev.stevedore.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue #12 item 9: a connection cap, and a deadline for a whole request (not only idle time). */
class ConnectionLimitsTest {
  final Vertx vertx = Vertx.vertx();
  NetClient net;
  int port;
  ConnectionLimits limits;

  void start(int maxConnections, long requestTimeoutMs) throws Exception {
    limits = new ConnectionLimits(maxConnections, requestTimeoutMs);
    HttpServerVerticle http = new HttpServerVerticle(HttpServerVerticle.publicApi("127.0.0.1", 0).setIdleTimeout(60),
        (v, router) -> router.post("/").handler(BodyHandler.create()).handler(ctx -> ctx.response().end("ok")),
        e -> null, limits);
    vertx.deployVerticle(http).await(10, TimeUnit.SECONDS);
    port = http.port();
    net = vertx.createNetClient();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A socket and a flag set when the server closed it; {@code received} collects what it answered. */
  record Client(NetSocket socket, AtomicBoolean closed, AtomicReference<String> received) {}

  Client connect() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    AtomicReference<String> received = new AtomicReference<>("");
    // The handlers are set on the event loop as the connection completes: set from this thread
    // after await(), a close the server sent at once could come first and never be seen (CI run).
    NetSocket socket = net.connect(port, "127.0.0.1").map(s -> {
      s.closeHandler(v -> closed.set(true));
      s.handler(b -> received.updateAndGet(r -> r + b.toString()));
      return s;
    }).await(5, TimeUnit.SECONDS);
    return new Client(socket, closed, received);
  }

  @Test
  void aConnectionBeyondTheCapIsClosedAndTheOthersStay() throws Exception {
    start(2, 60_000);
    Client a = connect();
    Client b = connect();
    await().atMost(Duration.ofSeconds(5)).until(() -> limits.open() == 2);
    Client c = connect();
    await().atMost(Duration.ofSeconds(5)).untilTrue(c.closed());
    assertThat(a.closed()).isFalse();
    assertThat(b.closed()).isFalse();
    // A freed slot is usable again.
    a.socket().close();
    await().atMost(Duration.ofSeconds(5)).until(() -> limits.open() == 1);
    Client d = connect();
    d.socket().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> d.received().get().startsWith("HTTP/1.1 200"));
  }

  @Test
  void headersTrickledByteByByteAreCutAtTheDeadlineThoughNeverIdle() throws Exception {
    start(10, 600);
    Client slow = connect();
    slow.socket().write("POST / HTTP/1.1\r\nHost: x\r\n");
    long periodic = vertx.setPeriodic(100, id -> slow.socket().write("X-A: b\r\n"));
    long start = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).untilTrue(slow.closed());
    vertx.cancelTimer(periodic);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aBodyTrickledByteByByteIsCutAtTheDeadline() throws Exception {
    start(10, 600);
    Client slow = connect();
    slow.socket().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n");
    long periodic = vertx.setPeriodic(100, id -> slow.socket().write(Buffer.buffer("x")));
    await().atMost(Duration.ofSeconds(5)).untilTrue(slow.closed());
    vertx.cancelTimer(periodic);
    assertThat(slow.received().get()).doesNotContain("200");
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAndAPromptRequestIsAnswered() throws Exception {
    start(10, 600);
    Client silent = connect();
    Client prompt = connect();
    prompt.socket().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    await().atMost(Duration.ofSeconds(5)).until(() -> prompt.received().get().startsWith("HTTP/1.1 200"));
    await().atMost(Duration.ofSeconds(5)).untilTrue(silent.closed());
  }
}
