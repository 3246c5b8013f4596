package dev.stevedore.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class VersionsAndIdsTest {
  @ParameterizedTest
  @ValueSource(strings = {"v1", "1.2.3", "release_2026-11-26", "latest", "a", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
  void acceptsTagsAndDigests(String version) {
    assertThat(Versions.isValid(version)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-v1", ".hidden", "v1;rm -rf /", "$(reboot)", "v1 v2", "v1\n", "../../etc", "a:b",
      "sha256:xyz", "sha256:0123", "ümlaut"})
  void rejectsAnythingElse(String version) {
    assertThat(Versions.isValid(version)).isFalse();
  }

  @Test
  void rejectsTagsLongerThan128() {
    assertThat(Versions.isValid("a".repeat(128))).isTrue();
    assertThat(Versions.isValid("a".repeat(129))).isFalse();
    assertThat(Versions.isValid(null)).isFalse();
  }

  @Test
  void deploymentIdsAreDeterministicVersion5Uuids() {
    String a = DeploymentIds.of("github", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    assertThat(DeploymentIds.of("github", "72d3162e-cc78-11e3-81ab-4c9367dc0958")).isEqualTo(a);
    assertThat(DeploymentIds.of("gitlab", "72d3162e-cc78-11e3-81ab-4c9367dc0958")).isNotEqualTo(a);
    assertThat(java.util.UUID.fromString(a).version()).isEqualTo(5);
    assertThat(java.util.UUID.fromString(a).variant()).isEqualTo(2);
    assertThat(DeploymentIds.eventId(a, "web-1", "outcome")).isEqualTo(DeploymentIds.eventId(a, "web-1", "outcome"))
        .isNotEqualTo(DeploymentIds.eventId(a, "web-2", "outcome"));
  }

  @Test
  void targetsMatchEnvironmentHostsAndLabels() {
    Target t = new Target("production", java.util.List.of("web-1"), java.util.Map.of("role", "frontend"));
    assertThat(t.matches("production", "web-1", java.util.Map.of("role", "frontend", "zone", "a"))).isTrue();
    assertThat(t.matches("staging", "web-1", java.util.Map.of("role", "frontend"))).isFalse();
    assertThat(t.matches("production", "web-2", java.util.Map.of("role", "frontend"))).isFalse();
    assertThat(t.matches("production", "web-1", java.util.Map.of("role", "backend"))).isFalse();
    assertThat(Target.environment("production").matches("production", "any", java.util.Map.of())).isTrue();
  }
}
