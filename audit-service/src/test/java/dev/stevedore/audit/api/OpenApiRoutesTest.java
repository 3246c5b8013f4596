package dev.stevedore.audit.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.BearerGuard;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.runtime.JsonMappers;
import dev.stevedore.common.runtime.OpenApiRoute;
import dev.stevedore.testing.OpenApiCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit's OpenAPI document and its router describe the same API: every route
 * {@link ApiRoutes} registers is an operation of the document and every operation is a route (the
 * dashboard, mounted beside them under /ui, is a browser UI and not described); the document is a
 * valid OpenAPI 3.1 contract and is what the port serves without a token. The answers themselves
 * are checked in every IT through {@code AuditHarness.get}.
 */
class OpenApiRoutesTest {
  final Vertx vertx = Vertx.vertx();
  Router router;
  int port;

  @BeforeEach
  void start() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // No store: the routes are only listed and the document fetched, no query runs.
    QueryHandlers handlers = new QueryHandlers(null, new AuditConfig.Api(0, 0, 0), JsonMappers.responses(),
        Clock.systemUTC());
    ApiRoutes routes = new ApiRoutes(handlers, BearerGuard.of(Map.of("reader-token-0123456789", "reader")),
        new OpsRoutes(List.of(), registry), registry);
    HttpServerVerticle http = new HttpServerVerticle(HttpServerVerticle.publicApi("127.0.0.1", 0), (v, r) -> {
      routes.mount(v, r);
      router = r;
    }, ApiRoutes::classify);
    vertx.deployVerticle(http).await(10, TimeUnit.SECONDS);
    port = http.port();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void everyRouteIsAnOperationOfTheDocumentAndEveryOperationARoute() throws Exception {
    OpenApiCheck openApi = OpenApiCheck.load(vertx, ApiRoutes.OPENAPI);
    Set<String> routes = OpenApiCheck.routes(router);
    assertThat(routes).as("what the router answers").contains("GET /api/v1/deployments/{id}",
        "GET /api/v1/services/{service}/history", "GET /metrics", "GET /openapi.yaml");
    assertThat(openApi.operations()).as("operations of %s", ApiRoutes.OPENAPI).isEqualTo(routes);
  }

  @Test
  void theDocumentIsServedWithoutAToken() throws Exception {
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + OpenApiRoute.PATH)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/yaml");
    assertThat(r.body()).isEqualTo(OpenApiRoute.read(ApiRoutes.OPENAPI).getBytes());
    // The API itself still wants one.
    HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/api/v1/hosts")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(401);
    OpenApiCheck openApi = OpenApiCheck.load(vertx, ApiRoutes.OPENAPI);
    assertThat(openApi.check("GET", "/api/v1/hosts", Map.of(), null, false, api.statusCode(),
        api.headers().firstValue("content-type").orElse(null), api.body())).isEmpty();
    assertThat(openApi.check("GET", OpenApiRoute.PATH, Map.of(), null, true, r.statusCode(),
        r.headers().firstValue("content-type").orElse(null), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)))
        .isEmpty();
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(openApi.check("GET", "/metrics", Map.of(), null, true, metrics.statusCode(),
        metrics.headers().firstValue("content-type").orElse(null), metrics.body())).isEmpty();
    // And the check is not a rubber stamp: a problem where the document promises JSON, a wrong
    // status, a body of the wrong shape are all found.
    assertThat(openApi.check("GET", "/api/v1/hosts", Map.of(), null, false, 200, "application/problem+json",
        api.body())).isNotEmpty();
    assertThat(openApi.check("GET", "/api/v1/hosts", Map.of(), null, false, 200, "application/json",
        "{\"items\":[{\"stale\":\"no\"}]}")).isNotEmpty();
    assertThat(openApi.check("GET", "/health/ready", Map.of(), null, false, 204, "application/json", ""))
        .isNotEmpty(); // an undocumented status falls to the default, a problem document
    assertThat(openApi.check("GET", "/api/v1/hosts?limit=0", Map.of(), null, true, 200, "application/json",
        "{\"items\":[]}")).isNotEmpty();
  }
}
