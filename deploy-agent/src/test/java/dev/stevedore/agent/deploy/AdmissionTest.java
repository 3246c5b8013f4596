package dev.stevedore.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.deploy.Admission.Decision;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.kafka.KafkaSettings;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private static final Instant NOW = Instant.now();
  static final ServiceConfig WEB = new ServiceConfig(DriverKind.COMPOSE, "/srv/web", null, null, null, null, null, null, null,
      null, null, null, null, null, null, null);
  static final AgentConfig CONFIG = new AgentConfig("web-1", "prod", Map.of("role", "web"), KafkaSettings.of("k:9092"),
      List.of(), "/tmp/x", null, null, null, 0, null, 0, null, null, Map.of("web", WEB));
  private final AgentState state = new AgentState();

  static DeployRequested request(String id, String service, String version, Target target, Instant time) {
    return new DeployRequested("e-" + id, "stevedore://trigger", time, id, service, "prod", version, null, null, null,
        null, "manual", null, target, null, null);
  }

  static DeployRequested request(String id, String version) {
    return request(id, "web", version, null, Instant.now());
  }

  @Test
  void acceptsARequestForThisHost() {
    assertThat(Admission.decide(request("d1", "v2"), CONFIG, state, false, NOW)).isInstanceOf(Decision.Accept.class);
    Target labelled = new Target("prod", List.of("web-1"), Map.of("role", "web"));
    assertThat(Admission.decide(request("d1", "web", "v2", labelled, Instant.now()), CONFIG, state, false, NOW))
        .isInstanceOf(Decision.Accept.class);
  }

  @Test
  void aFreshAgentIgnoresRequestsFromBeforeItJoinedButNotRecentOnes() {
    Instant joined = NOW.minus(java.time.Duration.ofDays(3));
    state.joinedAt = joined.toString();
    Decision history = Admission.decide(request("old", "web", "v1", null, joined.minus(java.time.Duration.ofDays(6))),
        CONFIG, state, false, NOW);
    assertThat(history).isInstanceOf(Decision.Ignore.class);
    assertThat(((Decision.Ignore) history).why()).contains("predates this agent joining");
    assertThat(Admission.decide(request("recent", "web", "v2", null, joined.minusSeconds(30)),
        CONFIG, state, false, NOW)).isInstanceOf(Decision.Accept.class);
    assertThat(Admission.decide(request("new", "web", "v3", null, joined.plusSeconds(300)),
        CONFIG, state, false, NOW)).isInstanceOf(Decision.Accept.class);
  }

  @Test
  void ignoresRequestsForOtherHostsEnvironmentsAndLabels() {
    assertThat(Admission.decide(request("d1", "web", "v2", new Target("prod", List.of("web-2"), Map.of()), Instant.now()),
        CONFIG, state, false, NOW)).isInstanceOf(Decision.Ignore.class);
    assertThat(Admission.decide(request("d1", "web", "v2", new Target("prod", List.of(), Map.of("role", "db")), Instant.now()),
        CONFIG, state, false, NOW)).isInstanceOf(Decision.Ignore.class);
    assertThat(Admission.decide(request("d1", "web", "v2", Target.environment("staging"), Instant.now()), CONFIG, state, false, NOW))
        .isInstanceOf(Decision.Ignore.class);
  }

  @Test
  void refusesServicesItDoesNotManageWhenNamedExplicitly() {
    assertThat(Admission.decide(request("d1", "db", "v2", null, Instant.now()), CONFIG, state, false, NOW))
        .isInstanceOf(Decision.Ignore.class);
    Decision d = Admission.decide(request("d1", "db", "v2", new Target("prod", List.of("web-1"), Map.of()), Instant.now()),
        CONFIG, state, false, NOW);
    assertThat(d).isInstanceOf(Decision.Skip.class);
    assertThat(((Decision.Skip) d).reason()).contains("not managed");
  }

  @Test
  void treatsRedeliveriesAsDuplicates() {
    state.markProcessed("d1", 10);
    assertThat(Admission.decide(request("d1", "v2"), CONFIG, state, false, NOW)).isInstanceOf(Decision.Duplicate.class);
    assertThat(Admission.decide(request("d2", "v2"), CONFIG, state, true, NOW)).isInstanceOf(Decision.Duplicate.class);
  }

  @Test
  void rejectsHostileVersions() {
    for (String v : List.of("v1;rm -rf /", "-rf", "$(id)", "a b", "../etc", "x".repeat(200), "sha256:xyz")) {
      Decision d = Admission.decide(request("d-" + v.hashCode(), v), CONFIG, state, false, NOW);
      assertThat(d).as(v).isInstanceOf(Decision.Skip.class);
    }
    Decision digest = Admission.decide(request("d9", "sha256:" + "a".repeat(64)), CONFIG, state, false, NOW);
    assertThat(((Decision.Skip) digest).reason()).contains("imageVariable");
  }

  @Test
  void aDigestVersionIsRefusedForAGitServiceEvenWithAnImageVariable() {
    ServiceConfig site = new ServiceConfig(DriverKind.GIT, null, null, null, null, null, "IMAGE", "r/site", null, null,
        null, null, null, null, new ServiceConfig.GitConfig("/srv/site", null, null, null), null);
    AgentConfig config = new AgentConfig("web-1", "prod", Map.of("role", "web"), KafkaSettings.of("k:9092"),
        List.of(), "/tmp/x", null, null, null, 0, null, 0, null, null, Map.of("site", site));
    Decision digest = Admission.decide(request("d10", "site", "sha256:" + "b".repeat(64), null, Instant.now()), config,
        state, false, NOW);
    assertThat(digest).isInstanceOf(Decision.Skip.class);
    assertThat(((Decision.Skip) digest).reason()).contains("a sha256: version needs imageVariable");
  }

  @Test
  void skipsBlockedVersionsAndRequestsOlderThanTheAppliedOne() {
    AgentState.ServiceRecord r = state.service("web");
    r.block("broken", "health-check failed", "d0", NOW, NOW.plusSeconds(60));
    assertThat(((Decision.Skip) Admission.decide(request("d1", "broken"), CONFIG, state, false, NOW)).reason()).contains("blocked");
    r.appliedRequestTime = NOW.minusSeconds(3600).toString();
    r.appliedDeploymentId = "newer";
    Decision old = Admission.decide(request("d2", "web", "v1", null, NOW.minusSeconds(7200)), CONFIG, state, false, NOW);
    assertThat(((Decision.Skip) old).reason()).contains("superseded by deployment newer");
  }

  @Test
  void aBlockEndsWhenItExpires() {
    state.service("web").block("broken", "health-check failed", "d0", NOW.minusSeconds(120), NOW.minusSeconds(60));
    assertThat(Admission.decide(request("d1", "broken"), CONFIG, state, false, NOW)).isInstanceOf(Decision.Accept.class);
  }

  @Test
  void theVersionThatRunsIsANoOpUnlessForcedOrUnderWay() {
    AgentState.ServiceRecord r = state.service("web");
    r.current = new AgentState.Release("v3", "sha256:i", "r/web:v3", null);
    assertThat(Admission.decide(request("d1", "v3"), CONFIG, state, false, NOW)).isInstanceOf(Decision.AlreadyRuns.class);
    DeployRequested forced = request("d2", "v3");
    forced = new DeployRequested(forced.id(), forced.source(), forced.time(), forced.deploymentId(), forced.service(),
        forced.environment(), forced.version(), null, null, null, null, forced.trigger(), null, forced.target(), null, null,
        true);
    assertThat(Admission.decide(forced, CONFIG, state, false, NOW)).isInstanceOf(Decision.Accept.class);
    r.intent = new AgentState.Intent();
    assertThat(Admission.decide(request("d3", "v3"), CONFIG, state, false, NOW)).isInstanceOf(Decision.Accept.class);
  }

  @Test
  void aRequestDatedInTheFutureIsRefusedAndCannotSupersedeLaterOnes() {
    Decision future = Admission.decide(request("d1", "web", "v9", null, NOW.plus(java.time.Duration.ofDays(365))), CONFIG,
        state, false, NOW);
    assertThat(((Decision.Skip) future).reason()).contains("ahead of this host's clock");
    assertThat(Admission.decide(request("d2", "web", "v2", null, NOW.plusSeconds(60)), CONFIG, state, false, NOW))
        .as("within the allowed skew").isInstanceOf(Decision.Accept.class);
  }

  @Test
  void aRequestOlderThanTheMaximumAgeIsRefused() {
    state.joinedAt = NOW.minus(java.time.Duration.ofDays(30)).toString();
    Decision old = Admission.decide(request("d1", "web", "v1", null, NOW.minus(java.time.Duration.ofDays(8))), CONFIG, state,
        false, NOW);
    assertThat(((Decision.Skip) old).reason()).contains("older than");
  }

  @Test
  void aVersionBlockedFleetWideIsSkippedWithTheReasonButARollbackPasses() {
    FleetBlocklist fleet = new FleetBlocklist("prod");
    fleet.apply("prod/web/v2", FleetBlocklistTest.block("prod", "v2", NOW.minusSeconds(60)));
    Decision blocked = Admission.decide(request("d1", "v2"), CONFIG, state, false, NOW, fleet);
    assertThat(blocked).isInstanceOf(Decision.Skip.class);
    assertThat(((Decision.Skip) blocked).reason()).contains("v2 of web is blocked fleet-wide in prod", "rollout r-1",
        "2 of 2 canary hosts failed", "DELETE /api/v1/blocks/prod/web/v2");
    // Another version, and the same version without the fleet's blocks, are admitted.
    assertThat(Admission.decide(request("d2", "v3"), CONFIG, state, false, NOW, fleet)).isInstanceOf(Decision.Accept.class);
    assertThat(Admission.decide(request("d1", "v2"), CONFIG, state, false, NOW)).isInstanceOf(Decision.Accept.class);
    DeployRequested r = request("d3", "v2");
    DeployRequested rollback = new DeployRequested(r.id(), r.source(), r.time(), r.deploymentId(), r.service(),
        r.environment(), r.version(), null, null, null, null, "rollback", null, r.target(), null, null);
    assertThat(Admission.decide(rollback, CONFIG, state, false, NOW, fleet)).isInstanceOf(Decision.Accept.class);
    // Not for this host: ignored, not skipped, even when blocked.
    DeployRequested other = request("d4", "web", "v2", new Target("prod", List.of("web-9"), Map.of()), Instant.now());
    assertThat(Admission.decide(other, CONFIG, state, false, NOW, fleet)).isInstanceOf(Decision.Ignore.class);
    // Lifted: admitted again.
    fleet.apply("prod/web/v2", null);
    assertThat(Admission.decide(request("d5", "v2"), CONFIG, state, false, NOW, fleet)).isInstanceOf(Decision.Accept.class);
  }
}
