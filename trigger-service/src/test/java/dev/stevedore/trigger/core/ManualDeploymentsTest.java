package dev.stevedore.trigger.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import dev.stevedore.trigger.history.DeploymentHistory;
import dev.stevedore.trigger.schedule.ScheduleTimer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manual API's use cases over a real schedule journal and a sink that records what it gets. */
class ManualDeploymentsTest {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final List<DeployRequested> sent = new CopyOnWriteArrayList<>();
  final KeyPair keys = Ed25519Keys.generate();
  Submitter submitter;
  ScheduleTimer timer;

  @BeforeEach
  void start() throws Exception {
    submitter = new Submitter(new RequestFactory(new RequestSigner(keys, new EventCodec())::sign,
        "t1", Clock.systemUTC()), (request, options) -> {
          sent.add(request);
          return Future.succeededFuture();
        }, new RecentIds(100), new TriggerMetrics(new SimpleMeterRegistry(), CircuitBreaker.ofDefaults("k")), 1000);
    // A tick an hour long: nothing fires while the test runs.
    timer = dev.stevedore.trigger.schedule.MemoryScheduleLog.timer(dir, 3_600_000, 10, s -> Future.failedFuture("not in this test"), Clock.systemUTC());
    vertx.deployVerticle(timer).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  ManualDeployments deployments(Optional<DeploymentHistory> history) {
    return new ManualDeployments(submitter, timer.service(), history, Clock.systemUTC());
  }

  static DeployRequest request(Optional<Instant> notBefore) {
    return new DeployRequest("web", "prod", "v2", "because", notBefore);
  }

  @Test
  void deploysNowWithAnIdFromTheCallerAndItsKeyAndSaysDuplicateTheSecondTime() throws Exception {
    ManualDeployments d = deployments(Optional.empty());
    ManualDeployments.Accepted first = d.deploy("alice", "key-1", request(Optional.empty())).await(5, TimeUnit.SECONDS);
    ManualDeployments.Accepted again = d.deploy("alice", "key-1", request(Optional.empty())).await(5, TimeUnit.SECONDS);
    assertThat(first.deploymentId()).isEqualTo(DeploymentIds.of("manual:alice", "key-1"));
    assertThat(first.duplicate()).isFalse();
    assertThat(first.schedule()).isEmpty();
    assertThat(again.duplicate()).isTrue();
    assertThat(sent).singleElement().satisfies(r -> {
      assertThat(r.trigger()).isEqualTo("manual");
      assertThat(r.requestedBy()).isEqualTo("api:alice");
      assertThat(r.reason()).isEqualTo("because");
    });
  }

  @Test
  void aForcedDeployIsSignedWithForceAndAPlainOneWithout() throws Exception {
    ManualDeployments d = deployments(Optional.empty());
    d.deploy("alice", "forced", new DeployRequest("web", "prod", "v2", "re-run", Optional.empty(), true))
        .await(5, TimeUnit.SECONDS);
    d.deploy("alice", "plain", request(Optional.empty())).await(5, TimeUnit.SECONDS);
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).force()).isTrue();
    assertThat(sent.get(1).force()).isNull();
    // The flag is inside the signed form: dropping it breaks the signature.
    RequestVerifier verifier = new RequestVerifier(List.of(keys.getPublic()), new EventCodec());
    assertThat(verifier.verifies(sent.get(0))).isTrue();
    DeployRequested stripped = new DeployRequested(sent.get(0).id(), sent.get(0).source(), sent.get(0).time(),
        sent.get(0).deploymentId(), "web", "prod", "v2", null, null, null, sent.get(0).requestedBy(), "manual",
        "re-run", null, sent.get(0).keyId(), sent.get(0).signature());
    assertThat(verifier.rejection(stripped)).isEqualTo("signature does not verify");
  }

  @Test
  void anUnblockIsSignedForTheEnvironmentOrTheNamedHostsAndPublished() throws Exception {
    List<VersionUnblocked> unblocks = new CopyOnWriteArrayList<>();
    Unblocks publisher = new Unblocks(new RequestSigner(keys, new EventCodec())::sign, u -> {
      unblocks.add(u);
      return Future.succeededFuture();
    }, "t1", Clock.systemUTC(), 1000);
    ManualDeployments d = new ManualDeployments(submitter, timer.service(), Optional.empty(), Clock.systemUTC(),
        Optional.of(publisher));
    Unblocks.Lifted lifted = d.unblock("alice", "key-9",
        new UnblockRequest("prod", "web", "v2", "image rebuilt", List.of("web-1"))).await(5, TimeUnit.SECONDS);
    assertThat(lifted.unblockId()).isEqualTo(DeploymentIds.of("unblock:alice", "key-9"));
    assertThat(unblocks).singleElement().satisfies(u -> {
      assertThat(u.target().hosts()).containsExactly("web-1");
      assertThat(u.target().environment()).isEqualTo("prod");
      assertThat(u.requestedBy()).isEqualTo("api:alice");
      assertThat(u.reason()).isEqualTo("image rebuilt");
      assertThat(u.partitionKey()).isEqualTo("prod/web");
      assertThat(new RequestVerifier(List.of(keys.getPublic()), new EventCodec()).verifies(u)).isTrue();
    });
    assertThat(sent).as("no deploy request").isEmpty();
    HttpProblem none = (HttpProblem) deployments(Optional.empty())
        .unblock("alice", "k", new UnblockRequest("prod", "web", "v2", "x", List.of())).cause();
    assertThat(none.status()).isEqualTo(501);
  }

  @Test
  void aCancellationIsSignedForTheServiceAndEnvironmentOfTheVerifiedRequestAndPublished() throws Exception {
    List<DeployCancelled> cancels = new CopyOnWriteArrayList<>();
    Cancellations publisher = new Cancellations(new RequestSigner(keys, new EventCodec())::sign, c -> {
      cancels.add(c);
      return Future.succeededFuture();
    }, "t1", Clock.systemUTC(), 1000);
    DeploymentHistory history = new DeploymentHistory(10, 100);
    ManualDeployments d = new ManualDeployments(submitter, timer.service(), Optional.of(history), Clock.systemUTC(),
        Optional.empty(), Optional.of(publisher));
    String unknown = "8f2b7a52-6d4e-4a51-9a38-1d2e3f4a5b6c";
    assertThat(status(d.cancel("alice", "k", new CancelRequest(unknown, Optional.empty())))).isEqualTo(404);
    assertThat(cancels).isEmpty();

    ManualDeployments.Accepted deployed = d.deploy("alice", "key-1", request(Optional.empty())).await(5, TimeUnit.SECONDS);
    history.requested(sent.get(0));
    Cancellations.Cancelled c = d.cancel("bob", "key-2", new CancelRequest(deployed.deploymentId(),
        Optional.of("wrong build"))).await(5, TimeUnit.SECONDS);
    assertThat(c.deploymentId()).isEqualTo(deployed.deploymentId());
    assertThat(cancels).singleElement().satisfies(x -> {
      assertThat(x.deploymentId()).isEqualTo(deployed.deploymentId());
      assertThat(x.service()).isEqualTo("web");
      assertThat(x.environment()).isEqualTo("prod");
      assertThat(x.partitionKey()).isEqualTo(sent.get(0).partitionKey());
      assertThat(x.requestedBy()).isEqualTo("api:bob");
      assertThat(x.reason()).isEqualTo("wrong build");
      assertThat(x.id()).isEqualTo(c.cancellationId());
      assertThat(new RequestVerifier(List.of(keys.getPublic()), new EventCodec()).rejection(x)).isNull();
    });
    assertThat(status(deployments(Optional.empty()).cancel("alice", "k",
        new CancelRequest(deployed.deploymentId(), Optional.empty())))).isEqualTo(501);
  }

  @Test
  void aLaterNotBeforeIsHeldNotPublished() throws Exception {
    ManualDeployments.Accepted held = deployments(Optional.empty())
        .deploy("alice", "key-2", request(Optional.of(Instant.now().plusSeconds(3600)))).await(5, TimeUnit.SECONDS);
    assertThat(held.schedule()).hasValueSatisfying(s -> assertThat(s.pending()).isTrue());
    assertThat(timer.service().pending().await(5, TimeUnit.SECONDS)).extracting(s -> s.id())
        .containsExactly(held.deploymentId());
    assertThat(sent).isEmpty();
  }

  @Test
  void aNotBeforeInThePastIsPublishedNow() throws Exception {
    deployments(Optional.empty()).deploy("alice", "key-3", request(Optional.of(Instant.now().minusSeconds(60))))
        .await(5, TimeUnit.SECONDS);
    assertThat(sent).hasSize(1);
  }

  @Test
  void rollbackNeedsHistoryAKnownDeploymentAndAnEarlierSuccess() {
    String unknown = "8f2b7a52-6d4e-4a51-9a38-1d2e3f4a5b6c";
    assertThat(status(deployments(Optional.empty()).rollback("alice", "k",
        new RollbackRequest(unknown, Optional.empty())))).isEqualTo(501);
    assertThat(status(deployments(Optional.of(new DeploymentHistory(10, 100))).rollback("alice", "k",
        new RollbackRequest(unknown, Optional.empty())))).isEqualTo(404);
    assertThat(sent).isEmpty();
  }

  private static int status(Future<?> f) {
    try {
      f.await(5, TimeUnit.SECONDS);
    } catch (HttpProblem p) {
      return p.status();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no problem raised");
  }
}
