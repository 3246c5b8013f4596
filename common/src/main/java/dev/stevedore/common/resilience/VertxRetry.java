package dev.stevedore.common.resilience;

import io.github.resilience4j.retry.Retry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * A Resilience4j retry for Vert.x futures. The wait between attempts is a Vert.x timer: no thread
 * ever sleeps. The retry's config decides which failures are retried and for how long.
 */
public final class VertxRetry {
  private VertxRetry() {}

  public static <T> Future<T> retry(Vertx vertx, Retry retry, Supplier<Future<T>> call) {
    Promise<T> promise = Promise.promise();
    attempt(vertx, retry.asyncContext(), call, promise);
    return promise.future();
  }

  private static <T> void attempt(Vertx vertx, Retry.AsyncContext<T> context, Supplier<Future<T>> call, Promise<T> promise) {
    Future<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      future = Future.failedFuture(e);
    }
    future.onComplete(ar -> {
      if (ar.succeeded()) {
        long delay = context.onResult(ar.result());
        if (delay < 1) {
          context.onComplete();
          promise.complete(ar.result());
        } else {
          vertx.setTimer(delay, id -> attempt(vertx, context, call, promise));
        }
        return;
      }
      long delay = context.onError(ar.cause());
      if (delay < 1) {
        promise.fail(ar.cause());
      } else {
        vertx.setTimer(delay, id -> attempt(vertx, context, call, promise));
      }
    });
  }
}
