package dev.stevedore.proxy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.OriginRequestProvider;

/**
 * The public port: every request goes to the active colour through {@code vertx-http-proxy}.
 * HTTP/1.1 keep-alive on both sides (a client's connection survives a switch: its next request
 * simply goes to the new colour).
 */
final class PublicVerticle extends VerticleBase {
  private final ProxyConfig config;
  private final Traffic traffic;
  private final boolean reusePort;
  private HttpServer server;
  /** The listening socket (Netty's server channel), learnt from the first connection's parent. */
  private final java.util.concurrent.atomic.AtomicReference<io.netty.channel.Channel> listener =
      new java.util.concurrent.atomic.AtomicReference<>();

  PublicVerticle(ProxyConfig config, Traffic traffic, boolean reusePort) {
    this.config = config;
    this.traffic = traffic;
    this.reusePort = reusePort;
  }

  @Override
  public Future<?> start() {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            // shorter than any usual server idle timeout, so the proxy drops an idle pooled
            // connection before the upstream closes it under a request
            .setKeepAliveTimeout(4)
            .setConnectTimeout((int) config.connectTimeout().toMillis())
            .setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(config.maxUpstreamConnections()));
    Forwarding forwarding = new Forwarding(traffic, config.upstreamHost());
    HttpProxy proxy = HttpProxy.reverseProxy(client)
        .origin(OriginRequestProvider.selector(forwarding::origin))
        .addInterceptor(forwarding);
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(60)
            .setReusePort(reusePort))
        .connectionHandler(this::learnListener)
        .requestHandler(proxy)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }

  /**
   * Graceful: stops accepting, lets requests in flight finish (a proxy restart cuts none of them),
   * closes what is left after 10 s.
   */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void learnListener(io.vertx.core.http.HttpConnection connection) {
    if (listener.get() == null && connection instanceof io.vertx.core.net.impl.ConnectionBase c && c.channel().parent() != null) {
      listener.compareAndSet(null, c.channel().parent());
    }
  }

  /**
   * Closes the listening socket only: the kernel hands new connections to the other process on the
   * port (SO_REUSEPORT); the connections this one accepted stay open. Vert.x closes the listener
   * only together with the connections (its shutdown closes every idle one at once), so this
   * reaches Netty's server channel through the connection that was accepted on it. Without one
   * (no client ever connected) the server's shutdown closes the listener later.
   */
  Future<Void> stopAccepting() {
    io.netty.channel.Channel channel = listener.get();
    if (channel == null || !channel.isOpen()) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    channel.close().addListener(f -> closed.complete());
    return closed.future();
  }

  int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
