package dev.stevedore.trigger.core;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Signs an event agents act on (an unblock, a cancellation) and publishes it; completes with the
 * signed event once Kafka acknowledged it, or fails after {@code timeoutMs}.
 *
 * @param signer sets key id and signature (common's {@code RequestSigner::sign})
 * @param sink publishes to the requests topic keyed {@code environment/service}; completes on acknowledgement
 */
record SignedPublisher<T>(UnaryOperator<T> signer, Function<T, Future<Void>> sink, long timeoutMs) {
  Future<T> publish(T unsigned) {
    T signed = signer.apply(unsigned);
    Future<Void> published;
    try {
      published = sink.apply(signed);
    } catch (RuntimeException e) {
      published = Future.failedFuture(e);
    }
    return published.timeout(timeoutMs, TimeUnit.MILLISECONDS).map(v -> signed);
  }
}
