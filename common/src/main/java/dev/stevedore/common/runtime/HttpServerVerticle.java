package dev.stevedore.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Function;

/**
 * The HTTP boundary of every Stevedore service: one router with the service's routes, answering
 * every failure, unknown path and wrong method with a problem document ({@link Problems}), on one
 * server. Deploy several instances with the same port to spread requests over event loops.
 */
public final class HttpServerVerticle extends VerticleBase {
  /** Mounts a service's routes; {@code vertx} is the instance the routes run on. */
  @FunctionalInterface
  public interface Routes {
    void mount(Vertx vertx, Router router);
  }

  private final HttpServerOptions options;
  private final Routes routes;
  private final Function<Throwable, HttpProblem> classify;
  private HttpServer server;

  /** {@code classify}: the service's own failures as problems (null: not one of them; a 500). */
  public HttpServerVerticle(HttpServerOptions options, Routes routes, Function<Throwable, HttpProblem> classify) {
    this.options = new HttpServerOptions(options);
    this.routes = routes;
    this.classify = classify;
  }

  /** The limits the public APIs share: request line 8 KiB (414 beyond), headers 16 KiB (431 beyond). */
  public static HttpServerOptions publicApi(String host, int port) {
    return new HttpServerOptions().setHost(host).setPort(port)
        .setMaxInitialLineLength(8 * 1024).setMaxHeaderSize(16 * 1024);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    routes.mount(vertx, router);
    Problems.install(router, classify);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
  }

  /** The bound port (useful with port 0); -1 before the server listens. */
  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
