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

  int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
