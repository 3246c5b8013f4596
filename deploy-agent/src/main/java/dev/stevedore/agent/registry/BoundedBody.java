package dev.stevedore.agent.registry;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * A response body read into memory up to {@code max} bytes; a larger one fails the request with a
 * {@link RegistryAuthException} as soon as it passes the bound, without reading the rest.
 */
final class BoundedBody {
  private BoundedBody() {}

  static BodyCodec<Buffer> codec(int max, String what) {
    return () -> new Stream(max, what);
  }

  private static final class Stream implements BodyStream<Buffer> {
    private final int max;
    private final String what;
    private final Buffer body = Buffer.buffer();
    private final Promise<Buffer> result = Promise.promise();

    Stream(int max, String what) {
      this.max = max;
      this.what = what;
    }

    @Override
    public Future<Buffer> result() {
      return result.future();
    }

    @Override
    public void handle(Throwable failure) {
      result.tryFail(failure);
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (result.future().isComplete()) {
        return Future.failedFuture("closed");
      }
      if (body.length() + data.length() > max) {
        RegistryAuthException e = new RegistryAuthException(what + " is larger than " + max + " bytes");
        result.tryFail(e);
        return Future.failedFuture(e);
      }
      body.appendBuffer(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      result.tryComplete(body);
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
