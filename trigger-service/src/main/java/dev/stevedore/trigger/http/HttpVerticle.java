package dev.stevedore.trigger.http;

import dev.stevedore.common.ops.OpsRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP boundary: ops endpoints, webhooks and the API on one server. */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private final String host;
  private final int port;
  private final OpsRoutes ops;
  private final List<Consumer<Router>> routes;
  private HttpServer server;

  public HttpVerticle(String host, int port, OpsRoutes ops, List<Consumer<Router>> routes) {
    this.host = host;
    this.port = port;
    this.ops = ops;
    this.routes = List.copyOf(routes);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    ops.mount(router);
    routes.forEach(r -> r.accept(router));
    router.route().failureHandler(HttpVerticle::failure);
    router.errorHandler(404, Responses::notFound);
    router.errorHandler(405, ctx -> Responses.json(ctx, 405, new JsonObject().put("error", "method not allowed")));
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

  /** Failures raised by handlers (body too large, a bug): JSON, and a log line for a 500. */
  private static void failure(RoutingContext ctx) {
    int status = ctx.statusCode() < 0 ? 500 : ctx.statusCode();
    String reason = switch (status) {
      case 413 -> "body larger than the limit";
      case 400 -> "bad request";
      case 404 -> "not found";
      default -> "internal error";
    };
    if (status == 404) {
      Responses.notFound(ctx);
      return;
    }
    if (status >= 500) {
      LOG.error("request {} {} failed", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
    }
    Responses.json(ctx, status, new JsonObject().put("error", reason));
  }
}
