package dev.stevedore.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.deploy.DeployEvents;
import dev.stevedore.agent.deploy.DeployJob;
import dev.stevedore.agent.deploy.DesiredVersions;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the agent does with one record of the requests topic, without Kafka: the reconciler is a
 * recording fake, the verifier and the codec are the real ones. Every record ends in exactly one
 * of: desired version, skip, already runs, unblock, cancel, ignored, or dead letter; the future
 * completes only when that is durable.
 */
class RequestHandlerTest {
  private static final Map<String, String> ORIGIN = Map.of("origin-partition", "2", "origin-offset", "41");

  private final EventCodec codec = new EventCodec();
  private final KeyPair triggerKeys = Ed25519Keys.generate();
  private final RequestSigner trigger = new RequestSigner(triggerKeys, codec);
  private final AgentState state = new AgentState();
  private final List<String> calls = new ArrayList<>();
  private final List<String> deadLetters = new ArrayList<>();
  private final List<Promise<Void>> pending = new ArrayList<>();
  private boolean holds;
  private boolean deferDurability;
  private Future<Void> deadLetterAnswer = Future.succeededFuture();

  private final DesiredVersions reconciler = new DesiredVersions() {
    private Future<Void> record(String call) {
      calls.add(call);
      if (!deferDurability) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      pending.add(p);
      return p.future();
    }

    @Override
    public Future<Void> submit(DeployJob job) {
      return record("submit " + job.deploymentId() + " " + job.service() + " " + job.version() + " " + job.trigger());
    }

    @Override
    public Future<Void> alreadyRuns(DeployJob job) {
      return record("alreadyRuns " + job.deploymentId());
    }

    @Override
    public Future<Void> skip(DeployJob job, String reason) {
      return record("skip " + job.deploymentId() + ": " + reason);
    }

    @Override
    public Future<Void> unblock(VersionUnblocked unblock) {
      return record("unblock " + unblock.service() + " " + unblock.version());
    }

    @Override
    public Future<Boolean> cancel(String service, String deploymentId, String reason) {
      calls.add("cancel " + service + " " + deploymentId + ": " + reason);
      return Future.succeededFuture(true);
    }

    @Override
    public boolean holds(String deploymentId) {
      return holds;
    }
  };

  private final AgentConfig config = new AgentConfig("h1", "prod", Map.of("role", "web"), KafkaSettings.of("k:9092"),
      List.of(), "/tmp/unused", null, null, null, 0, null, 0, null, null,
      Map.of("demo", new ServiceConfig(DriverKind.COMPOSE, "/srv/demo", null, null, null, null, null, null, null, null,
          null, null, null, null, null, null)));

  private final RequestHandler handler = new RequestHandler(config, codec,
      new RequestVerifier(List.of(triggerKeys.getPublic()), codec), state, reconciler,
      (key, value, reason, origin) -> {
        deadLetters.add(reason + " | key=" + key + " | bytes=" + (value == null ? 0 : value.length) + " | " + origin);
        return deadLetterAnswer;
      }, Clock.systemUTC());

  private static DeployRequested request(String id, String service, String version, Target target) {
    return new DeployRequested("e-" + id, "stevedore://trigger/t1", Instant.now(), id, service, "prod", version, null,
        null, null, null, "manual", null, target, null, null);
  }

  private static DeployRequested request(String id, String version) {
    return request(id, "demo", version, new Target("prod", List.of("h1"), Map.of()));
  }

  private static VersionUnblocked unblock(String version, String host) {
    return new VersionUnblocked(UUID.randomUUID().toString(), "stevedore://trigger/t1", Instant.now(),
        UUID.randomUUID().toString(), "demo", "prod", version, new Target("prod", List.of(host), Map.of()), "api:alice",
        "fixed upstream", null, null);
  }

  private Future<Void> handle(StevedoreEvent event) {
    return handler.handle("prod/demo", codec.encode(event), ORIGIN);
  }

