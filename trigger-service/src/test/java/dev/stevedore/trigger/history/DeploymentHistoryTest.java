package dev.stevedore.trigger.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploySucceeded;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeploymentHistoryTest {
  static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
  final DeploymentHistory history = new DeploymentHistory(10, 1000);

  static DeployRequested requested(String id, String version, int second) {
    return new DeployRequested("e-" + id, "s", T.plusSeconds(second), id, "web", "prod", version, null, null, null,
        null, "manual", null, null, null, null);
  }

  static DeploySucceeded succeeded(String id, String host, String version, int second) {
    return new DeploySucceeded("s-" + id + host, "a", T.plusSeconds(second), id, host, "web", "prod", version, null, 1);
  }

  @Test
  void rollbackTargetIsTheNewestEarlierSuccessWithAnotherVersion() {
    history.requested(requested("d1", "v1", 0));
    history.succeeded(succeeded("d1", "h1", "v1", 5));
    history.succeeded(succeeded("d1", "h2", "v1", 6));
    history.requested(requested("d2", "v2", 10));
    history.succeeded(succeeded("d2", "h1", "v2", 15));
    history.requested(requested("d3", "v2", 20)); // same version again
    history.requested(requested("d4", "v3", 30));

    assertThat(history.rollbackTarget("d4").previous().version()).isEqualTo("v2");
    assertThat(history.rollbackTarget("d3").previous().version()).isEqualTo("v1");
    assertThat(history.rollbackTarget("d2").previous().deploymentId()).isEqualTo("d1");
    assertThat(history.rollbackTarget("d1").previous()).isNull();
    assertThat(history.rollbackTarget("d1").problem()).contains("no version");
    assertThat(history.rollbackTarget("nope").unknown()).isTrue();
  }

  @Test
  void aSuccessRequestedAfterTheDeploymentDoesNotCount() {
    history.requested(requested("d1", "v1", 0));
    history.requested(requested("d2", "v2", 10));
    history.succeeded(succeeded("d2", "h1", "v2", 15));
    assertThat(history.rollbackTarget("d1").previous()).isNull();
  }
}
