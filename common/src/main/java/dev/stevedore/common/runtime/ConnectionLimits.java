package dev.stevedore.common.runtime;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits against slow and many clients, beyond the idle timeout (which a client defeats by sending
 * a byte now and then): at most {@code maxConnections} open connections (one more is closed at
 * once), and a request must arrive in full (request line, headers and body) within
 * {@code requestTimeoutMs} of the connection opening or of the request before it, else the
 * connection is closed. The time a request takes to be answered once it arrived is not limited
 * here (the service bounds its own work). One instance is shared by every server verticle of a
 * port, so the cap counts them all.
 */
public final class ConnectionLimits {
  private final int maxConnections;
  private final long requestTimeoutMs;
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionLimits(int maxConnections, long requestTimeoutMs) {
    if (maxConnections <= 0 || requestTimeoutMs <= 0) {
      throw new IllegalArgumentException("maxConnections and requestTimeoutMs must be positive");
    }
    this.maxConnections = maxConnections;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /** Open connections now, over every server sharing these limits. */
  public int open() {
    return open.get();
  }

  /** Installs the limits on {@code server} (before it listens); returns the request handler to use. */
  Handler<HttpServerRequest> install(Vertx vertx, HttpServer server, Handler<HttpServerRequest> next) {
    // Confined to the server's event loop: its connection and request handlers run there.
    Map<HttpConnection, State> states = new IdentityHashMap<>();
    server.connectionHandler(conn -> {
      State state = new State(vertx, conn);
      conn.closeHandler(v -> {
        open.decrementAndGet();
        states.remove(conn);
        state.cancel();
      });
      if (open.incrementAndGet() > maxConnections) {
        conn.close();
        return;
      }
      states.put(conn, state);
      state.arm();
    });
    return request -> {
      State state = states.get(request.connection());
      if (state != null) {
        state.current = request;
        state.arm();
      }
      next.handle(request);
    };
  }

  private final class State {
    private final Vertx vertx;
    private final HttpConnection conn;
    private HttpServerRequest current;
    private long timer = -1;

    State(Vertx vertx, HttpConnection conn) {
      this.vertx = vertx;
      this.conn = conn;
    }

    void arm() {
      cancel();
      timer = vertx.setTimer(requestTimeoutMs, id -> fire());
    }

    void cancel() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    /**
     * No request yet, or the current one has not arrived in full: close. Arrived and being
     * answered, or answered (the next request's headers get one more period): wait again. An
     * answered request still current at the next firing means no new request came: close.
     */
    private void fire() {
      timer = -1;
      HttpServerRequest request = current;
      if (request == null || !request.isEnded()) {
        conn.close();
      } else if (request.response().ended()) {
        current = null;
        arm();
      } else {
        arm();
      }
    }
  }
}
