package dev.stevedore.proxy.bench;

import io.vertx.core.Vertx;

/** The benchmark's app: answers {@code v1} to everything, HTTP/1.1 keep-alive. {@code KeepAliveApp <port>}. */
public final class KeepAliveApp {
  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer().requestHandler(req -> req.response().putHeader("content-type", "text/plain").end("v1"))
        .listen(Integer.parseInt(args[0]), "127.0.0.1").await();
  }
}
