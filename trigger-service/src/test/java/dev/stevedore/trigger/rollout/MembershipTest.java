package dev.stevedore.trigger.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.AgentHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MembershipTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final Duration DEADLINE = Duration.ofSeconds(90);
  final Membership members = new Membership();

  static AgentHeartbeat beat(String host, String env, Instant at, Map<String, String> labels, String... services) {
    List<AgentHeartbeat.ServiceState> list = java.util.Arrays.stream(services)
        .map(s -> new AgentHeartbeat.ServiceState(s, "v1", null, "running")).toList();
    return new AgentHeartbeat("id-" + host + at, "stevedore://agent/" + host, at, host, env, labels, list, "ok", "0.1");
  }

  @Test
  void hostsOfTheEnvironmentThatManageTheServiceSplitByLiveness() {
    members.heard(beat("b", "production", NOW.minusSeconds(10), Map.of(), "web"));
    members.heard(beat("a", "production", NOW.minusSeconds(89), Map.of(), "web", "api"));
    members.heard(beat("c", "production", NOW.minusSeconds(91), Map.of(), "web"));
    members.heard(beat("d", "staging", NOW, Map.of(), "web"));
    members.heard(beat("e", "production", NOW, Map.of(), "api"));
    Membership.Candidates c = members.candidates("production", "web", Map.of(), NOW, DEADLINE);
    assertThat(c.alive()).containsExactly("a", "b");
    assertThat(c.silent()).containsExactly("c");
    assertThat(c.running()).containsEntry("a", "v1").hasSize(3);
  }

  @Test
  void anOlderHeartbeatDoesNotReplaceANewerOneAndLabelsSelect() {
    members.heard(beat("a", "production", NOW, Map.of("zone", "eu"), "web"));
    members.heard(beat("a", "production", NOW.minusSeconds(500), Map.of("zone", "us"), "web"));
    assertThat(members.candidates("production", "web", Map.of("zone", "eu"), NOW, DEADLINE).alive()).containsExactly("a");
    assertThat(members.candidates("production", "web", Map.of("zone", "us"), NOW, DEADLINE).alive()).isEmpty();
    // heartbeats without labels (older agents) still count when no label is asked for
    members.heard(beat("b", "production", NOW, Map.of(), "web"));
    assertThat(members.candidates("production", "web", Map.of(), NOW, DEADLINE).alive()).containsExactly("a", "b");
  }

  @Test
  void whatAHostReportedCountsOnlyWhenItIsRecentEnough() {
    members.heard(beat("a", "production", NOW, Map.of(), "web"));
    assertThat(members.reportedAfter("a", "web", NOW.minusSeconds(1))).isEqualTo("v1");
    assertThat(members.reportedAfter("a", "web", NOW)).isNull();
    assertThat(members.alive("zzz", NOW, DEADLINE)).isFalse();
    assertThat(members.fleet("production", "web", Map.of(), NOW.plusSeconds(91), DEADLINE).alive("a")).isFalse();
  }
}
