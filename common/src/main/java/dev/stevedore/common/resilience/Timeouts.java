package dev.stevedore.common.resilience;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/** A bound on how long any future may take: nothing Stevedore waits for hangs forever. */
public final class Timeouts {
  private Timeouts() {}

  public static <T> Future<T> within(Vertx vertx, Future<T> future, long millis, String what) {
    Promise<T> promise = Promise.promise();
    long timer = vertx.setTimer(millis, id ->
        promise.tryFail(new TimeoutException(what + " did not finish within " + millis + " ms")));
    future.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        promise.tryComplete(ar.result());
      } else {
        promise.tryFail(ar.cause());
      }
    });
    return promise.future();
  }
}
