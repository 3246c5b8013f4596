package dev.stevedore.trigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.core.ManualDeployments;
import dev.stevedore.trigger.core.RecentIds;
import dev.stevedore.trigger.core.RequestFactory;
import dev.stevedore.trigger.core.RequestSink;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.WebhookParsers;
import dev.stevedore.trigger.schedule.ScheduleTimer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trigger's routes and guards over a loopback server, with a sink in place of Kafka: what each
 * refusal answers (status, problem document, headers) and that nothing is published for it.
 */
class TriggerRoutesTest {
  static final String HOOK_TOKEN = "hook-token-0123456789abcdef";
  static final String DEPLOYER = "deployer-token-0123456789";
  static final String VIEWER = "viewer-token-0123456789ab";
  static final String DEPLOY = "{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\",\"reason\":\"r\"}";

  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final List<DeployRequested> sent = new CopyOnWriteArrayList<>();
  /** When set, publishes never complete (Kafka does not acknowledge). */
  volatile boolean brokerSilent;
  /** The JDK's client, a connection per request: Vert.x's client once hung on an answer sent before the body was read. */
  final java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build();
  int port;

  @BeforeEach
  void start() throws Exception {
    TriggerConfig config = new TriggerConfig("t", null, new KafkaSettings("127.0.0.1:1", "t", 0, 0, 0, Map.of()),
        null, null,
        List.of(new TriggerConfig.GenericHook("ci", HOOK_TOKEN, null, List.of(), List.of())),
        null, null, null,
        new TriggerConfig.Api(List.of(
            new TriggerConfig.ApiToken("alice", DEPLOYER, List.of(TriggerConfig.Role.DEPLOYER)),
            new TriggerConfig.ApiToken("bob", VIEWER, List.of(TriggerConfig.Role.VIEWER)))),
        null, new TriggerConfig.Limits(1024, 5, 0, 300, 0, 7), null);
    RequestSink sink = (request, options) -> {
      sent.add(request);
      return brokerSilent ? Promise.<Void>promise().future() : Future.succeededFuture();
    };
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("kafka");
    TriggerMetrics metrics = new TriggerMetrics(new SimpleMeterRegistry(), breaker);
    Submitter submitter = new Submitter(new RequestFactory(new RequestSigner(Ed25519Keys.generate(), new EventCodec())::sign,
        "t", Clock.systemUTC()), sink, new RecentIds(100), metrics, config.limits().publishTimeoutMs());
    ScheduleTimer timer = dev.stevedore.trigger.schedule.MemoryScheduleLog.timer(dir, 3_600_000, 10, s -> Future.failedFuture("not here"), Clock.systemUTC());
    vertx.deployVerticle(timer).await(10, TimeUnit.SECONDS);
    TriggerRoutes routes = new TriggerRoutes(config, new GenericHooks(config.generic(), 300, Clock.systemUTC()),
        new WebhookParsers(null, null), submitter,
        new ManualDeployments(submitter, timer.service(), Optional.empty(), Clock.systemUTC()), timer.service(),
        metrics, breaker, Clock.systemUTC());
    HttpServerVerticle http = new HttpServerVerticle(HttpServerVerticle.publicApi("127.0.0.1", 0),
        (v, router) -> routes.accept(router), e -> null);
    vertx.deployVerticle(http).await(10, TimeUnit.SECONDS);
    port = http.port();
    // A connection per request: after an early 413 the server may close the connection it answered on.
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  record Answer(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  Answer call(HttpMethod method, String path, Map<String, String> headers, String body) throws Exception {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + port + path))
        .timeout(java.time.Duration.ofSeconds(10))
        .method(method.name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    java.net.http.HttpResponse<String> r = client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), Map.of(
        "content-type", r.headers().firstValue("content-type").orElse("null"),
        "retry-after", r.headers().firstValue("retry-after").orElse("null"),
        "www-authenticate", r.headers().firstValue("www-authenticate").orElse("null")), r.body());
  }

  Answer deploy(String token, String contentType, String body) throws Exception {
    return call(HttpMethod.POST, "/api/v1/deployments", Map.of("Authorization", "Bearer " + token,
        "Content-Type", contentType), body);
  }

  @Test
  void aManualDeployIsAcceptedOnceTheSinkAcknowledged() throws Exception {
    Answer a = deploy(DEPLOYER, "application/json", DEPLOY);
    assertThat(a.status()).isEqualTo(202);
    assertThat(a.headers().get("content-type")).isEqualTo("application/json");
    assertThat(a.json().getString("deploymentId")).isEqualTo(sent.get(0).deploymentId());
  }

  @Test
  void refusalsAreProblemDocumentsAndPublishNothing() throws Exception {
    Answer wrongType = deploy(DEPLOYER, "text/plain", DEPLOY);
    assertThat(wrongType.status()).isEqualTo(415);
    assertThat(wrongType.headers().get("content-type")).isEqualTo("application/problem+json");
    assertThat(wrongType.json().getString("title")).isEqualTo("Unsupported Media Type");

    Answer unknownField = deploy(DEPLOYER, "application/json",
        "{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\",\"reason\":\"r\",\"extra\":1}");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.json().getString("detail")).isEqualTo("unknown field 'extra'");

    Answer viewer = deploy(VIEWER, "application/json", DEPLOY);
    assertThat(viewer.status()).isEqualTo(403);
    assertThat(viewer.json().getString("detail")).isEqualTo("token bob lacks role deployer");

    Answer anonymous = call(HttpMethod.GET, "/api/v1/schedules", Map.of(), null);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.headers().get("www-authenticate")).isEqualTo("Bearer realm=\"stevedore\"");
    assertThat(anonymous.json().getString("detail")).isEqualTo("missing bearer token");
    assertThat(call(HttpMethod.GET, "/api/v1/schedules", Map.of("Authorization", "Bearer nope-nope-nope-nope"), null)
        .json().getString("detail")).isEqualTo("unknown token");

    Answer tooLarge = deploy(DEPLOYER, "application/json", "{\"reason\":\"" + "x".repeat(2000) + "\"}");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(sent).isEmpty();
  }

  @Test
  void aViewerReadsSchedules() throws Exception {
    Answer a = call(HttpMethod.GET, "/api/v1/schedules", Map.of("Authorization", "Bearer " + VIEWER), null);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().getJsonArray("schedules")).isEmpty();
    assertThat(call(HttpMethod.GET, "/api/v1/schedules/not-a-uuid", Map.of("Authorization", "Bearer " + VIEWER), null)
        .status()).isEqualTo(404);
  }

  @Test
  void aWrongSecretUrlAnswersExactlyLikeAnUnknownPath() throws Exception {
    Answer wrongToken = call(HttpMethod.POST, "/hooks/generic/not-the-token-at-all", Map.of("Content-Type",
        "application/json"), DEPLOY);
    Answer unknownPath = call(HttpMethod.POST, "/hooks/nothing-here", Map.of("Content-Type", "application/json"), DEPLOY);
    assertThat(wrongToken).isEqualTo(unknownPath);
    assertThat(wrongToken.status()).isEqualTo(404);
    // A provider without a secret has no route.
    assertThat(call(HttpMethod.POST, "/hooks/github", Map.of("Content-Type", "application/json"), "{}"))
        .isEqualTo(unknownPath);
  }

  @Test
  void beyondTheRateASourceGets429WithRetryAfter() throws Exception {
    String path = "/hooks/generic/" + HOOK_TOKEN;
    // 5 per second: among 50 quick requests some exceed it, whichever second they fall in.
    Answer last = null;
    for (int i = 0; i < 50 && (last == null || last.status() != 429); i++) {
      last = call(HttpMethod.POST, path, Map.of("Content-Type", "text/plain"), "x");
    }
    assertThat(last.status()).isEqualTo(429);
    assertThat(last.headers().get("retry-after")).isEqualTo("1");
    assertThat(last.json().getString("detail")).isEqualTo("rate limit of source generic:ci exceeded");
  }

  @Test
  void aBrokerThatDoesNotAcknowledgeIsA503WithRetryAfter() throws Exception {
    brokerSilent = true;
    Answer a = call(HttpMethod.POST, "/hooks/generic/" + HOOK_TOKEN, Map.of("Content-Type", "application/json"),
        "{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\"}");
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.headers().get("retry-after")).isEqualTo("7");
    assertThat(a.json().getString("detail")).isEqualTo("Kafka did not acknowledge the request; retry later");
  }
}
