package dev.stevedore.common.runtime;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error answers of every Stevedore HTTP API: RFC 9457 problem details,
 * {@code application/problem+json} with {@code type} ({@code about:blank}: the status says it all),
 * {@code title} (the status's reason phrase), {@code status} and {@code detail} (why, safe to show).
 */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";
  /** Context key: the path a failure's log line shows instead of the request's (which may hold a secret). */
  public static final String LOG_PATH = "stevedore.logPath";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  /**
   * A first handler for routes whose path holds a secret (a token in the URL): a failure's log line
   * then shows {@code pattern} (e.g. {@code /hooks/generic/{token}}), never the request's path.
   */
  public static Handler<RoutingContext> logPathAs(String pattern) {
    return ctx -> {
      ctx.put(LOG_PATH, pattern);
      ctx.next();
    };
  }

  /** The problem document for {@code status} and {@code detail}. */
  public static JsonObject body(int status, String detail) {
    return new JsonObject()
        .put("type", "about:blank")
        .put("title", HttpResponseStatus.valueOf(status).reasonPhrase())
        .put("status", status)
        .put("detail", detail);
  }

  /** Answers with a problem document, unless an answer was already sent. */
  public static void send(RoutingContext ctx, int status, String detail) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", CONTENT_TYPE).end(body(status, detail).encode());
  }

  /** Answers with the problem's status, detail and headers. */
  public static void send(RoutingContext ctx, HttpProblem problem) {
    if (ctx.response().ended()) {
      return;
    }
    problem.headers().forEach((k, v) -> ctx.response().putHeader(k, v));
    send(ctx, problem.status(), problem.detail());
  }

  /**
   * Answers every failure of {@code router}, and its unknown paths (404) and methods (405), with
   * problem documents; {@code classify} as in {@link #failureHandler(Function)}.
   */
  public static void install(Router router, Function<Throwable, HttpProblem> classify) {
    Handler<RoutingContext> handler = failureHandler(classify);
    router.route().failureHandler(handler);
    router.errorHandler(404, handler);
    router.errorHandler(405, handler);
  }

  /** The failure handler with no service-specific failures: see {@link #failureHandler(Function)}. */
  public static Handler<RoutingContext> failureHandler() {
    return failureHandler(e -> null);
  }

  /**
   * The one failure handler: an {@link HttpProblem} is answered as it is; {@code classify} may turn
   * a service's own failures into problems (null: not one of its own); a status without an
   * exception (413 from the body handler, 404, 405) gets its reason; anything else is a 500 with a
   * log line and no detail about the cause.
   */
  public static Handler<RoutingContext> failureHandler(Function<Throwable, HttpProblem> classify) {
    return ctx -> {
      Throwable failure = ctx.failure();
      HttpProblem problem = failure instanceof HttpProblem p ? p : failure == null ? null : classify.apply(failure);
      if (problem == null && failure instanceof HttpPostRequestDecoder.ErrorDataDecoderException) {
        // a form body (application/x-www-form-urlencoded) the request decoder could not read: the client's fault
        problem = HttpProblem.badRequest("malformed form body");
      }
      if (problem == null && failure == null) {
        int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
        problem = HttpProblem.of(status, detailOf(status));
      }
      if (problem == null) {
        String path = ctx.get(LOG_PATH);
        LOG.error("request {} {} failed", ctx.request().method(), path != null ? path : ctx.normalizedPath(), failure);
        problem = HttpProblem.of(500, "internal error");
      }
      if (ctx.response().headWritten()) {
        ctx.response().reset();
        return;
      }
      send(ctx, problem);
    };
  }

  private static String detailOf(int status) {
    return switch (status) {
      case 400 -> "bad request";
      case 404 -> "not found";
      case 405 -> "method not allowed";
      case 413 -> "body larger than the limit";
      default -> status >= 500 ? "internal error" : "request failed";
    };
  }
}
