package dev.stevedore.trigger.http;

import dev.stevedore.common.resilience.VertxCircuitBreaker;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.runtime.Problems;
import dev.stevedore.trigger.core.TriggerMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every trigger route shares, each written once: the metric label of the request, the rate
 * limit per source (429), the content type (415), and how an answer is sent (a {@link Reply}, a
 * problem for an {@link HttpProblem}, 503 with {@code Retry-After} for anything else: Kafka did
 * not acknowledge, the circuit is open, the schedule journal failed).
 */
final class Guards {
  private static final String METRIC = "stevedore.metric";
  private static final Logger LOG = LoggerFactory.getLogger(Guards.class);

  private final RateLimits rateLimits;
  private final FailureBudget failures;
  private final TriggerMetrics metrics;
  private final CircuitBreaker breaker;
  private final int retryAfterSeconds;

  Guards(RateLimits rateLimits, FailureBudget failures, TriggerMetrics metrics, CircuitBreaker breaker,
      int retryAfterSeconds) {
    this.rateLimits = rateLimits;
    this.failures = failures;
    this.metrics = metrics;
    this.breaker = breaker;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Labels the request in the metrics ({@code github}, {@code gitlab}, {@code generic}, {@code api}). */
  Handler<RoutingContext> metric(String label) {
    return ctx -> {
      ctx.put(METRIC, label);
      ctx.next();
    };
  }

  /**
   * The W3C trace context of the request ({@code traceparent}, {@code tracestate}), read strictly;
   * a wrong header is ignored (counted, logged at debug without its value), never an error.
   */
  Optional<TraceContext> trace(RoutingContext ctx) {
    var headers = ctx.request().headers();
    var reading = TraceContext.read(
        headers.getAll(TraceContext.TRACEPARENT),
        headers.getAll(TraceContext.TRACESTATE));
    String source = label(ctx);
    if (reading instanceof TraceContext.Reading.Invalid bad) {
      metrics.traceHeader(source, "ignored");
      LOG.debug("{} request: traceparent ignored ({})", source, bad.why());
    } else if (reading instanceof TraceContext.Reading.Valid ok) {
      metrics.traceHeader(source, "taken");
      ok.droppedTracestate().ifPresent(why -> {
        metrics.traceHeader(source, "tracestate-dropped");
        LOG.debug("{} request: tracestate dropped ({})", source, why);
      });
    }
    return reading.taken();
  }

  /** The rate limit of a fixed source. */
  Handler<RoutingContext> rateLimit(String source) {
    return ctx -> {
      if (withinRate(ctx, source)) {
        ctx.next();
      }
    };
  }

  /**
   * Before any authentication: an address that used its budget of failed attempts gets 429 without
   * its request being read or verified; for any other, an answer of 401 counts as one failure.
   */
  Handler<RoutingContext> failureBudget() {
    return ctx -> {
      String address = address(ctx);
      if (!failures.allows(address)) {
        ctx.response().putHeader("Retry-After", String.valueOf(failures.retryAfterSeconds(address)));
        refuse(ctx, HttpProblem.of(429, "too many failed attempts from this address"));
        return;
      }
      ctx.addHeadersEndHandler(v -> {
        if (ctx.response().getStatusCode() == 401) {
          failures.fail(address);
        }
      });
      ctx.next();
    };
  }

  /** Counts a failed attempt that is not answered with 401 (a wrong secret URL answers 404). */
  void failed(RoutingContext ctx) {
    failures.fail(address(ctx));
  }

  /** After authentication: the rate limit of {@code source}, as a 429 problem to throw. */
  void requireRate(String source) {
    if (!rateLimits.tryAcquire(source)) {
      throw HttpProblem.of(429, "rate limit of source " + source + " exceeded")
          .withHeader("Retry-After", String.valueOf(rateLimits.retryAfterSeconds()));
    }
  }

  private static String address(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }

  /** True when {@code source} may make one more request now; else answers 429 and returns false. */
  boolean withinRate(RoutingContext ctx, String source) {
    if (rateLimits.tryAcquire(source)) {
      return true;
    }
    ctx.response().putHeader("Retry-After", String.valueOf(rateLimits.retryAfterSeconds()));
    refuse(ctx, HttpProblem.of(429, "rate limit of source " + source + " exceeded"));
    return false;
  }

  /** Requires {@code Content-Type: application/json}; with {@code emptyAllowed}, a request without a body passes too. */
  Handler<RoutingContext> json(boolean emptyAllowed) {
    return contentType(emptyAllowed, List.of("application/json"));
  }

  /** Requires one of {@code types} (base type, parameters ignored); with {@code emptyAllowed}, a request without a body passes too. */
  Handler<RoutingContext> contentType(boolean emptyAllowed, List<String> types) {
    String refusal = "content type must be " + String.join(" or ", types);
    return ctx -> {
      String type = ctx.request().getHeader("content-type");
      String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      String length = ctx.request().getHeader("content-length");
      boolean empty = "0".equals(length) || (length == null && ctx.request().getHeader("transfer-encoding") == null);
      if (types.contains(base) || (emptyAllowed && empty)) {
        ctx.next();
      } else {
        refuse(ctx, HttpProblem.of(415, refusal));
      }
    };
  }

  /** Answers with a problem and counts it under its status. */
  void refuse(RoutingContext ctx, HttpProblem problem) {
    metrics.request(label(ctx), String.valueOf(problem.status()));
    Problems.send(ctx, problem);
  }

  /** Runs {@code action} and answers with its outcome; a thrown {@link HttpProblem} is a refusal. */
  void answer(RoutingContext ctx, Supplier<Future<Reply>> action) {
    Future<Reply> reply;
    try {
      reply = action.get();
    } catch (HttpProblem problem) {
      reply = Future.failedFuture(problem);
    }
    reply.onComplete(ar -> {
      if (ar.succeeded()) {
        metrics.request(label(ctx), ar.result().outcome());
        Responses.json(ctx, ar.result().status(), ar.result().body());
      } else if (ar.cause() instanceof HttpProblem problem) {
        refuse(ctx, problem);
      } else {
        metrics.request(label(ctx), "503");
        unavailable(ctx, ar.cause());
      }
    });
  }

  /** 503 with Retry-After: the breaker's own wait when it is open, else the configured one. */
  private void unavailable(RoutingContext ctx, Throwable cause) {
    int retryAfter = retryAfterSeconds;
    String detail = "Kafka did not acknowledge the request; retry later";
    if (cause instanceof java.io.UncheckedIOException) {
      detail = "the schedule could not be stored; retry later";
    } else if (VertxCircuitBreaker.isOpen(cause)) {
      long waitMs = breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
      retryAfter = (int) Math.max(1, (waitMs + 999) / 1000);
      detail = "Kafka is unreachable (circuit open); retry later";
    }
    ctx.response().putHeader("Retry-After", String.valueOf(retryAfter));
    Problems.send(ctx, 503, detail);
  }

  private static String label(RoutingContext ctx) {
    String label = ctx.get(METRIC);
    return label == null ? "unknown" : label;
  }
}
