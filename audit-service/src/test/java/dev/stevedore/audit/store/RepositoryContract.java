package dev.stevedore.audit.store;

import static dev.stevedore.audit.Events.deploymentId;
import static dev.stevedore.audit.Events.stored;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.Events;
import dev.stevedore.audit.dora.Dora;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionUnblocked;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The repository's behaviour, run unchanged against SQLite ({@code SqliteRepositoryTest}) and a
 * real PostgreSQL server ({@code PostgresRepositoryIT}).
 */
abstract class RepositoryContract {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  Database database;
  EventWriter writer;
  QueryRepository queries;

  /** A fresh, migrated, empty database for each test. */
  abstract Database openDatabase() throws Exception;

  @BeforeEach
  void open() throws Exception {
    database = openDatabase();
    writer = new EventWriter(database.writerDataSource(), database.dialect(), Events.CODEC.mapper(), Clock.systemUTC());
    queries = new QueryRepository(database.dataSource(), database.dialect(), Events.CODEC.mapper());
  }

  @AfterEach
  void close() throws Exception {
    database.close();
    dispose();
  }

  /** Removes what {@link #openDatabase()} made, after the database is closed. */
  void dispose() throws Exception {}

  StoreResult store(List<? extends StevedoreEvent> events) throws Exception {
    return writer.store(stored(events));
  }

  @Test
  void storesEveryEventExactlyOnceUnderRedelivery() throws Exception {
    String id = deploymentId("once");
    List<StevedoreEvent> events = Events.successfulDeployment(id, "web-1", "web", "prod", "v2", T0);

    StoreResult first = store(events);
    StoreResult again = store(events);
    List<StevedoreEvent> overlapping = new ArrayList<>(events.subList(2, 5));
    overlapping.add(Events.heartbeat("web-1", "prod", "v2", T0));
    overlapping.add(Events.heartbeat("web-1", "prod", "v2", T0)); // duplicate inside one batch
    StoreResult third = store(overlapping);

    assertThat(first.stored()).isEqualTo(5);
    assertThat(again.stored()).isZero();
    assertThat(again.duplicates()).isEqualTo(5);
    assertThat(third.stored()).isEqualTo(1);
    assertThat(third.duplicates()).isEqualTo(4);
    assertThat(queries.countEvents()).isEqualTo(6);
    assertThat(queries.verifyChain().ok()).isTrue();
    assertThat(queries.verifyChain().checked()).isEqualTo(6);
  }

