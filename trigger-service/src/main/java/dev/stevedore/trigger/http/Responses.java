package dev.stevedore.trigger.http;

import dev.stevedore.common.resilience.VertxCircuitBreaker;
import dev.stevedore.common.runtime.Problems;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** How every answer of the trigger looks: JSON bodies, problem documents for refusals. */
final class Responses {
  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** The same bytes and headers for an unknown path and for a wrong secret URL token. */
  static void notFound(RoutingContext ctx) {
    Problems.send(ctx, 404, "not found");
  }

  /** Kafka did not acknowledge in time, or the circuit is open: 503 with Retry-After, never a hang. */
  static void unavailable(RoutingContext ctx, Throwable cause, CircuitBreaker breaker, int retryAfterSeconds) {
    int retryAfter = retryAfterSeconds;
    String reason = "Kafka did not acknowledge the request; retry later";
    if (cause instanceof java.io.UncheckedIOException) {
      reason = "the schedule could not be stored; retry later";
    } else if (VertxCircuitBreaker.isOpen(cause)) {
      long waitMs = breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
      retryAfter = (int) Math.max(1, (waitMs + 999) / 1000);
      reason = "Kafka is unreachable (circuit open); retry later";
    }
    ctx.response().putHeader("Retry-After", String.valueOf(retryAfter));
    Problems.send(ctx, 503, reason);
  }
}
