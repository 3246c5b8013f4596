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
  private final ConnectionLimits limits;
  private HttpServer server;

  /** {@code classify}: the service's own failures as problems (null: not one of them; a 500). */
  public HttpServerVerticle(HttpServerOptions options, Routes routes, Function<Throwable, HttpProblem> classify) {
    this(options, routes, classify, null);
  }

  /** As above, with a connection cap and a deadline for each request to arrive ({@code limits}, may be null). */
  public HttpServerVerticle(HttpServerOptions options, Routes routes, Function<Throwable, HttpProblem> classify,
      ConnectionLimits limits) {
    this.options = new HttpServerOptions(options);
    if (limits != null) {
      // Without h2c detection, a connection is handed over (and counted) when it opens, not when its
      // first bytes arrive, so a connection that sends nothing is limited too.
      this.options.setHttp2ClearTextEnabled(false);
    }
    this.routes = routes;
    this.classify = classify;
    this.limits = limits;
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
    HttpServer created = vertx.createHttpServer(options);
    created.requestHandler(limits == null ? router : limits.install(vertx, created, router));
    return created.listen().onSuccess(s -> server = s);
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
