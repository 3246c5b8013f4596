package dev.stevedore.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Per request: reads the active upstream once (the request stays on it to the end, even if a
 * switch happens meanwhile: that is the drain), counts it in flight until the response is sent
 * or fails, and sets the {@code X-Forwarded-*} headers. The proxy is the first hop on the public
 * port, so incoming {@code X-Forwarded-*} values are replaced, not trusted.
 */
final class Forwarding implements ProxyInterceptor {
  static final String UPSTREAM = "stevedore.upstream";
  private static final String DONE = "stevedore.done";

  private final Traffic traffic;
  private final String upstreamHost;

  Forwarding(Traffic traffic, String upstreamHost) {
    this.traffic = traffic;
    this.upstreamHost = upstreamHost;
  }

  /** The origin of the request: the upstream chosen in {@link #handleProxyRequest}. */
  Future<SocketAddress> origin(ProxyContext ctx) {
    Upstream u = ctx.get(UPSTREAM, Upstream.class);
    return u == null ? Future.failedFuture("no upstream") : Future.succeededFuture(SocketAddress.inetSocketAddress(u.port(), upstreamHost));
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
    ProxyState s = traffic.state();
    ProxyRequest request = ctx.request();
    if (s.active() == null) {
      traffic.noUpstream();
      ProxyResponse r = request.response().setStatusCode(503).setStatusMessage("no active colour yet");
      r.headers().set("retry-after", "1");
      if (traffic.draining()) {
        r.headers().set("connection", "close");
      }
      return Future.succeededFuture(r);
    }
    Upstream u = s.active();
    ctx.set(UPSTREAM, u);
    ctx.set(DONE, traffic.begin(u.colour()));
    HttpServerRequest incoming = request.proxiedRequest();
    var headers = request.headers();
    headers.set("x-forwarded-for", incoming.remoteAddress() == null ? "unknown" : incoming.remoteAddress().hostAddress());
    headers.set("x-forwarded-proto", incoming.isSSL() ? "https" : "http");
    String host = incoming.authority() == null ? null : incoming.authority().toString();
    if (host != null) {
      headers.set("x-forwarded-host", host);
    } else {
      headers.remove("x-forwarded-host");
    }
    return ctx.sendRequest().onFailure(e -> {
      traffic.upstreamError(u.colour());
      done(ctx);
    });
  }

  /**
   * Hop-by-hop headers are the upstream's business with the proxy, not the client's: an app that
   * answers {@code Connection: close} (busybox httpd does, every time) must not close the
   * client's keep-alive connection to the proxy.
   */
  @Override
  public Future<Void> handleProxyResponse(ProxyContext ctx) {
    var headers = ctx.response().headers();
    String connection = headers.get("connection");
    if (connection != null) {
      for (String named : connection.split(",")) {
        headers.remove(named.strip());
      }
    }
    headers.remove("connection").remove("keep-alive").remove("proxy-connection");
    if (!traffic.draining()) {
      return ctx.sendResponse().andThen(ar -> done(ctx));
    }
    // stopping (a restart): the client opens its next connection to the new process, after this
    // response; the server closes its side too (for clients that ignore the header)
    headers.set("connection", "close");
    HttpServerRequest incoming = ctx.request().proxiedRequest();
    return ctx.sendResponse().andThen(ar -> {
      done(ctx);
      incoming.connection().shutdown(10, java.util.concurrent.TimeUnit.SECONDS);
    });
  }

  private static void done(ProxyContext ctx) {
    Runnable done = ctx.get(DONE, Runnable.class);
    if (done != null) {
      done.run();
    }
  }
}
