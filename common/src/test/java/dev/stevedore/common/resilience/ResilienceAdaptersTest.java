package dev.stevedore.common.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResilienceAdaptersTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static <T> Future<T> await(Future<T> f) throws Exception {
    f.toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(10, TimeUnit.SECONDS);
    return f;
  }

  @Test
  void anOpenBreakerFailsFastWithoutCallingOut() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.of("dep", CircuitBreakerConfig.custom()
        .slidingWindowSize(2).minimumNumberOfCalls(2).failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofMinutes(1)).build());
    AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      Future<String> f = await(VertxCircuitBreaker.guard(breaker, () -> {
        calls.incrementAndGet();
        return Future.failedFuture(new IllegalStateException("down"));
      }));
      assertThat(f.failed()).isTrue();
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    Future<String> refused = await(VertxCircuitBreaker.guard(breaker, () -> {
      calls.incrementAndGet();
      return Future.succeededFuture("x");
    }));
    assertThat(refused.cause()).isInstanceOf(CallNotPermittedException.class);
    assertThat(VertxCircuitBreaker.isOpen(refused.cause())).isTrue();
    assertThat(calls).hasValue(2);
  }

  @Test
  void aClosedBreakerPassesResultsThroughAndCountsThem() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("ok");
    Future<String> f = await(VertxCircuitBreaker.guard(breaker, () -> Future.succeededFuture("fine")));
    assertThat(f.result()).isEqualTo("fine");
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
  }

  @Test
  void retryReschedulesOnTimersUntilSuccess() throws Exception {
    Retry retry = Retry.of("r", RetryConfig.custom().maxAttempts(4).waitDuration(Duration.ofMillis(20)).build());
    AtomicInteger attempts = new AtomicInteger();
    Future<Integer> f = await(VertxRetry.retry(vertx, retry, () -> attempts.incrementAndGet() < 3
        ? Future.failedFuture(new IllegalStateException("flaky")) : Future.succeededFuture(attempts.get())));
    assertThat(f.result()).isEqualTo(3);
  }

  @Test
  void retryGivesUpWithTheLastFailure() throws Exception {
    Retry retry = Retry.of("r", RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(10)).build());
    AtomicInteger attempts = new AtomicInteger();
    Future<Integer> f = await(VertxRetry.retry(vertx, retry, () -> {
      attempts.incrementAndGet();
      return Future.failedFuture(new IllegalStateException("attempt " + attempts.get()));
    }));
    assertThat(f.cause()).hasMessage("attempt 3");
    assertThat(attempts).hasValue(3);
  }
}
