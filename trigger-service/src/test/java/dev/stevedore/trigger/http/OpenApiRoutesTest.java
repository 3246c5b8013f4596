package dev.stevedore.trigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.runtime.OpenApiRoute;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.testing.OpenApiCheck;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.core.ManualDeployments;
import dev.stevedore.trigger.core.RecentIds;
import dev.stevedore.trigger.core.RequestFactory;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.BranchRules;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.GitHubHooks;
import dev.stevedore.trigger.hooks.GitLabHooks;
import dev.stevedore.trigger.hooks.WebhookParsers;
import dev.stevedore.trigger.schedule.ScheduleTimer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trigger's OpenAPI document and its router describe the same API: every route the webhook
 * port registers (with every provider configured) is an operation of the document and every
 * operation is a route; the document is a valid OpenAPI 3.1 contract and is what the port serves.
 * The answers themselves are checked in every IT through {@code TestTrigger}.
 */
class OpenApiRoutesTest {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  Router router;
  int port;

  @BeforeEach
  void start() throws Exception {
    TriggerConfig config = new TriggerConfig("t", null, new KafkaSettings("127.0.0.1:1", "t", 0, 0, 0, Map.of()),
        null, null, List.of(new TriggerConfig.GenericHook("ci", "hook-token-0123456789abcdef", null, List.of(), List.of())),
        null, null, null, new TriggerConfig.Api(List.of()), null, new TriggerConfig.Limits(1024, 5, 0, 300, 0, 7), null);
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("kafka");
    TriggerMetrics metrics = new TriggerMetrics(new SimpleMeterRegistry(), breaker);
    Submitter submitter = new Submitter(new RequestFactory(new RequestSigner(Ed25519Keys.generate(), new EventCodec())::sign,
        "t", Clock.systemUTC()), (request, options) -> Future.succeededFuture(), new RecentIds(100), metrics, 1000);
    ScheduleTimer timer = dev.stevedore.trigger.schedule.MemoryScheduleLog.timer(dir, 3_600_000, 10,
        s -> Future.failedFuture("not here"), Clock.systemUTC());
    vertx.deployVerticle(timer).await(10, TimeUnit.SECONDS);
    BranchRules rules = new BranchRules(List.of());
    TriggerRoutes routes = new TriggerRoutes(config, new GenericHooks(config.generic(), 300, Clock.systemUTC()),
        new WebhookParsers(new GitHubHooks("github-secret", rules, List.of()), new GitLabHooks("gitlab-token", rules)),
        submitter, new ManualDeployments(submitter, timer.service(), Optional.empty(), Clock.systemUTC()), timer.service(),
        metrics, breaker, Clock.systemUTC());
    OpsRoutes ops = new OpsRoutes(List.of(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    // As TriggerService mounts the webhook port: liveness, then the trigger's routes.
    HttpServerVerticle http = new HttpServerVerticle(HttpServerVerticle.publicApi("127.0.0.1", 0), (v, r) -> {
      ops.mountLive(r);
      routes.accept(r);
      router = r;
    }, e -> null);
    vertx.deployVerticle(http).await(10, TimeUnit.SECONDS);
    port = http.port();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void everyRouteIsAnOperationOfTheDocumentAndEveryOperationARoute() throws Exception {
    OpenApiCheck openApi = OpenApiCheck.load(vertx, TriggerRoutes.OPENAPI);
    Set<String> routes = OpenApiCheck.routes(router);
    assertThat(routes).as("what the router answers").contains("POST /hooks/github", "POST /api/v1/deployments",
        "DELETE /api/v1/blocks/{environment}/{service}/{version}", "POST /api/v1/rollouts/{id}/abort");
    assertThat(openApi.operations()).as("operations of %s", TriggerRoutes.OPENAPI).isEqualTo(routes);
  }

  @Test
  void theWebhookPortServesTheDocument() throws Exception {
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + OpenApiRoute.PATH)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/yaml");
    assertThat(r.body()).isEqualTo(OpenApiRoute.read(TriggerRoutes.OPENAPI).getBytes());
    assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("openapi: 3.1.0");
  }
}
