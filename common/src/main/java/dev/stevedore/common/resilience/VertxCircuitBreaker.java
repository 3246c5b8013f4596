package dev.stevedore.common.resilience;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Resilience4j circuit breaker around a Vert.x future. While the breaker is open the call is
 * not made and the future fails at once with {@link CallNotPermittedException}.
 */
public final class VertxCircuitBreaker {
  private VertxCircuitBreaker() {}

  public static <T> Future<T> guard(CircuitBreaker breaker, Supplier<Future<T>> call) {
    if (!breaker.tryAcquirePermission()) {
      return Future.failedFuture(CallNotPermittedException.createCallNotPermittedException(breaker));
    }
    long start = breaker.getCurrentTimestamp();
    Future<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), e);
      return Future.failedFuture(e);
    }
    return future.andThen(ar -> {
      long elapsed = breaker.getCurrentTimestamp() - start;
      TimeUnit unit = breaker.getTimestampUnit();
      if (ar.succeeded()) {
        breaker.onResult(elapsed, unit, ar.result());
      } else {
        breaker.onError(elapsed, unit, ar.cause());
      }
    });
  }

  /** True when the failure is the breaker refusing the call rather than the call failing. */
  public static boolean isOpen(Throwable failure) {
    return failure instanceof CallNotPermittedException;
  }
}
