package dev.stevedore.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves a service's OpenAPI description, a YAML resource in its jar, at {@value #PATH} without
 * authentication (it says what the API is, not what is in it). Read once, on a worker, at the first
 * request.
 */
public final class OpenApiRoute {
  public static final String PATH = "/openapi.yaml";
  public static final String CONTENT_TYPE = "application/yaml";

  private OpenApiRoute() {}

  /** Mounts GET {@value #PATH} answering the classpath resource {@code resource}. */
  public static void mount(Router router, String resource) {
    AtomicReference<Buffer> cached = new AtomicReference<>();
    router.get(PATH).handler(ctx -> {
      Buffer known = cached.get();
      Future<Buffer> document = known != null ? Future.succeededFuture(known)
          : ctx.vertx().executeBlocking(() -> read(resource));
      document.onSuccess(doc -> {
        cached.set(doc);
        ctx.response().putHeader("content-type", CONTENT_TYPE).putHeader("cache-control", "no-cache").end(doc);
      }).onFailure(ctx::fail);
    });
  }

  /** The resource's bytes. */
  public static Buffer read(String resource) {
    try (InputStream in = OpenApiRoute.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + resource);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
