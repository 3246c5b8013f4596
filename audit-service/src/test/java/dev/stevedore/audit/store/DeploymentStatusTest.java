package dev.stevedore.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentStatusTest {
  @Test
  void derivesFromHostStates() {
    assertThat(DeploymentStatus.derive(List.of(), false)).isEqualTo("requested");
    assertThat(DeploymentStatus.derive(List.of(), true)).isEqualTo("cancelled");
    assertThat(DeploymentStatus.derive(List.of("succeeded", "running"), false)).isEqualTo("running");
    assertThat(DeploymentStatus.derive(List.of("succeeded", "failed", "rolled-back"), false)).isEqualTo("failed");
    assertThat(DeploymentStatus.derive(List.of("succeeded", "rolled-back"), false)).isEqualTo("rolled-back");
    assertThat(DeploymentStatus.derive(List.of("skipped", "skipped"), false)).isEqualTo("skipped");
    assertThat(DeploymentStatus.derive(List.of("skipped", "succeeded"), false)).isEqualTo("succeeded");
    assertThat(DeploymentStatus.derive(List.of("succeeded"), true)).isEqualTo("succeeded");
  }

  @Test
  void knowsWhichStatusesAreFinal() {
    assertThat(DeploymentStatus.terminal("running")).isFalse();
    assertThat(DeploymentStatus.terminal("requested")).isFalse();
    assertThat(DeploymentStatus.terminal("rolled-back")).isTrue();
    assertThat(DeploymentStatus.terminal("cancelled")).isTrue();
  }
}
