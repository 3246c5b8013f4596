package dev.stevedore.trigger.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
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
  final RequestSink sink = request -> {
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