  @Test
  void aSignedRequestForThisHostBecomesTheDesiredVersionAndCompletesOnlyWhenThatIsDurable() {
    deferDurability = true;
    Future<Void> f = handle(trigger.sign(request("d1", "v2")));
    assertThat(calls).containsExactly("submit d1 demo v2 manual");
    assertThat(f.isComplete()).as("the offset waits for the state write").isFalse();
    pending.get(0).complete();
    assertThat(f.succeeded()).isTrue();
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void undecodableRecordsAreDeadLetteredAsTheyCameWithTheirOrigin() {
    byte[] huge = ("{\"x\":\"" + "a".repeat(EventCodec.MAX_EVENT_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] deep = "[".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    for (byte[] bad : List.of("not json".getBytes(StandardCharsets.UTF_8), new byte[0], huge, deep,
        "{\"specversion\":\"1.0\",\"type\":\"deploy.requested\"}".getBytes(StandardCharsets.UTF_8))) {
      assertThat(handler.handle("k", bad, ORIGIN).succeeded()).isTrue();
    }
    assertThat(deadLetters).hasSize(5).allSatisfy(d -> assertThat(d).startsWith("undecodable: ").contains("key=k")
        .contains("origin-offset=41"));
    assertThat(deadLetters.get(2)).contains("bytes=" + huge.length);
    assertThat(calls).isEmpty();
  }

  @Test
  void unsignedForgedOrTamperedRequestsAreDeadLetteredAndNothingIsDeployed() {
    DeployRequested signed = trigger.sign(request("d1", "v2"));
    DeployRequested forged = new RequestSigner(Ed25519Keys.generate(), codec).sign(request("d2", "v2"));
    DeployRequested tampered = new DeployRequested(signed.id(), signed.source(), signed.time(), signed.deploymentId(),
        signed.service(), signed.environment(), "v666", signed.commit(), signed.branch(), signed.repository(),
        signed.requestedBy(), signed.trigger(), signed.reason(), signed.target(), signed.keyId(), signed.signature(),
        signed.force());
    handle(request("d0", "v2"));
    handle(forged);
    handle(tampered);
    assertThat(deadLetters).hasSize(3);
    assertThat(deadLetters.get(0)).startsWith("unsigned request");
    assertThat(deadLetters.get(1)).startsWith("signed by untrusted key");
    assertThat(deadLetters.get(2)).startsWith("signature does not verify");
    assertThat(calls).isEmpty();
  }

  @Test
  void requestsForOtherHostsOrEnvironmentsAreIgnoredWithoutDeadLetters() {
    handle(trigger.sign(request("d1", "demo", "v2", new Target("prod", List.of("h2"), Map.of()))));
    handle(trigger.sign(request("d2", "demo", "v2", new Target("prod", List.of(), Map.of("role", "db")))));
    handle(trigger.sign(request("d3", "demo", "v2", new Target("staging", List.of("h1"), Map.of()))));
    assertThat(calls).isEmpty();
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void aRedeliveryIsADuplicateAndChangesNothing() {
    holds = true;
    assertThat(handle(trigger.sign(request("d1", "v2"))).succeeded()).isTrue();
    assertThat(calls).isEmpty();
  }

  @Test
  void aHostileVersionOrAnUnmanagedServiceNamedForThisHostIsSkippedWithTheReason() {
    handle(trigger.sign(request("d1", "$(id)")));
    handle(trigger.sign(request("d2", "other", "v2", new Target("prod", List.of("h1"), Map.of()))));
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).startsWith("skip d1: rejected: version must be a tag");
    assertThat(calls.get(1)).isEqualTo("skip d2: service other is not managed by this agent");
  }

  @Test
  void theVersionThatRunsIsNotDeployedAgain() {
    state.service("demo").current = new AgentState.Release("v2", "sha256:i", "r/demo:v2", null);
    handle(trigger.sign(request("d1", "v2")));
    assertThat(calls).containsExactly("alreadyRuns d1");
  }

  @Test
  void aSignedCancellationWithdrawsTheWaitingVersionAnUnsignedOneIsDeadLettered() {
    handle(trigger.sign(new DeployCancelled("c1", "stevedore://trigger/t1", Instant.now(), "d1", "demo", "prod",
        "api:bob", "window")));
    handle(trigger.sign(new DeployCancelled("c2", "stevedore://trigger/t1", Instant.now(), "d2", "demo", "prod",
        null, null)));
    assertThat(calls).containsExactly("cancel demo d1: cancelled by api:bob: window",
        "cancel demo d2: cancelled by the trigger");
    // write access to the topic is not enough: unsigned, or for another environment, changes nothing
    handle(new DeployCancelled("c3", "stevedore://trigger/t1", Instant.now(), "d3", "demo", "prod", null, null));
    handle(trigger.sign(new DeployCancelled("c4", "stevedore://trigger/t1", Instant.now(), "d4", "demo", "staging",
        null, null)));
    assertThat(calls).hasSize(2);
    assertThat(deadLetters).hasSize(1);
  }

  @Test
  void aSignedUnblockForThisHostIsPassedOnOthersAreNot() {
    handle(trigger.sign(unblock("v2", "h1")));
    handle(trigger.sign(unblock("v2", "h2")));
    handle(unblock("v2", "h1"));
    assertThat(calls).containsExactly("unblock demo v2");
    assertThat(deadLetters).hasSize(1);
    assertThat(deadLetters.get(0)).startsWith("unsigned request");
  }

  @Test
  void anAgentEventOnTheRequestsTopicIsDeadLettered() {
    DeployEvents events = new DeployEvents("h1", Clock.systemUTC());
    handle(events.started(new DeployJob("d1", "demo", "prod", "v2", Instant.now(), "api", "stevedore://agent/h1"), "v1",
        "default"));
    assertThat(deadLetters).singleElement().asString().startsWith("unexpected event type deploy.started on the requests topic");
    assertThat(calls).isEmpty();
  }

  @Test
  void aDeadLetterThatCannotBeSentFailsTheRecordSoItsOffsetIsNotCommitted() {
    deadLetterAnswer = Future.failedFuture("dead-letter topic unreachable");
    Future<Void> f = handler.handle("k", "not json".getBytes(StandardCharsets.UTF_8), ORIGIN);
    assertThat(f.failed()).isTrue();
    assertThat(f.cause()).hasMessage("dead-letter topic unreachable");
  }
}
