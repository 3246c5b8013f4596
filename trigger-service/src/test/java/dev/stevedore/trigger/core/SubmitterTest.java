package dev.stevedore.trigger.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubmitterTest {
  final Vertx vertx = Vertx.vertx();
  final KeyPair keys = Ed25519Keys.generate();
  final List<DeployRequested> sent = new ArrayList<>();
  final List<Promise<Void>> pending = new ArrayList<>();
  boolean hold;

  /** A sink that records what it gets; held requests wait for the test to complete them. */
  final RequestSink sink = (request, options) -> {
    synchronized (sent) {
      sent.add(request);
    }
    if (hold) {
      Promise<Void> p = Promise.promise();
      pending.add(p);
      return p.future();
    }
    return Future.succeededFuture();
  };

  Submitter submitter(long timeoutMs) {
    return new Submitter(new RequestFactory(new RequestSigner(keys, new EventCodec())::sign, "t1", Clock.systemUTC()),
        sink, new RecentIds(100), new TriggerMetrics(new SimpleMeterRegistry(), CircuitBreaker.ofDefaults("k")), timeoutMs);
  }

  static DeployIntent intent(String id) {
    return new DeployIntent(DeployIntent.Trigger.MANUAL, id, "web", "prod", "v1", null, null, null, "me", "why");
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void publishesASignedRequestOnceAndThenSaysDuplicate() throws Exception {
    Submitter s = submitter(1000);
    var first = s.submit(List.of(intent("11111111-1111-5111-8111-111111111111"))).await(5, TimeUnit.SECONDS);
    var second = s.submit(List.of(intent("11111111-1111-5111-8111-111111111111"))).await(5, TimeUnit.SECONDS);
    assertThat(first.get(0).duplicate()).isFalse();
    assertThat(second.get(0).duplicate()).isTrue();
    assertThat(sent).hasSize(1);
    assertThat(new RequestVerifier(List.of(keys.getPublic()), new EventCodec()).verifies(sent.get(0))).isTrue();
    assertThat(sent.get(0).source()).isEqualTo("stevedore://trigger/t1");
  }

  @Test
  void concurrentSameDeliveryIsPublishedOnceAndBothWaitForTheAck() throws Exception {
    hold = true;
    Submitter s = submitter(5000);
    Future<List<Submitter.Submitted>> a = s.submit(List.of(intent("22222222-2222-5222-8222-222222222222")));
    Future<List<Submitter.Submitted>> b = s.submit(List.of(intent("22222222-2222-5222-8222-222222222222")));
    assertThat(a.isComplete()).isFalse();
    assertThat(b.isComplete()).isFalse();
    pending.get(0).complete();
    assertThat(a.await(5, TimeUnit.SECONDS).get(0).duplicate()).isFalse();
    assertThat(b.await(5, TimeUnit.SECONDS).get(0).duplicate()).isTrue();
    assertThat(sent).hasSize(1);
  }

  @Test
  void aFailedPublishIsNotRememberedSoTheRetryPublishes() throws Exception {
    hold = true;
    Submitter s = submitter(5000);
    Future<List<Submitter.Submitted>> a = s.submit(List.of(intent("33333333-3333-5333-8333-333333333333")));
    pending.get(0).fail("broker down");
    Throwable failure = null;
    try {
      a.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      failure = e;
    }
    assertThat(failure).hasMessageContaining("broker down");
    hold = false;
    var retry = s.submit(List.of(intent("33333333-3333-5333-8333-333333333333"))).await(5, TimeUnit.SECONDS);
    assertThat(retry.get(0).duplicate()).isFalse();
    assertThat(sent).hasSize(2);
  }

  @Test
  void aRetryWhileTheTimedOutAttemptIsStillUnderWayWaitsForItAndOneThatLandsLateIsADuplicate() throws Exception {
    hold = true;
    Submitter s = submitter(200);
    String id = "55555555-5555-5555-8555-555555555555";
    Throwable first = failureOf(s.submit(List.of(intent(id))));
    assertThat(first).as("the answer gives up after 200 ms").isInstanceOf(TimeoutException.class);
    // the CI retries while the producer still retries the first send: no second copy
    Future<List<Submitter.Submitted>> retry = s.submit(List.of(intent(id)));
    assertThat(sent).hasSize(1);
    pending.get(0).complete(); // the first attempt lands after all
    assertThat(retry.await(5, TimeUnit.SECONDS).get(0).duplicate()).isTrue();
    assertThat(s.submit(List.of(intent(id))).await(5, TimeUnit.SECONDS).get(0).duplicate()).isTrue();
    assertThat(sent).hasSize(1);
  }

  @Test
  void aRetryOfAnAttemptThatFailedInDoubtPublishesOnlyIfTheHistoryReadToTheEndDoesNotKnowIt() throws Exception {
    hold = true;
    java.util.Set<String> onTopic = new java.util.HashSet<>();
    java.util.concurrent.atomic.AtomicReference<Future<Void>> readBack = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
    String[] landed = {"66666666-6666-5666-8666-666666666666"};
    Submitter s = new Submitter(new RequestFactory(new RequestSigner(keys, new EventCodec())::sign, "t1",
        Clock.systemUTC()), sink, new RecentIds(100), new TriggerMetrics(new SimpleMeterRegistry(),
        CircuitBreaker.ofDefaults("k")), 2000, onTopic::contains, ms -> {
          waits.incrementAndGet();
          Future<Void> answer = readBack.get();
          if (answer.succeeded()) {
            onTopic.add(landed[0]); // reading to the end, the history meets the first attempt's record
          }
          return answer;
        });
    String lost = "77777777-7777-5777-8777-777777777777";
    Future<List<Submitter.Submitted>> a = s.submit(List.of(intent(landed[0])));
    Future<List<Submitter.Submitted>> b = s.submit(List.of(intent(lost)));
    pending.get(0).fail(new TimeoutException("Expiring 1 record(s): 5000 ms has passed since batch creation"));
    pending.get(1).fail(new TimeoutException("Expiring 1 record(s): 5000 ms has passed since batch creation"));
    assertThat(failureOf(a)).hasMessageContaining("Expiring");
    assertThat(failureOf(b)).hasMessageContaining("Expiring");
    hold = false;
    // the history cannot say yet: another 503, nothing sent
    readBack.set(Future.failedFuture("the history has not read the requests topic to its end yet"));
    assertThat(failureOf(s.submit(List.of(intent(landed[0]))))).hasMessageContaining("not known yet");
    assertThat(sent).hasSize(2);
    // it has read to the end: the first was written by the broker after all, the second was not
    readBack.set(Future.succeededFuture());
    assertThat(s.submit(List.of(intent(landed[0]))).await(5, TimeUnit.SECONDS).get(0).duplicate()).isFalse();
    assertThat(sent).as("not sent again").hasSize(2);
    assertThat(s.submit(List.of(intent(lost))).await(5, TimeUnit.SECONDS).get(0).duplicate()).isFalse();
    assertThat(sent).hasSize(3);
    assertThat(sent.get(2).id()).as("the same event").isEqualTo(sent.get(1).id());
    assertThat(waits.get()).isEqualTo(3);
    // settled: no more waiting for either
    assertThat(s.submit(List.of(intent(lost))).await(5, TimeUnit.SECONDS).get(0).duplicate()).isTrue();
    assertThat(s.submit(List.of(intent(landed[0]))).await(5, TimeUnit.SECONDS).get(0).duplicate()).isTrue();
    assertThat(waits.get()).isEqualTo(3);
  }

  @Test
  void aPublishRefusedByTheOpenBreakerWasNeverSentSoItsRetryDoesNotWait() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("kafka");
    breaker.transitionToOpenState();
    boolean[] open = {true};
    RequestSink guarded = (request, options) -> open[0]
        ? dev.stevedore.common.resilience.VertxCircuitBreaker.guard(breaker, () -> sink.publish(request))
        : sink.publish(request);
    Submitter s = new Submitter(new RequestFactory(new RequestSigner(keys, new EventCodec())::sign, "t1",
        Clock.systemUTC()), guarded, new RecentIds(100), new TriggerMetrics(new SimpleMeterRegistry(), breaker), 2000,
        id -> false, ms -> Future.failedFuture("must not be asked"));
    String id = "88888888-8888-5888-8888-888888888888";
    assertThat(failureOf(s.submit(List.of(intent(id))))).isNotNull();
    open[0] = false;
    assertThat(s.submit(List.of(intent(id))).await(5, TimeUnit.SECONDS).get(0).duplicate()).isFalse();
    assertThat(sent).hasSize(1);
  }

  @Test
  void aRefusalDecidedBeforeAnySendIsNotInDoubtItsRetryIsRefusedAgainWithoutWaiting() throws Exception {
    RequestSink refusing = (request, options) -> Future.failedFuture(HttpProblem.of(409, "production is closed for deploys now"));
    Submitter s = new Submitter(new RequestFactory(new RequestSigner(keys, new EventCodec())::sign, "t1",
        Clock.systemUTC()), refusing, new RecentIds(100), new TriggerMetrics(new SimpleMeterRegistry(),
        CircuitBreaker.ofDefaults("k")), 2000, id -> false, ms -> Future.failedFuture("must not be asked"));
    String id = "99999999-9999-5999-8999-999999999999";
    assertThat(failureOf(s.submit(List.of(intent(id))))).hasMessageContaining("closed");
    assertThat(failureOf(s.submit(List.of(intent(id))))).as("409 again, not 'not known yet'")
        .hasMessageContaining("closed");
  }

  static Throwable failureOf(Future<?> f) {
    try {
      f.await(5, TimeUnit.SECONDS);
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void aPublishThatNeverAnswersTimesOut() throws Exception {
    hold = true;
    Submitter s = submitter(200);
    Future<List<Submitter.Submitted>> a = s.submit(List.of(intent("44444444-4444-5444-8444-444444444444")));
    Throwable cause = null;
    try {
      a.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      cause = e;
    }
    assertThat(cause).isInstanceOf(TimeoutException.class);
  }
}
