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
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.BranchRules;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.GitHubHooks;
import dev.stevedore.trigger.hooks.Hmac;
import dev.stevedore.trigger.hooks.WebhookParsers;
import dev.stevedore.trigger.schedule.ScheduleTimer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
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
 * Issue #12 item 8: unauthenticated floods never spend the budget of authenticated traffic. The
 * attacker speaks from 127.0.0.2, "GitHub" from 127.0.0.1 (both loopback).
 */
class FloodGuardsTest {
  static final String SECRET = "github-secret-0123456789";
  static final String HOOK_TOKEN = "hook-token-0123456789abcdef";
  static final String PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\","
      + "\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"octocat\"}}";

  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final List<DeployRequested> sent = new CopyOnWriteArrayList<>();
  HttpClient github;
  HttpClient attacker;
  int port;

  @BeforeEach
  void start() throws Exception {
    TriggerConfig config = new TriggerConfig("t", null, new KafkaSettings("127.0.0.1:1", "t", 0, 0, 0, Map.of()),
        null, null, List.of(new TriggerConfig.GenericHook("ci", HOOK_TOKEN, null, List.of(), List.of())),
        new TriggerConfig.GitHub(SECRET), null,
        List.of(new TriggerConfig.Repository("acme/web", List.of("web"), null, null)), null,
        null, new TriggerConfig.Limits(1024, 5, 0, 300, 0, 7, 10), null);
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("kafka");
    TriggerMetrics metrics = new TriggerMetrics(new SimpleMeterRegistry(), breaker);
    Submitter submitter = new Submitter(new RequestFactory(new RequestSigner(Ed25519Keys.generate(), new EventCodec())::sign,
        "t", Clock.systemUTC()), (r, options) -> {
          sent.add(r);
          return Future.succeededFuture();
        }, new RecentIds(100), metrics, 300);
    ScheduleTimer timer = dev.stevedore.trigger.schedule.MemoryScheduleLog.timer(dir, 3_600_000, 10, s -> Future.failedFuture("not here"), Clock.systemUTC());
    vertx.deployVerticle(timer).await(10, TimeUnit.SECONDS);
    TriggerRoutes routes = new TriggerRoutes(config, new GenericHooks(config.generic(), 300, Clock.systemUTC()),
        new WebhookParsers(new GitHubHooks(SECRET, new BranchRules(config.repositories())), null), submitter,
        new ManualDeployments(submitter, timer.service(), Optional.empty(), Clock.systemUTC()), timer.service(),
        metrics, breaker, Clock.systemUTC());
    HttpServerVerticle http = new HttpServerVerticle(HttpServerVerticle.publicApi("127.0.0.1", 0),
        (v, router) -> routes.accept(router), e -> null);
    vertx.deployVerticle(http).await(10, TimeUnit.SECONDS);
    port = http.port();
    github = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setLocalAddress("127.0.0.1"));
    attacker = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setLocalAddress("127.0.0.2"));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  record Answer(int status, String retryAfter, JsonObject body) {}

  Answer post(HttpClient client, String path, Map<String, String> headers, String body) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("Content-Type", "application/json");
    headers.forEach(options::putHeader);
    return client.request(options).compose(r -> r.send(body))
        .compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.getHeader("Retry-After"), new JsonObject(b))))
        .await(10, TimeUnit.SECONDS);
  }

  Answer push(HttpClient client, String signature, String delivery) throws Exception {
    return post(client, "/hooks/github", Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", delivery,
        "X-Hub-Signature-256", signature), PUSH);
  }

  @Test
  void anUnsignedFloodDoesNotSpendTheRateOfSignedDeliveries() throws Exception {
    String wrong = Hmac.header("not-the-secret-at-all", PUSH.getBytes(StandardCharsets.UTF_8));
    Answer last = null;
    for (int i = 0; i < 40; i++) {
      last = push(attacker, wrong, "d-" + i);
    }
    // The first 10 failures were verified (401); then the address is refused before verification.
    assertThat(last.status()).isEqualTo(429);
    assertThat(last.body().getString("detail")).isEqualTo("too many failed attempts from this address");
    assertThat(Integer.parseInt(last.retryAfter())).isBetween(1, 60);

    Answer real = push(github, Hmac.header(SECRET, PUSH.getBytes(StandardCharsets.UTF_8)), "real-1");
    assertThat(real.status()).isEqualTo(202);
    assertThat(sent).hasSize(1);
  }

  @Test
  void wrongSecretUrlsAreLimitedPerAddress() throws Exception {
    String deploy = "{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\"}";
    for (int i = 0; i < 10; i++) {
      assertThat(post(attacker, "/hooks/generic/guess-" + i + "-0123456789abcdef", Map.of(), deploy).status())
          .isEqualTo(404);
    }
    assertThat(post(attacker, "/hooks/generic/guess-x-0123456789abcdef", Map.of(), deploy).status()).isEqualTo(429);
    // Another address is not affected; the right token there still deploys.
    assertThat(post(github, "/hooks/generic/" + HOOK_TOKEN, Map.of(), deploy).status()).isEqualTo(202);
  }

  @Test
  void theSourceRateCountsOnlyAuthenticatedRequests() throws Exception {
    String signature = Hmac.header(SECRET, PUSH.getBytes(StandardCharsets.UTF_8));
    Answer last = null;
    for (int i = 0; i < 50 && (last == null || last.status() != 429); i++) {
      last = push(github, signature, "same-" + i);
    }
    assertThat(last.status()).isEqualTo(429);
    assertThat(last.body().getString("detail")).isEqualTo("rate limit of source github exceeded");
    assertThat(last.retryAfter()).isEqualTo("1");
  }
}
