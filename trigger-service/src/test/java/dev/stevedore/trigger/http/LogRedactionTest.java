package dev.stevedore.trigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.runtime.Problems;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.core.ManualDeployments;
import dev.stevedore.trigger.core.RecentIds;
import dev.stevedore.trigger.core.RequestFactory;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.WebhookParsers;
import dev.stevedore.trigger.schedule.ScheduleTimer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Issue #12 item 11 (trigger part): the generic hook's token is in its path; no 5xx log line shows it. */
class LogRedactionTest {
  static final String TOKEN = "secret-url-token-0123456789abcdef";

  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  final Logger problems = (Logger) LoggerFactory.getLogger(Problems.class);

  @AfterEach
  void stop() throws Exception {
    problems.detachAppender(logged);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void anInternalErrorOnTheGenericHookLogsThePathPatternNotTheToken() throws Exception {
    logged.start();
    problems.addAppender(logged);
    TriggerConfig config = new TriggerConfig("t", null, new KafkaSettings("127.0.0.1:1", "t", 0, 0, 0, Map.of()),
        null, null, List.of(new TriggerConfig.GenericHook("ci", TOKEN, null, List.of(), List.of())),
        null, null, null, null, null, null, null);
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("kafka");
    TriggerMetrics metrics = new TriggerMetrics(new SimpleMeterRegistry(), breaker);
    // A signer that fails unexpectedly: an internal error (500), logged with its stack trace.
    Submitter submitter = new Submitter(new RequestFactory(r -> {
      throw new IllegalStateException("signer broke");
    }, "t", Clock.systemUTC()), (r, options) -> Future.succeededFuture(), new RecentIds(100), metrics, 300);
    ScheduleTimer timer = dev.stevedore.trigger.schedule.MemoryScheduleLog.timer(dir, 3_600_000, 10, s -> Future.failedFuture("not here"), Clock.systemUTC());
    vertx.deployVerticle(timer).await(10, TimeUnit.SECONDS);
    TriggerRoutes routes = new TriggerRoutes(config, new GenericHooks(config.generic(), 300, Clock.systemUTC()),
        new WebhookParsers(null, null), submitter,
        new ManualDeployments(submitter, timer.service(), Optional.empty(), Clock.systemUTC()), timer.service(),
        metrics, breaker, Clock.systemUTC());
    HttpServerVerticle http = new HttpServerVerticle(HttpServerVerticle.publicApi("127.0.0.1", 0),
        (v, router) -> routes.accept(router), e -> null);
    vertx.deployVerticle(http).await(10, TimeUnit.SECONDS);

    int status = vertx.createHttpClient().request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(http.port()).setURI("/hooks/generic/" + TOKEN).putHeader("Content-Type", "application/json"))
        .compose(r -> r.send("{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\"}"))
        .map(r -> r.statusCode()).await(10, TimeUnit.SECONDS);

    assertThat(status).isEqualTo(500);
    assertThat(logged.list).isNotEmpty();
    for (ILoggingEvent e : logged.list) {
      String all = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
          : ThrowableProxyUtil.asString(e.getThrowableProxy()));
      assertThat(all).doesNotContain(TOKEN).doesNotContain("0123456789abcdef");
    }
    assertThat(logged.list.get(0).getFormattedMessage()).contains("/hooks/generic/{token}");
  }
}
