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
    // 91 s later with nobody heard since: the trigger cannot tell a dead host from its own deafness
    assertThat(members.fleet("production", "web", Map.of(), NOW.plusSeconds(91), DEADLINE).alive("a")).isTrue();
    members.heard(beat("b", "staging", NOW.plusSeconds(91), Map.of(), "api"));
    assertThat(members.fleet("production", "web", Map.of(), NOW.plusSeconds(91), DEADLINE).alive("a")).isFalse();
  }

  @Test
  void aTriggerThatHearsNobodyDeclaresNobodySilentAndAClockAheadDoesNotAgeTheOthers() {
    members.heard(beat("a", "production", NOW, Map.of(), "web"));
    members.heard(beat("b", "production", NOW.minusSeconds(30), Map.of(), "web"));
    // its heartbeat feed stalled for ten minutes (link to Kafka cut): both still count as alive
    Instant later = NOW.plusSeconds(600);
    assertThat(members.candidates("production", "web", Map.of(), later, DEADLINE).alive()).containsExactly("a", "b");
    // the feed is back and a is heard: b, 10 minutes quiet against a's heartbeat, is silent now
    members.heard(beat("a", "production", later, Map.of(), "web"));
    assertThat(members.candidates("production", "web", Map.of(), later, DEADLINE).silent()).containsExactly("b");
    // a host whose clock runs a day ahead does not make every other host look silent
    Membership m = new Membership();
    m.heard(beat("fast", "production", NOW.plus(Duration.ofDays(1)), Map.of(), "web"));
    m.heard(beat("c", "production", NOW.minusSeconds(60), Map.of(), "web"));
    assertThat(m.candidates("production", "web", Map.of(), NOW, DEADLINE).alive()).containsExactly("c", "fast");
  }
}