  @Test
  void keepsAnEventIdCollisionWithDifferentBytesAsAConflict() throws Exception {
    String id = deploymentId("collide");
    var real = Events.succeeded(id, "web-1", "web", "prod", "v2", T0);
    // Same event id (predictable), other content: what a writer to the topic could forge.
    var forged = Events.succeeded(id, "web-1", "web", "prod", "v1-vulnerable", T0);
    var forgedAgain = Events.succeeded(id, "web-1", "web", "prod", "v0", T0);

    StoreResult first = store(List.of(real));
    StoreResult redelivered = store(List.of(real));
    StoreResult collided = store(List.of(forged, real));
    StoreResult repeated = store(List.of(forged, forgedAgain, forgedAgain));

    assertThat(first.stored()).isEqualTo(1);
    assertThat(redelivered.conflicts()).isZero();
    assertThat(redelivered.duplicates()).isEqualTo(1);
    assertThat(collided.conflicts()).isEqualTo(1);
    assertThat(collided.duplicates()).isEqualTo(1);
    assertThat(repeated.conflicts()).isEqualTo(3);
    assertThat(queries.countEvents()).isEqualTo(1);
    assertThat(queries.deployment(id).orElseThrow().hosts()).singleElement()
        .satisfies(h -> assertThat(h.version()).isEqualTo("v2"));

    List<Views.Conflict> conflicts = queries.conflicts(10);
    assertThat(conflicts).hasSize(2).allSatisfy(c -> {
      assertThat(c.eventId()).isEqualTo(real.id());
      assertThat(c.type()).isEqualTo("deploy.succeeded");
      assertThat(c.storedSeq()).isEqualTo(1L);
      assertThat(c.storedPayload()).contains("\"v2\"");
    });
    assertThat(conflicts).extracting(Views.Conflict::payload)
        .anySatisfy(p -> assertThat(p).contains("v1-vulnerable"))
        .anySatisfy(p -> assertThat(p).contains("\"v0\""));
    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).isTrue();
    assertThat(report.conflicts()).isEqualTo(2);
  }

  @Test
  void keepsUnverifiedAgentEventsFlaggedAndOutOfTheProjections() throws Exception {
    String id = deploymentId("forged");
    store(List.of(Events.requested(id, "web", "prod", "v2", T0), Events.started(id, "web-1", "web", "prod", "v2",
        T0.plusSeconds(1))));
    var forgedSuccess = Events.succeeded(id, "web-1", "web", "prod", "v2", T0.plusSeconds(2));
    var forgedHeartbeat = Events.heartbeat("web-2", "prod", "v0-vulnerable", T0.plusSeconds(3));
    writer.store(List.of(
        new StoredEvent(forgedSuccess, Events.CODEC.canonicalBytes(forgedSuccess), "unsigned"),
        new StoredEvent(forgedHeartbeat, Events.CODEC.canonicalBytes(forgedHeartbeat), "signed by untrusted key ab")));

    assertThat(queries.countEvents()).isEqualTo(4);
    assertThat(queries.deployment(id).orElseThrow().deployment().status()).isEqualTo("running");
    assertThat(queries.deployment(id).orElseThrow().timeline())
        .extracting(Views.TimelineEntry::type, Views.TimelineEntry::unverified)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("deploy.requested", null),
            org.assertj.core.groups.Tuple.tuple("deploy.started", null),
            org.assertj.core.groups.Tuple.tuple("deploy.succeeded", "unsigned"));
    assertThat(queries.hosts(null, 0, 10)).extracting(Views.Host::host).doesNotContain("web-2");
    assertThat(queries.unverified(10)).extracting(Views.UnverifiedEvent::type, Views.UnverifiedEvent::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("agent.heartbeat", "signed by untrusted key ab"),
            org.assertj.core.groups.Tuple.tuple("deploy.succeeded", "unsigned"));
    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).isTrue();
    assertThat(report.checked()).isEqualTo(4);
    assertThat(report.unverified()).isEqualTo(2);
  }

  @Test
  void identicalRedeliveriesAreNotConflicts() throws Exception {
    List<StevedoreEvent> events = Events.successfulDeployment(deploymentId("same"), "web-1", "web", "prod", "v2", T0);
    store(events);
    List<StevedoreEvent> twice = new ArrayList<>(events);
    twice.addAll(events);

    StoreResult again = store(twice);

    assertThat(again.conflicts()).isZero();
    assertThat(again.duplicates()).isEqualTo(10);
    assertThat(queries.conflicts(10)).isEmpty();
    assertThat(queries.verifyChain().conflicts()).isZero();
  }

  @Test
  void projectsADeploymentWithItsHostsAndOrderedSteps() throws Exception {
    String id = deploymentId("timeline");
    store(Events.successfulDeployment(id, "web-1", "web", "prod", "v2", T0));

    Views.DeploymentDetail d = queries.deployment(id).orElseThrow();

    assertThat(d.deployment().status()).isEqualTo("succeeded");
    assertThat(d.deployment().service()).isEqualTo("web");
    assertThat(d.deployment().environment()).isEqualTo("prod");
    assertThat(d.deployment().version()).isEqualTo("v2");
    assertThat(d.deployment().commit()).isEqualTo("c0ffeev2");
    assertThat(d.deployment().branch()).isEqualTo("main");
    assertThat(d.deployment().requestedBy()).isEqualTo("ci-bot");
    assertThat(d.deployment().trigger()).isEqualTo("generic");
    assertThat(d.deployment().requestedAt()).isEqualTo(T0.toString());
    assertThat(d.deployment().finishedAt()).isEqualTo(T0.plusSeconds(4).toString());
    assertThat(d.hosts()).singleElement().satisfies(h -> {
      assertThat(h.host()).isEqualTo("web-1");
      assertThat(h.status()).isEqualTo("succeeded");
      assertThat(h.fromVersion()).isEqualTo("v0");
      assertThat(h.steps()).extracting(Views.Step::name).containsExactly("pull", "up");
      assertThat(h.steps().get(0).ok()).isTrue();
      assertThat(h.steps().get(0).durationMs()).isEqualTo(120);
      assertThat(h.steps().get(0).exitCode()).isEqualTo(0);
      assertThat(h.steps().get(0).outputTail()).isEqualTo("pull output");
    });
    assertThat(d.timeline()).extracting(Views.TimelineEntry::type).containsExactly(
        "deploy.requested", "deploy.started", "deploy.step", "deploy.step", "deploy.succeeded");
  }

  @Test
  void aPushDeployHasNoRequestAndIsListedWithTriggerPush() throws Exception {
    String id = deploymentId("pushed");
    String source = "stevedore://agent/web-1/push";
    DeployStarted started = Events.started(id, "web-1", "web", "prod", "v2", T0);
    DeploySucceeded succeeded = Events.succeeded(id, "web-1", "web", "prod", "v2", T0.plusSeconds(3));
    // the outcome in one batch, the start in a later one: the trigger is known from either
    store(List.of(new DeploySucceeded(succeeded.id(), source, succeeded.time(), id, "web-1", "web", "prod", "v2",
        succeeded.digest(), succeeded.durationMs())));
    store(List.of(new DeployStarted(started.id(), source, started.time(), id, "web-1", "web", "prod", "v1", "v2",
        "default")));
    String other = deploymentId("not-pushed");
    store(Events.successfulDeployment(other, "web-1", "web", "prod", "v3", T0.plusSeconds(10)).subList(1, 5));

    Views.DeploymentDetail d = queries.deployment(id).orElseThrow();
    assertThat(d.deployment().trigger()).isEqualTo("push");
    assertThat(d.deployment().source()).isEqualTo(source);
    assertThat(d.deployment().status()).isEqualTo("succeeded");
    assertThat(d.deployment().requestSeen()).isFalse();
    assertThat(queries.deployment(other).orElseThrow().deployment().trigger()).isNull();
    assertThat(queries.deployment(other).orElseThrow().deployment().source()).isNull();
    assertThat(queries.deployments(new DeploymentFilter(null, null, null, null, null, null, 500, null)).items())
        .filteredOn(x -> x.id().equals(id)).singleElement()
        .satisfies(x -> assertThat(x.source()).isEqualTo(source));
  }

  @Test
  void outcomeArrivingBeforeTheRequestStillEndsInTheRightState() throws Exception {
    String id = deploymentId("reordered");
    List<StevedoreEvent> events = Events.successfulDeployment(id, "web-1", "web", "prod", "v2", T0);
    store(List.of(events.get(4), events.get(2)));
    assertThat(queries.deployment(id).orElseThrow().deployment().status()).isEqualTo("succeeded");
    store(List.of(events.get(1), events.get(0), events.get(3)));

    Views.DeploymentDetail d = queries.deployment(id).orElseThrow();
    assertThat(d.deployment().status()).isEqualTo("succeeded");
    assertThat(d.deployment().requestedAt()).isEqualTo(T0.toString());
    assertThat(d.deployment().requestSeen()).isTrue();
    assertThat(d.hosts().get(0).steps()).extracting(Views.Step::name).containsExactlyInAnyOrder("pull", "up");
  }

  @Test
  void derivesTheDeploymentStatusAcrossHosts() throws Exception {
    String running = deploymentId("running");
    String failed = deploymentId("failed");
    String rolledBack = deploymentId("rolled-back");
    String skipped = deploymentId("skipped");
    String cancelled = deploymentId("cancelled");
    String requested = deploymentId("requested");
    store(List.of(
        Events.requested(running, "web", "prod", "v2", T0),
        Events.started(running, "web-1", "web", "prod", "v2", T0),
        Events.succeeded(running, "web-2", "web", "prod", "v2", T0),
        Events.requested(failed, "web", "prod", "v3", T0),
        Events.succeeded(failed, "web-1", "web", "prod", "v3", T0),
        Events.failed(failed, "web-2", "web", "prod", "v3", T0.plusSeconds(9)),
        Events.rolledBack(rolledBack, "web-1", "web", "prod", "v4", T0),
        Events.skipped(rolledBack, "web-2", "web", "prod", "v4", T0),
        Events.skipped(skipped, "web-1", "web", "prod", "v5", T0),
        Events.requested(cancelled, "web", "prod", "v6", T0),
        Events.cancelled(cancelled, "web", "prod", T0.plusSeconds(5)),
        Events.requested(requested, "web", "prod", "v7", T0)));

    assertThat(status(running)).isEqualTo("running");
    assertThat(status(failed)).isEqualTo("failed");
    assertThat(queries.deployment(failed).orElseThrow().deployment().finishedAt()).isEqualTo(T0.plusSeconds(9).toString());
    assertThat(queries.deployment(failed).orElseThrow().hosts()).filteredOn(h -> h.host().equals("web-2"))
        .singleElement().satisfies(h -> {
          assertThat(h.failedStep()).isEqualTo("pull");
          assertThat(h.exitCode()).isEqualTo(1);
          assertThat(h.runningVersion()).isEqualTo("v0");
        });
    assertThat(status(rolledBack)).isEqualTo("rolled-back");
    assertThat(status(skipped)).isEqualTo("skipped");
    assertThat(status(cancelled)).isEqualTo("cancelled");
    assertThat(status(requested)).isEqualTo("requested");
    assertThat(queries.deployment(requested).orElseThrow().deployment().finishedAt()).isNull();
  }

  @Test
  void anUnblockIsStoredAsAnEventAndItsTraceJoinsTheDeploymentThatBlockedTheVersion() throws Exception {
    String blocking = deploymentId("blocking");
    String unblockId = deploymentId("unblock");
    store(List.of(Events.requested(blocking, "web", "prod", "broken", T0),
        Events.rolledBack(blocking, "web-1", "web", "prod", "broken", T0.plusSeconds(5))));
    VersionUnblocked unblock = new VersionUnblocked(DeploymentIds.eventId(unblockId, "trigger", "unblocked"),
        "stevedore://trigger/test", T0.plusSeconds(60), unblockId, "web", "prod", "broken", null, "api:alice",
        "image rebuilt", "k1", "c2ln");
    DeployStep trace = new DeployStep(DeploymentIds.eventId(blocking, "web-1", "unblock:" + unblock.id()),
        "stevedore://agent/web-1", T0.plusSeconds(61), blocking, "web-1", "web", "unblock", true, 0, null,
        "version broken unblocked by api:alice: image rebuilt");
    store(List.of(unblock, trace));

    assertThat(queries.deployment(unblockId)).as("no deployment runs under an unblock's id").isEmpty();
    assertThat(queries.events(0, null, null, 100)).filteredOn(e -> e.type().equals("version.unblocked"))
        .singleElement().satisfies(e -> {
          assertThat(e.deploymentId()).isEqualTo(unblockId);
          assertThat(e.service()).isEqualTo("web");
          assertThat(e.environment()).isEqualTo("prod");
          assertThat(e.payload()).contains("image rebuilt");
        });
    Views.DeploymentDetail d = queries.deployment(blocking).orElseThrow();
    assertThat(d.deployment().status()).as("a trace changes no status").isEqualTo("rolled-back");
    assertThat(d.hosts()).singleElement().satisfies(h -> {
      assertThat(h.status()).isEqualTo("rolled-back");
      assertThat(h.steps()).extracting(Views.Step::name).containsExactly("unblock");
      assertThat(h.steps().get(0).outputTail()).contains("image rebuilt");
    });
    assertThat(queries.verifyChain().ok()).isTrue();
  }

  @Test
  void outcomesKeepTheirAttemptsAndWaitingTimePerHost() throws Exception {
    String id = deploymentId("attempts");
    store(List.of(Events.requested(id, "web", "prod", "v2", T0),
        new DeploySucceeded(DeploymentIds.eventId(id, "web-1", "outcome"), "stevedore://agent/web-1",
            T0.plusSeconds(9), id, "web-1", "web", "prod", "v2", "sha256:" + "a".repeat(64), 900, 3, 4200L),
        new DeployRolledBack(DeploymentIds.eventId(id, "web-2", "outcome"), "stevedore://agent/web-2",
            T0.plusSeconds(9), id, "web-2", "web", "prod", "v2", "v1", "health-check", "unhealthy", true, 5000, 2, 0L),
        Events.skipped(id, "web-3", "web", "prod", "v2", T0.plusSeconds(1)),
        Events.failed(id, "web-4", "web", "prod", "v2", T0.plusSeconds(2))));

    Map<String, Views.HostResult> hosts = new HashMap<>();
    queries.deployment(id).orElseThrow().hosts().forEach(h -> hosts.put(h.host(), h));
    assertThat(hosts.get("web-1").attempts()).isEqualTo(3);
    assertThat(hosts.get("web-1").waitedMs()).isEqualTo(4200L);
    assertThat(hosts.get("web-2").attempts()).isEqualTo(2);
    assertThat(hosts.get("web-2").waitedMs()).isZero();
    assertThat(hosts.get("web-3").attempts()).as("a skipped outcome says nothing").isNull();
    assertThat(hosts.get("web-3").waitedMs()).isNull();
    assertThat(hosts.get("web-4").attempts()).as("an older agent's outcome says nothing").isNull();
    Views.Deployment most = queries.deployment(id).orElseThrow().deployment();
    assertThat(most.attempts()).as("the deployment shows the most any host needed").isEqualTo(3);
    assertThat(most.waitedMs()).isEqualTo(4200L);
    assertThat(queries.deployments(new DeploymentFilter(null, null, null, null, null, null, 500, null)).items())
        .filteredOn(x -> x.id().equals(id)).singleElement().satisfies(x -> {
          assertThat(x.attempts()).isEqualTo(3);
          assertThat(x.waitedMs()).isEqualTo(4200L);
        });
    assertThat(queries.deployments(new DeploymentFilter(null, null, "web-2", null, null, null, 500, null)).items())
        .as("a host's page shows that host's figures").filteredOn(x -> x.id().equals(id)).singleElement()
        .satisfies(x -> {
          assertThat(x.attempts()).isEqualTo(2);
          assertThat(x.waitedMs()).isZero();
        });

    // A redelivered outcome (same event id) is not applied twice and changes nothing.
    store(List.of(new DeploySucceeded(DeploymentIds.eventId(id, "web-1", "outcome"), "stevedore://agent/web-1",
        T0.plusSeconds(9), id, "web-1", "web", "prod", "v2", "sha256:" + "a".repeat(64), 900, 3, 4200L)));
    assertThat(queries.deployment(id).orElseThrow().hosts()).filteredOn(h -> h.host().equals("web-1"))
        .singleElement().satisfies(h -> {
          assertThat(h.attempts()).isEqualTo(3);
          assertThat(h.waitedMs()).isEqualTo(4200L);
        });
  }

  private String status(String id) throws Exception {
    return queries.deployment(id).orElseThrow().deployment().status();
  }

  @Test
  void projectsAHaltedCanaryWithItsWavesHostStatesOutcomesAndTimeline() throws Exception {
    String id = deploymentId("rollout-halted");
    List<StevedoreEvent> stream = Events.haltedCanary(id, "web", "prod", T0);
    // one event per batch, then the whole stream again: the projection is the same, stored once
    for (StevedoreEvent e : stream) {
      store(List.of(e));
    }
    assertThat(store(stream).stored()).isZero();

    Views.RolloutDetail d = queries.rollout(id).orElseThrow();
    Views.Rollout r = d.rollout();
    assertThat(r.phase()).isEqualTo("rolled-back");
    assertThat(r.version()).isEqualTo("v2");
    assertThat(r.strategy()).isEqualTo("canary");
    assertThat(r.startedAt()).isEqualTo(T0.plusMillis(10).toString());
    assertThat(r.finishedAt()).isEqualTo(T0.plusSeconds(13).toString());
    assertThat(r.blocked()).isTrue();
    assertThat(r.haltedWave()).isZero();
    assertThat(r.haltReason()).contains("failed");
    assertThat(r.requestedBy()).isEqualTo("ci-bot");
    assertThat(d.policy().get("canaryHosts").asInt()).isEqualTo(2);
    assertThat(d.unreached()).containsExactly("web-5");
    assertThat(d.waves()).hasSize(2);
    Views.RolloutWave canary = d.waves().get(0);
    assertThat(canary.canary()).isTrue();
    assertThat(canary.hosts()).containsExactly("web-1", "web-2");
    assertThat(canary.startedAt()).isEqualTo(T0.plusMillis(20).toString());
    assertThat(canary.succeeded()).containsExactly("web-2");
    assertThat(canary.failed()).containsExactly("web-1");
    assertThat(d.waves().get(1).startedAt()).isNull();
    assertThat(d.waves().get(1).hosts()).containsExactly("web-3", "web-4");
    assertThat(d.hosts()).extracting(Views.RolloutHost::host, Views.RolloutHost::wave, Views.RolloutHost::state,
            Views.RolloutHost::rollbackVersion)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("web-1", 0, "rolled-back", "v1"),
            org.assertj.core.groups.Tuple.tuple("web-2", 0, "rolled-back", "v1"),
            org.assertj.core.groups.Tuple.tuple("web-3", 1, "planned", null),
            org.assertj.core.groups.Tuple.tuple("web-4", 1, "planned", null),
            org.assertj.core.groups.Tuple.tuple("web-5", null, "unreached", null));
    Views.RolloutHost web1 = d.hosts().get(0);
    assertThat(web1.outcome().status()).isEqualTo("failed");
    assertThat(web1.outcome().deploymentId()).isEqualTo(id);
    assertThat(web1.rollbackOutcome()).isNull();
    Views.RolloutHost web2 = d.hosts().get(1);
    assertThat(web2.outcome().status()).isEqualTo("succeeded");
    assertThat(web2.rollbackOutcome().status()).isEqualTo("succeeded");
    assertThat(web2.rollbackOutcome().version()).isEqualTo("v1");
    assertThat(web2.rollbackOutcome().deploymentId()).isEqualTo(QueryRepository.rollbackDeploymentId(id, "v1"));
    assertThat(d.hosts().get(2).outcome()).isNull();
    assertThat(d.timeline()).extracting(Views.TimelineEntry::type).containsExactly("rollout.started",
        "rollout.wave-started", "rollout.wave-finished", "rollout.halted", "version.blocked", "rollout.rolled-back");
    // the deployment of the waves is the ordinary one: its status comes from the agents
    assertThat(queries.deployment(id).orElseThrow().deployment().status()).isEqualTo("failed");
    assertThat(queries.verifyChain().ok()).isTrue();
  }

  @Test
  void listsRolloutsNewestFirstByEnvironmentServiceAndPhaseAndNeverReopensAFinishedOne() throws Exception {
    String halted = deploymentId("rollout-list-halted");
    String done = deploymentId("rollout-list-done");
    String old = deploymentId("rollout-list-old");
    String forged = deploymentId("rollout-list-forged");
    List<String> hosts = List.of("api-1", "api-2");
    store(Events.haltedCanary(halted, "web", "prod", T0.plusSeconds(100)));
    store(List.of(
        Events.rolloutStarted(old, "api", "staging", "v1", List.of(hosts), List.of(), T0),
        Events.rolloutStarted(done, "api", "staging", "v2", List.of(hosts), List.of(), T0.plusSeconds(50)),
        Events.superseded(old, "api", "staging", "v1", done, "v2", T0.plusSeconds(50)),
        Events.waveStarted(done, "api", "staging", "v2", 0, hosts, T0.plusSeconds(51)),
        Events.rolloutSucceeded(done, "api", "staging", "v2", hosts, T0.plusSeconds(60))));
    // a late wave of the superseded rollout does not reopen it
    store(List.of(Events.waveStarted(old, "api", "staging", "v1", 0, hosts, T0.plusSeconds(70))));
    var forgedStart = Events.rolloutStarted(forged, "web", "prod", "v9", List.of(hosts), List.of(), T0.plusSeconds(200));
    writer.store(List.of(new StoredEvent(forgedStart, Events.CODEC.canonicalBytes(forgedStart), "trigger signature: unsigned")));

    assertThat(queries.rollouts(new RolloutFilter(null, null, null, 10)))
        .extracting(Views.Rollout::id, Views.Rollout::phase)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(halted, "rolled-back"),
            org.assertj.core.groups.Tuple.tuple(done, "succeeded"),
            org.assertj.core.groups.Tuple.tuple(old, "superseded"));
    assertThat(queries.rollouts(new RolloutFilter("staging", null, null, 10))).extracting(Views.Rollout::id)
        .containsExactly(done, old);
    assertThat(queries.rollouts(new RolloutFilter(null, "web", null, 10))).extracting(Views.Rollout::id)
        .containsExactly(halted);
    assertThat(queries.rollouts(new RolloutFilter("staging", "api", RolloutPhase.SUPERSEDED, 10)))
        .extracting(Views.Rollout::id, Views.Rollout::supersededBy)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(old, done));
    assertThat(queries.rollouts(new RolloutFilter("prod", "api", null, 10))).isEmpty();
    assertThat(queries.rollouts(new RolloutFilter(null, null, null, 2))).hasSize(2);
    Views.RolloutDetail oldOne = queries.rollout(old).orElseThrow();
    assertThat(oldOne.rollout().finishedAt()).isEqualTo(T0.plusSeconds(50).toString());
    assertThat(oldOne.timeline()).extracting(Views.TimelineEntry::type)
        .containsExactly("rollout.started", "rollout.superseded", "rollout.wave-started");
    assertThat(queries.rollout(done).orElseThrow().hosts()).extracting(Views.RolloutHost::state)
        .containsExactly("succeeded", "succeeded");
    // an unverified rollout event is stored and flagged, never projected
    assertThat(queries.rollout(forged)).isEmpty();
    assertThat(queries.unverified(10)).extracting(Views.UnverifiedEvent::type).containsExactly("rollout.started");
  }

  @Test
  void verificationDetectsAnEditedRow() throws Exception {
    store(Events.successfulDeployment(deploymentId("edit"), "web-1", "web", "prod", "v2", T0));
    assertThat(queries.verifyChain().ok()).isTrue();

    execute("UPDATE events SET payload = REPLACE(payload, 'ci-bot', 'mallory') WHERE seq = 1");

    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).isFalse();
    assertThat(report.brokenAtSeq()).isEqualTo(1);
    assertThat(report.reason()).contains("edited");
  }

  @Test
  void verificationDetectsARecomputedHashByTheNextLink() throws Exception {
    store(Events.successfulDeployment(deploymentId("rehash"), "web-1", "web", "prod", "v2", T0));
    // A forger who also recomputes the edited row's hash breaks the link to the next row.
    String edited;
    try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement();
         var rs = st.executeQuery("SELECT payload, prev_hash FROM events WHERE seq = 2")) {
      rs.next();
      edited = rs.getString(1).replace("v0", "v9");
      String hash = HashChain.next(rs.getString(2), edited.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      try (var ps = c.prepareStatement("UPDATE events SET payload = ?, hash = ? WHERE seq = 2")) {
        ps.setString(1, edited);
        ps.setString(2, hash);
        ps.executeUpdate();
      }
    }

    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).isFalse();
    assertThat(report.brokenAtSeq()).isEqualTo(3);
    assertThat(report.reason()).contains("prev_hash");
  }

  @Test
  void verificationDetectsADeletedRow() throws Exception {
    store(Events.successfulDeployment(deploymentId("delete"), "web-1", "web", "prod", "v2", T0));

    execute("DELETE FROM events WHERE seq = 3");

    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).isFalse();
    assertThat(report.brokenAtSeq()).isEqualTo(3);
    assertThat(report.checked()).isEqualTo(2);
    assertThat(report.reason()).contains("missing");
  }

  @Test
  void verificationDetectsTheLastRowDeleted() throws Exception {
    store(Events.successfulDeployment(deploymentId("tail"), "web-1", "web", "prod", "v2", T0));

    execute("DELETE FROM events WHERE seq = 5");

    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).isFalse();
    assertThat(report.reason()).contains("deleted at the end");
  }

  @Test
  void verificationDetectsAnEditedChainHead() throws Exception {
    store(Events.successfulDeployment(deploymentId("head"), "web-1", "web", "prod", "v2", T0));

    execute("UPDATE chain_head SET hash = 'forged' WHERE id = 1");

    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).isFalse();
    assertThat(report.checked()).isEqualTo(5);
    assertThat(report.reason()).contains("chain head hash");
  }

  private void execute(String sql) throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  /** 3 services x 2 environments x 2 hosts, statuses cycling, one deployment per minute. */
  private List<String> storeMatrix() throws Exception {
    List<StevedoreEvent> events = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    String[] services = {"web", "api", "worker"};
    String[] environments = {"prod", "staging"};
    int n = 0;
    for (String service : services) {
      for (String environment : environments) {
        for (int k = 0; k < 4; k++, n++) {
          String id = deploymentId("matrix-" + n);
          ids.add(id);
          Instant at = T0.plus(Duration.ofMinutes(n));
          String host = environment + "-" + (k % 2 == 0 ? "a" : "b");
          events.add(Events.requested(id, service, environment, "v" + n, at));
          events.add(Events.started(id, host, service, environment, "v" + n, at.plusSeconds(1)));
          events.add(k == 3 ? Events.failed(id, host, service, environment, "v" + n, at.plusSeconds(5))
              : Events.succeeded(id, host, service, environment, "v" + n, at.plusSeconds(5)));
        }
      }
    }
    store(events);
    return ids;
  }

  private List<String> ids(DeploymentFilter f) throws Exception {
    return queries.deployments(f).items().stream().map(Views.Deployment::id).toList();
  }

  @Test
  void filtersByEveryFieldAndTheirCombination() throws Exception {
    storeMatrix();
    DeploymentFilter all = DeploymentFilter.all(500);

    assertThat(ids(all)).hasSize(24);
    assertThat(queries.deployments(new DeploymentFilter("web", null, null, null, null, null, 500, null)).items())
        .hasSize(8).allSatisfy(d -> assertThat(d.service()).isEqualTo("web"));
    assertThat(queries.deployments(new DeploymentFilter(null, "staging", null, null, null, null, 500, null)).items())
        .hasSize(12).allSatisfy(d -> assertThat(d.environment()).isEqualTo("staging"));
    assertThat(queries.deployments(new DeploymentFilter(null, null, "prod-a", null, null, null, 500, null)).items())
        .hasSize(6).allSatisfy(d -> assertThat(d.environment()).isEqualTo("prod"));
    assertThat(queries.deployments(new DeploymentFilter(null, null, null, "failed", null, null, 500, null)).items())
        .hasSize(6).allSatisfy(d -> assertThat(d.status()).isEqualTo("failed"));
    long since = T0.plus(Duration.ofMinutes(10)).toEpochMilli();
    long until = T0.plus(Duration.ofMinutes(20)).toEpochMilli();
    assertThat(queries.deployments(new DeploymentFilter(null, null, null, null, since, null, 500, null)).items())
        .hasSize(14);
    assertThat(queries.deployments(new DeploymentFilter(null, null, null, null, null, until, 500, null)).items())
        .hasSize(20);
    assertThat(queries.deployments(new DeploymentFilter(null, null, null, null, since, until, 500, null)).items())
        .hasSize(10).allSatisfy(d -> assertThat(Instant.parse(d.requestedAt()).toEpochMilli()).isBetween(since, until - 1));
    assertThat(queries.deployments(new DeploymentFilter("api", "prod", "prod-b", "failed", null, null, 500, null)).items())
        .singleElement().satisfies(d -> assertThat(d.version()).isEqualTo("v11"));
    assertThat(queries.deployments(new DeploymentFilter("x' OR '1'='1", null, null, null, null, null, 500, null)).items())
        .isEmpty();
    List<Views.Deployment> items = queries.deployments(all).items();
    for (int i = 1; i < items.size(); i++) {
      assertThat(Instant.parse(items.get(i - 1).requestedAt())).isAfterOrEqualTo(Instant.parse(items.get(i).requestedAt()));
    }
  }

  @Test
  void paginationIsStableUnderConcurrentInserts() throws Exception {
    List<String> original = storeMatrix();
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    DeploymentFilter page = DeploymentFilter.all(5);
    ExecutorService inserter = Executors.newSingleThreadExecutor();
    int pages = 0;
    try {
      while (true) {
        Views.Page<Views.Deployment> result = queries.deployments(page);
        for (Views.Deployment d : result.items()) {
          assertThat(seen.add(d.id())).as("seen twice: %s", d.id()).isTrue();
          order.add(d.id());
        }
        int p = pages++;
        // Newer deployments keep arriving while the client pages (concurrently with the next read).
        Future<?> insert = inserter.submit(() -> {
          String id = deploymentId("late-" + p);
          store(List.of(Events.requested(id, "web", "prod", "v99", T0.plus(Duration.ofHours(1 + p)))));
          return null;
        });
        if (result.next() == null) {
          insert.get(10, TimeUnit.SECONDS);
          break;
        }
        page = page.after(result.next());
        insert.get(10, TimeUnit.SECONDS);
      }
    } finally {
      inserter.shutdownNow();
    }
    assertThat(order).containsExactlyElementsOf(reversed(original));
    assertThat(pages).isEqualTo(5);
  }

  private static List<String> reversed(List<String> ids) {
    List<String> out = new ArrayList<>(ids);
    java.util.Collections.reverse(out);
    return out;
  }

  @Test
  void hostPagesFollowTheRequestTimeEvenWhenTheRequestArrivesLast() throws Exception {
    String early = deploymentId("host-early");
    String late = deploymentId("host-late");
    // The agents report first: both deployments are first placed at their agents' times.
    store(List.of(
        Events.started(early, "web-9", "web", "prod", "v1", T0.plusSeconds(500)),
        Events.started(late, "web-9", "web", "prod", "v2", T0.plusSeconds(100))));
    // Then the requests arrive: "early" was requested first.
    store(List.of(
        Events.requested(early, "web", "prod", "v1", T0),
        Events.requested(late, "web", "prod", "v2", T0.plusSeconds(50))));

    DeploymentFilter byHost = new DeploymentFilter(null, null, "web-9", null, null, null, 1, null);
    Views.Page<Views.Deployment> first = queries.deployments(byHost);
    Views.Page<Views.Deployment> second = queries.deployments(byHost.after(first.next()));

    assertThat(first.items()).extracting(Views.Deployment::id).containsExactly(late);
    assertThat(second.items()).extracting(Views.Deployment::id).containsExactly(early);
    assertThat(second.next()).isNull();
    assertThat(queries.deployments(new DeploymentFilter(null, null, "web-9", null, null,
        T0.plusSeconds(10).toEpochMilli(), 10, null)).items()).extracting(Views.Deployment::id).containsExactly(early);
  }

  @Test
  void concurrentWritersFormOneUnbrokenChain() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<StoreResult>> results = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        results.add(pool.submit(() -> {
          StoreResult last = null;
          for (int b = 0; b < 10; b++) {
            List<StevedoreEvent> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
              // Writers overlap: every event is offered by two writers.
              int n = (writer / 2) * 100 + b * 10 + i;
              batch.add(Events.heartbeat("host-" + n, "prod", "v1", T0.plusSeconds(n)));
            }
            last = store(batch);
          }
          return last;
        }));
      }
      for (Future<StoreResult> r : results) {
        r.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(queries.countEvents()).isEqualTo(200);
    ChainReport report = queries.verifyChain();
    assertThat(report.ok()).as(report.toString()).isTrue();
    assertThat(report.headSeq()).isEqualTo(200);
  }

  @Test
  void inventoryKeepsTheLatestHeartbeatPerHostAndFlagsStaleOnes() throws Exception {
    store(List.of(
        Events.heartbeat("web-1", "prod", "v2", T0.plusSeconds(60)),
        Events.heartbeat("web-2", "prod", "v1", T0)));
    store(List.of(Events.heartbeat("web-1", "prod", "v1", T0))); // older, arrives late

    List<Views.Host> hosts = queries.hosts(null, T0.plusSeconds(30).toEpochMilli(), 100);

    assertThat(hosts).extracting(Views.Host::host).containsExactly("web-1", "web-2");
    assertThat(hosts.get(0).services()).singleElement().satisfies(s -> assertThat(s.version()).isEqualTo("v2"));
    assertThat(hosts.get(0).lastSeen()).isEqualTo(T0.plusSeconds(60).toString());
    assertThat(hosts.get(0).stale()).isFalse();
    assertThat(hosts.get(1).stale()).isTrue();
    assertThat(hosts.get(0).labels()).containsEntry("zone", "a");
    assertThat(queries.hosts("staging", 0, 100)).isEmpty();
  }

  @Test
  void aHeartbeatOfAServiceOnItsWayToAnotherVersionIsListed() throws Exception {
    // Agents report desiredVersion and waitingFor while a deployment waits (CI found /ui/data/fleet
    // answering 500: the stored entry had fields the view did not know).
    var waiting = new dev.stevedore.common.event.AgentHeartbeat("hb-w", "stevedore://agent/web-9", T0, "web-9", "prod",
        Map.of(), List.of(new dev.stevedore.common.event.AgentHeartbeat.ServiceState("web", "v1", null, "waiting", "v2",
            "waiting for registry 127.0.0.1:5000")), "ok", "0.1.0");
    store(List.of(waiting));

    assertThat(queries.hosts("prod", 0, 100)).singleElement().satisfies(h -> assertThat(h.services())
        .singleElement().satisfies(svc -> assertThat(svc.state()).isEqualTo("waiting")));
    assertThat(queries.fleetVersions("prod", 0, 100)).singleElement()
        .satisfies(f -> assertThat(f.running()).isEqualTo("v1"));
  }

  @Test
  void doraFiguresOnAKnownFixture() throws Exception {
    // web/prod: ok (10 min), failed, failed, ok (restores 30 min after the first failure), ok (20 min)
    storeDoraFixture();
    Instant t = T0;

    Dora dora = new Dora(Duration.ofDays(2));
    queries.doraRows("web", "prod", t.minus(Duration.ofDays(1)).toEpochMilli(), t.plus(Duration.ofDays(1)).toEpochMilli(), dora);
    Dora.Figures f = dora.figures("2d");

    assertThat(f.deployments()).isEqualTo(5);
    assertThat(f.succeeded()).isEqualTo(3);
    assertThat(f.failed()).isEqualTo(2);
    assertThat(f.deploymentsPerDay()).isEqualTo(1.5);
    assertThat(f.changeFailureRate()).isEqualTo(0.4);
    // lead times 10, 15, 20 minutes
    assertThat(f.leadTimeP50Ms()).isEqualTo(Duration.ofMinutes(15).toMillis());
    assertThat(f.leadTimeMeanMs()).isEqualTo(Duration.ofMinutes(15).toMillis());
    // first failure ended at 65 min, restored at 95 min
    assertThat(f.timeToRestoreP50Ms()).isEqualTo(Duration.ofMinutes(30).toMillis());
    assertThat(f.restored()).isEqualTo(1);
    assertThat(f.unrestored()).isZero();
  }

  /**
   * web/prod from T0: ok (10 min), failed, rolled back, ok (restores 30 min after the first failure
   * ended), ok (20 min); and api/prod: failed 5 minutes after T0, restored at 73 minutes by a
   * deployment requested at 72, between web's failures and web's restore.
   */
  private void storeDoraFixture() throws Exception {
    Instant t = T0;
    String a = deploymentId("d1");
    String b = deploymentId("d2");
    String c = deploymentId("d3");
    String d = deploymentId("d4");
    String e = deploymentId("d5");
    String other = deploymentId("other");
    String api2 = deploymentId("other-2");
    store(List.of(
        Events.requested(a, "web", "prod", "v1", t),
        Events.succeeded(a, "h1", "web", "prod", "v1", t.plus(Duration.ofMinutes(10))),
        Events.requested(b, "web", "prod", "v2", t.plus(Duration.ofHours(1))),
        Events.failed(b, "h1", "web", "prod", "v2", t.plus(Duration.ofMinutes(65))),
        Events.requested(c, "web", "prod", "v3", t.plus(Duration.ofMinutes(70))),
        Events.rolledBack(c, "h1", "web", "prod", "v3", t.plus(Duration.ofMinutes(75))),
        Events.requested(d, "web", "prod", "v4", t.plus(Duration.ofMinutes(80))),
        Events.succeeded(d, "h1", "web", "prod", "v4", t.plus(Duration.ofMinutes(95))),
        Events.requested(e, "web", "prod", "v5", t.plus(Duration.ofHours(3))),
        Events.succeeded(e, "h1", "web", "prod", "v5", t.plus(Duration.ofMinutes(200))),
        Events.requested(other, "api", "prod", "v1", t.plusSeconds(1)),
        Events.failed(other, "h2", "api", "prod", "v1", t.plus(Duration.ofMinutes(5))),
        Events.requested(api2, "api", "prod", "v2", t.plus(Duration.ofMinutes(72))),
        Events.succeeded(api2, "h2", "api", "prod", "v2", t.plus(Duration.ofMinutes(73)))));
  }

  @Test
  void doraSeriesPerHourOnAKnownFixtureAgreesWithTheFigures() throws Exception {
    storeDoraFixture();
    long since = T0.minus(Duration.ofMinutes(30)).toEpochMilli();
    long until = T0.plus(Duration.ofHours(4)).toEpochMilli();

    List<Views.DoraBucket> web = queries.doraSeries("web", "prod", since, until, Duration.ofHours(1).toMillis());

    // buckets aligned to whole hours: 09:00 (the range starts at 09:30) .. 13:00
    assertThat(web).extracting(Views.DoraBucket::start).containsExactly("2026-03-01T09:00:00Z",
        "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z");
    assertThat(web.get(0)).isEqualTo(new Views.DoraBucket("2026-03-01T09:00:00Z", 0, 0, 0, null, null, 0, null));
    assertThat(web.get(1)).isEqualTo(new Views.DoraBucket("2026-03-01T10:00:00Z", 1, 1, 0, 0.0,
        Duration.ofMinutes(10).toMillis(), 0, null));
    // failed, rolled back, then restored 30 minutes after the first failure ended (65 -> 95 min)
    assertThat(web.get(2)).isEqualTo(new Views.DoraBucket("2026-03-01T11:00:00Z", 3, 1, 2, 0.6667,
        Duration.ofMinutes(15).toMillis(), 1, Duration.ofMinutes(30).toMillis()));
    assertThat(web.get(3).deployments()).isZero();
    assertThat(web.get(4)).isEqualTo(new Views.DoraBucket("2026-03-01T13:00:00Z", 1, 1, 0, 0.0,
        Duration.ofMinutes(20).toMillis(), 0, null));

    // the same totals as the window's figures
    Dora dora = new Dora(Duration.ofMillis(until - since));
    queries.doraRows("web", "prod", since, until, dora);
    Dora.Figures f = dora.figures("4h30m");
    assertThat(web.stream().mapToLong(Views.DoraBucket::deployments).sum()).isEqualTo(f.deployments());
    assertThat(web.stream().mapToLong(Views.DoraBucket::succeeded).sum()).isEqualTo(f.succeeded());
    assertThat(web.stream().mapToLong(Views.DoraBucket::failed).sum()).isEqualTo(f.failed());
    assertThat(web.stream().mapToLong(Views.DoraBucket::restored).sum()).isEqualTo(f.restored());

    // unfiltered: streaks are per service and environment. api's success at 72 minutes restores api
    // (73 - 5 = 68 min) and neither ends nor splits web's streak (restored at 95: 30 min)
    List<Views.DoraBucket> all = queries.doraSeries(null, null, since, until, Duration.ofHours(1).toMillis());
    assertThat(all.get(1)).isEqualTo(new Views.DoraBucket("2026-03-01T10:00:00Z", 2, 1, 1, 0.5,
        Duration.ofMinutes(10).toMillis(), 0, null));
    assertThat(all.get(2)).isEqualTo(new Views.DoraBucket("2026-03-01T11:00:00Z", 4, 2, 2, 0.5,
        Duration.ofMinutes(8).toMillis(), 2, Duration.ofMinutes(49).toMillis()));
    assertThat(all.stream().mapToLong(Views.DoraBucket::restored).sum()).isEqualTo(2);

    // daily buckets: one bucket holds everything; a range outside the data is all zeros
    List<Views.DoraBucket> daily = queries.doraSeries("web", "prod", since, until, Duration.ofDays(1).toMillis());
    assertThat(daily).singleElement().isEqualTo(new Views.DoraBucket("2026-03-01T00:00:00Z", 5, 3, 2, 0.4,
        Duration.ofMinutes(15).toMillis(), 1, Duration.ofMinutes(30).toMillis()));
    assertThat(queries.doraSeries("web", "staging", since, until, Duration.ofHours(1).toMillis()))
        .hasSize(5).allSatisfy(b -> assertThat(b.deployments()).isZero());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> queries.doraSeries(null, null, 0,
        Duration.ofDays(60).toMillis(), Duration.ofHours(1).toMillis())).isInstanceOf(IllegalArgumentException.class);
  }

  private static dev.stevedore.common.event.AgentHeartbeat heartbeatOf(String host, String environment,
      Map<String, String> labels, Instant at, String... serviceVersions) {
    List<dev.stevedore.common.event.AgentHeartbeat.ServiceState> services = new ArrayList<>();
    for (int i = 0; i < serviceVersions.length; i += 2) {
      services.add(new dev.stevedore.common.event.AgentHeartbeat.ServiceState(serviceVersions[i],
          serviceVersions[i + 1], null, "running"));
    }
    return new dev.stevedore.common.event.AgentHeartbeat("hb-" + host + "-" + at.toEpochMilli(),
        "stevedore://agent/" + host, at, host, environment, labels, services, "idle", "0.1.0");
  }

  private static dev.stevedore.common.event.DeployRequested targeted(String id, String service, String environment,
      String version, Instant at, List<String> hosts, Map<String, String> labels) {
    return new dev.stevedore.common.event.DeployRequested(DeploymentIds.eventId(id, "-", "requested"),
        "stevedore://trigger/test", at, id, service, environment, version, null, null, null, "ops", "manual", null,
        new dev.stevedore.common.event.Target(environment, hosts, labels), null, null);
  }

  @Test
  void fleetVersionsSayWhichHostsAreBehindTheNewestRequestThatTargetsThem() throws Exception {
    Instant t = T0;
    String all = deploymentId("fleet-all-v2");
    String one = deploymentId("fleet-web1-v3");
    String zoneB = deploymentId("fleet-zone-b-v4");
    String cancelled = deploymentId("fleet-cancelled-v9");
    String rollout = deploymentId("fleet-rollout-api-v5");
    store(List.of(
        Events.requested(all, "web", "prod", "v2", t),                                     // every prod host
        targeted(one, "web", "prod", "v3", t.plusSeconds(10), List.of("web-1"), Map.of()), // web-1 only
        targeted(zoneB, "web", "prod", "v4", t.plusSeconds(20), List.of(), Map.of("zone", "b")), // no host here
        Events.requested(cancelled, "web", "prod", "v9", t.plusSeconds(30)),
        Events.cancelled(cancelled, "web", "prod", t.plusSeconds(31)),
        // an active rollout of api: wave 0 (web-1) requested, wave 1 (web-2) still planned
        targeted(rollout, "api", "prod", "v5", t.plusSeconds(40), List.of("web-1"), Map.of()),
        Events.rolloutStarted(rollout, "api", "prod", "v5", List.of(List.of("web-1"), List.of("web-2")), List.of(),
            t.plusSeconds(39)),
        Events.waveStarted(rollout, "api", "prod", "v5", 0, List.of("web-1"), t.plusSeconds(40)),
        heartbeatOf("web-1", "prod", Map.of("zone", "a"), t.plusSeconds(60), "web", "v2", "api", "v5"),
        heartbeatOf("web-2", "prod", Map.of("zone", "a"), t.plusSeconds(60), "web", "v2", "api", "v4", "db", "v1"),
        heartbeatOf("web-3", "prod", Map.of("zone", "a"), t, "web", "v1"),
        heartbeatOf("stage-1", "staging", Map.of("zone", "a"), t.plusSeconds(60), "web", "v1")));

    List<Views.FleetVersion> fleet = queries.fleetVersions(null, t.plusSeconds(30).toEpochMilli(), 100);

    assertThat(fleet).extracting(Views.FleetVersion::host, Views.FleetVersion::service, Views.FleetVersion::running,
            Views.FleetVersion::desired, Views.FleetVersion::desiredBy, Views.FleetVersion::behind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("web-1", "web", "v2", "v3", one, true),   // targeted by name
            org.assertj.core.groups.Tuple.tuple("web-1", "api", "v5", "v5", rollout, false),
            org.assertj.core.groups.Tuple.tuple("web-2", "web", "v2", "v2", all, false),  // v3, v4 not for it; v9 cancelled
            org.assertj.core.groups.Tuple.tuple("web-2", "api", "v4", "v5", rollout, true), // planned in wave 1
            org.assertj.core.groups.Tuple.tuple("web-2", "db", "v1", null, null, false),  // never requested
            org.assertj.core.groups.Tuple.tuple("web-3", "web", "v1", "v2", all, true),
            org.assertj.core.groups.Tuple.tuple("stage-1", "web", "v1", null, null, false)); // other environment
    assertThat(fleet).filteredOn(v -> v.host().equals("web-3")).singleElement().satisfies(v -> {
      assertThat(v.stale()).isTrue();
      assertThat(v.desiredAt()).isEqualTo(t.toString());
    });
    assertThat(queries.fleetVersions("staging", 0, 100)).extracting(Views.FleetVersion::host).containsExactly("stage-1");
  }

  @Test
  void exportsPagesInChainOrder() throws Exception {
    storeMatrix();
    List<Views.RawEvent> first = queries.events(0, null, null, 50);
    List<Views.RawEvent> second = queries.events(first.get(first.size() - 1).seq(), null, null, 50);

    assertThat(first).hasSize(50);
    assertThat(second).hasSize(22);
    assertThat(second.get(0).seq()).isEqualTo(51);
    assertThat(first.get(0).payload()).startsWith("{").contains("\"type\":\"deploy.requested\"");
  }

  @Test
  void exportsOnlyTheEventsOfTheTimeRange() throws Exception {
    store(Events.successfulDeployment(deploymentId("early"), "web-1", "web", "prod", "v1", T0));
    store(Events.successfulDeployment(deploymentId("late"), "web-1", "web", "prod", "v2", T0.plusSeconds(3600)));
    long half = T0.plusSeconds(1800).toEpochMilli();

    List<Views.RawEvent> late = queries.events(0, half, null, 50);
    List<Views.RawEvent> early = queries.events(0, null, half, 50);
    List<Views.RawEvent> lateAfterTwo = queries.events(late.get(1).seq(), half, null, 50);

    assertThat(late).hasSize(5).allSatisfy(e -> assertThat(e.time()).isGreaterThanOrEqualTo(half));
    assertThat(early).hasSize(5).allSatisfy(e -> assertThat(e.time()).isLessThan(half));
    assertThat(lateAfterTwo).extracting(Views.RawEvent::seq).containsExactlyElementsOf(
        late.subList(2, 5).stream().map(Views.RawEvent::seq).toList());
  }

  @Test
  void storesHostileTextVerbatimExceptNul() throws Exception {
    String id = deploymentId("hostile");
    var step = new dev.stevedore.common.event.DeployStep("step-hostile", "stevedore://agent/h", T0, id, "h",
        "web", "up'; DROP TABLE events; --", false, 5, 2, "line1\u0000line2 \uD83D\uDE00 <script>");
    store(List.of(step));

    Views.DeploymentDetail d = queries.deployment(id).orElseThrow();
    assertThat(d.hosts().get(0).steps()).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("up'; DROP TABLE events; --");
      assertThat(s.outputTail()).isEqualTo("line1\uFFFDline2 \uD83D\uDE00 <script>");
    });
    assertThat(queries.verifyChain().ok()).isTrue();
  }

  /**
   * The writer folds a batch in memory and merges it with the rows already stored; both paths
   * must give the same projections. The same stream (out of order, incomplete deployments,
   * cancellations, every outcome) is stored three times under different deployment ids: in one
   * batch, one event per batch, and in random cuts; the three projections must be identical.
   */
  @Test
  void projectionsDoNotDependOnHowTheStreamIsCutIntoBatches() throws Exception {
    Map<String, List<String>> views = new LinkedHashMap<>();
    Random cuts = new Random(11);
    for (String cut : List.of("one-batch", "singles", "random")) {
      Map<String, String> names = new HashMap<>();
      List<StevedoreEvent> stream = ProjectionStream.generate(new Random(20261126), cut, 60, names);
      if (cut.equals("one-batch")) {
        store(stream);
      } else {
        for (int i = 0; i < stream.size(); ) {
          int n = cut.equals("singles") ? 1 : 1 + cuts.nextInt(25);
          store(stream.subList(i, Math.min(stream.size(), i + n)));
          i += n;
        }
      }
      views.put(cut, projectionRows(names));
    }
    assertThat(views.get("one-batch")).hasSizeGreaterThan(150)
        .anyMatch(r -> r.contains("status=cancelled")).anyMatch(r -> r.contains("status=rolled-back"))
        .anyMatch(r -> r.contains("has_request=0")).anyMatch(r -> r.contains("status=running"));
    assertThat(views.get("singles")).containsExactlyElementsOf(views.get("one-batch"));
    assertThat(views.get("random")).containsExactlyElementsOf(views.get("one-batch"));
  }

  /** Every projection row of the named deployments, ids replaced by their names, sorted. */
  private List<String> projectionRows(Map<String, String> names) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement()) {
      for (String table : List.of("deployments", "deployment_hosts", "deployment_steps")) {
        try (var rs = st.executeQuery("SELECT * FROM " + table)) {
          var meta = rs.getMetaData();
          while (rs.next()) {
            String id = rs.getString(table.equals("deployments") ? "id" : "deployment_id");
            if (!names.containsKey(id)) {
              continue;
            }
            StringBuilder row = new StringBuilder(table);
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              String column = meta.getColumnName(i).toLowerCase(java.util.Locale.ROOT);
              if (table.equals("deployment_steps") && (column.equals("seq") || column.equals("event_id"))) {
                continue; // chain positions and ids differ between the three copies
              }
              Object value = rs.getObject(i);
              row.append(' ').append(column).append('=').append(value instanceof Number n ? n.longValue()
                  : names.getOrDefault(String.valueOf(value), String.valueOf(value)));
            }
            rows.add(row.toString());
          }
        }
      }
    }
    rows.sort(null);
    return rows;
  }
}
