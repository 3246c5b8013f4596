package dev.stevedore.trigger.http;

import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.Problems;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Consumer;

/** The HTTP boundary: ops endpoints, webhooks and the API on one server. */
public final class HttpVerticle extends VerticleBase {
  private final String host;
  private final int port;
  private final OpsRoutes ops;
  private final Consumer<Router> routes;
  private HttpServer server;

  public HttpVerticle(String host, int port, OpsRoutes ops, Consumer<Router> routes) {
    this.host = host;
    this.port = port;
    this.ops = ops;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    ops.mount(router);
    routes.accept(router);
    // Body too large (413), unknown paths (404, the same bytes as a wrong secret URL token), a bug (500).
    Problems.install(router, e -> null);
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
            .setMaxHeaderSize(16 * 1024).setMaxInitialLineLength(8 * 1024)
            .setIdleTimeout(60)) // a connection that sends nothing for 60 s is closed (slow clients)
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
