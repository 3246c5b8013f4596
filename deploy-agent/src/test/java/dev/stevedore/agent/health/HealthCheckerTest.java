package dev.stevedore.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The health check against a real local HTTP server (Vert.x, loopback, ephemeral port) and a
 * container inspection given as data: which probe answers end the check at once (final), which
 * only make it probe again until the deadline, and how a probe that never answers is bounded.
 */
class HealthCheckerTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger requests = new AtomicInteger();
  /** Status codes the server answers, one per request; the last one repeats. -1: never answer. */
  private final Deque<Integer> answers = new ArrayDeque<>();
  private HttpServer server;
  private HealthChecker checker;

  @BeforeEach
  void start() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> {
      requests.incrementAndGet();
      int status;
      synchronized (answers) {
        status = answers.size() > 1 ? answers.poll() : answers.peek();
      }
      if (status >= 0) {
        req.response().setStatusCode(status).end("status " + status);
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx);
    answer(200);
    // One request first: the client's and the server's first request is slow on a loaded machine
    // (class loading, JIT), and the probes below have timeouts of 200 ms.
    client.getAbs("http://127.0.0.1:" + server.actualPort() + "/warm-up").send()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    requests.set(0);
    checker = new HealthChecker(vertx, client);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void answer(Integer... statuses) {
    synchronized (answers) {
      answers.clear();
      answers.addAll(List.of(statuses));
    }
  }

  private HealthCheckConfig http(int expected, long intervalMs, long deadlineMs) {
    return new HealthCheckConfig(HealthCheckType.HTTP, "http://127.0.0.1:" + server.actualPort() + "/health", expected,
        Duration.ofMillis(intervalMs), Duration.ofMillis(deadlineMs));
  }

  private static HealthCheckConfig container(long intervalMs, long deadlineMs) {
    return new HealthCheckConfig(HealthCheckType.CONTAINER, null, 0, Duration.ofMillis(intervalMs), Duration.ofMillis(deadlineMs));
  }

  private StepResult check(HealthCheckConfig config, Supplier<Future<Running>> container) throws Exception {
    return checker.check(config, container).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private StepResult check(HealthCheckConfig config) throws Exception {
    return check(config, () -> Future.failedFuture("no container expected"));
  }

  private static Supplier<Future<Running>> inspections(Running... seen) {
    Deque<Running> queue = new ArrayDeque<>(List.of(seen));
    return () -> Future.succeededFuture(queue.size() > 1 ? queue.poll() : queue.peek());
  }

  private static Running container(String health, String status) {
    return new Running("sha256:i", "r/demo:v2", null, health, status);
  }

  @Test
  void noneSucceedsWithoutProbing() throws Exception {
    StepResult r = check(HealthCheckConfig.none());
    assertThat(r.ok()).isTrue();
    assertThat(r.output()).isEqualTo("no health check configured");
    assertThat(requests).hasValue(0);
  }

  @Test
  void httpIsHealthyOnTheExpectedStatusAfterProbingAgainWhileItIsNot() throws Exception {
    answer(503, 503, 200);
    StepResult r = check(http(200, 20, 10_000));
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.output()).isEqualTo("healthy after 3 probe(s)");
    assertThat(requests).hasValue(3);
  }

  @Test
  void onlyTheConfiguredStatusCounts() throws Exception {
    answer(200, 200, 204);
    StepResult r = check(http(204, 20, 10_000));
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(requests).as("200 is not the expected 204").hasValue(3);
  }

  @Test
  void httpThatStaysUnhealthyFailsAtTheDeadlineAsTheVersionsFault() throws Exception {
    answer(500);
    long start = System.nanoTime();
    StepResult r = check(http(200, 250, 2_000));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.ok()).isFalse();
    assertThat(r.fault()).isEqualTo(StepResult.Fault.VERSION);
    assertThat(r.reason()).startsWith("not healthy within 2000 ms (").endsWith("probes; last: HTTP 500)");
    assertThat(r.output()).isEqualTo("last probe: HTTP 500");
    assertThat(requests.get()).as("probed again until the deadline, every 250 ms").isGreaterThan(1);
    assertThat(ms).as("ends at the deadline, not before the last interval").isGreaterThanOrEqualTo(1_750).isLessThan(15_000);
  }

  @Test
  void aServerThatNeverAnswersIsBoundedByTheProbeTimeoutAndTheDeadline() throws Exception {
    answer(-1);
    long start = System.nanoTime();
    // interval 50 ms: each probe gives up after 200 ms (4 intervals, at least 200 ms)
    StepResult r = check(http(200, 50, 900));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).startsWith("not healthy within 900 ms").contains("last: error: ")
        .contains("timeout period of 200ms");
    assertThat(requests.get()).as("each probe timed out after 200 ms").isBetween(1, 5);
    assertThat(ms).isGreaterThanOrEqualTo(650).isLessThan(15_000);
  }

  @Test
  void nothingListeningIsRetriedUntilTheDeadline() throws Exception {
    int port = server.actualPort();
    server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    StepResult r = check(new HealthCheckConfig(HealthCheckType.HTTP, "http://127.0.0.1:" + port + "/health", 200,
        Duration.ofMillis(50), Duration.ofMillis(400)));
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).startsWith("not healthy within 400 ms").contains("last: error: ");
  }

  @Test
  void containerHealthyAfterStartingAndAbsent() throws Exception {
    StepResult r = check(container(20, 10_000), inspections(Running.absent(), container("starting", "running"),
        container("healthy", "running")));
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.output()).isEqualTo("healthy after 3 probe(s)");
  }

  @Test
  void finalContainerAnswersEndTheCheckAtOnceWithoutWaitingForTheDeadline() throws Exception {
    record Case(Running seen, String reason) {}
    for (Case c : List.of(
        new Case(container("starting", "exited"), "the container is exited"),
        new Case(container("none", "running"), "the container has no healthcheck (use type http)"),
        new Case(container("unhealthy", "running"), "docker reports the container unhealthy"))) {
      AtomicInteger probes = new AtomicInteger();
      long start = System.nanoTime();
      StepResult r = check(container(20, 20_000), () -> {
        probes.incrementAndGet();
        return Future.succeededFuture(c.seen());
      });
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(r.ok()).as(c.reason()).isFalse();
      assertThat(r.reason()).isEqualTo(c.reason());
      assertThat(r.fault()).isEqualTo(StepResult.Fault.VERSION);
      assertThat(probes).as(c.reason()).hasValue(1);
      assertThat(ms).as("far from the 20 s deadline").isLessThan(5_000);
    }
  }

  @Test
  void aContainerThatStaysStartingIsRetryableUntilTheDeadline() throws Exception {
    AtomicInteger probes = new AtomicInteger();
    StepResult r = check(container(30, 400), () -> {
      probes.incrementAndGet();
      return Future.succeededFuture(container("starting", "running"));
    });
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).startsWith("not healthy within 400 ms").endsWith("last: starting)");
    assertThat(probes.get()).isGreaterThan(3);
  }

  @Test
  void aFailingInspectionIsRetriedNotFinal() throws Exception {
    AtomicInteger probes = new AtomicInteger();
    StepResult r = check(container(20, 10_000), () -> probes.incrementAndGet() < 3
        ? Future.failedFuture("docker is restarting")
        : Future.succeededFuture(container("healthy", "running")));
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(probes).hasValue(3);
  }
}
