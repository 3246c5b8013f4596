package dev.stevedore.agent.driver;

import dev.stevedore.agent.config.BlueGreenConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * The edge proxy's admin endpoint, as the blue-green driver sees it: which colour serves, how many
 * requests are in flight per colour, and the atomic switch. Any failure (refused, timeout, a
 * status other than 200) is a failed future: the driver turns it into an environment failure.
 */
public final class ProxyAdmin {
  private static final long TIMEOUT_MS = 3_000;

  /** What the proxy serves: {@code colour} and {@code port} are null before its first switch. */
  public record View(String colour, Integer port, long generation, Map<String, Long> inFlight) {
    public long inFlight(String c) {
      return inFlight.getOrDefault(c, 0L);
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final BlueGreenConfig config;

  public ProxyAdmin(Vertx vertx, WebClient client, BlueGreenConfig config) {
    this.vertx = vertx;
    this.client = client;
    this.config = config;
  }

  public Future<View> state() {
    return token().compose(t -> client.getAbs(config.adminUrl() + "/state").bearerTokenAuthentication(t)
        .timeout(TIMEOUT_MS).send()).map(ProxyAdmin::view);
  }

  /** Points new requests at {@code colour}; answers the state after the switch (already saved by the proxy). */
  public Future<View> switchTo(String colour, int port) {
    return token().compose(t -> client.putAbs(config.adminUrl() + "/upstream").bearerTokenAuthentication(t)
        .timeout(TIMEOUT_MS).sendJsonObject(new JsonObject().put("colour", colour).put("port", port)))
        .map(ProxyAdmin::view);
  }

  private Future<String> token() {
    if (config.adminToken() != null && !config.adminToken().isBlank()) {
      return Future.succeededFuture(config.adminToken());
    }
    return vertx.fileSystem().readFile(config.adminTokenPath()).map(b -> b.toString().strip());
  }

  private static View view(HttpResponse<Buffer> r) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException("the edge proxy answered HTTP " + r.statusCode()
          + (r.statusCode() == 401 ? " (wrong admin token)" : ""));
    }
    JsonObject o = r.bodyAsJsonObject();
    Map<String, Long> inFlight = new TreeMap<>();
    JsonObject f = o.getJsonObject("inFlight", new JsonObject());
    f.fieldNames().forEach(k -> inFlight.put(k, f.getLong(k)));
    return new View(o.getString("colour"), o.getInteger("port"), o.getLong("generation", 0L), Map.copyOf(inFlight));
  }
}
