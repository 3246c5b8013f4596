package dev.stevedore.trigger.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
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

  static DeployRolledBack rolledBack(String id, String host, String version, int second) {
    return new DeployRolledBack("r-" + id + host, "a", T.plusSeconds(second), id, host, "web", "prod", version, "v0",
        "health", "unhealthy", true, 1);
  }

  static DeployFailed failed(String id, String host, String version, int second) {
    return new DeployFailed("f-" + id + host, "a", T.plusSeconds(second), id, host, "web", "prod", version, "pull",
        1, null, "not found", "v0", 1);
  }

  @Test
  void anOutcomeWithoutAVerifiedRequestMakesNothingKnownAndIsNoTarget() {
    history.requested(requested("d1", "v1", 0));
    history.succeeded(succeeded("d1", "h1", "v1", 5));
    history.succeeded(succeeded("forged", "h9", "v0-vulnerable", 8)); // no request with that id
    history.requested(requested("d2", "v2", 10));

    assertThat(history.knows("forged")).isFalse();
    assertThat(history.rollbackTarget("forged").unknown()).isTrue();
    assertThat(history.rollbackTarget("d2").previous().version()).isEqualTo("v1");
  }

  @Test
  void anOutcomeThatContradictsItsRequestDoesNotCount() {
    history.requested(requested("d1", "v1", 0));
    history.succeeded(succeeded("d1", "h1", "v1", 5));
    history.requested(requested("d2", "v2", 10));
    history.succeeded(new DeploySucceeded("x", "a", T.plusSeconds(11), "d2", "h1", "web", "prod", "v0-vulnerable",
        null, 1)); // the request said v2
    history.succeeded(new DeploySucceeded("y", "a", T.plusSeconds(12), "d2", "h1", "db", "prod", "v2", null, 1));
    history.requested(requested("d3", "v3", 20));

    assertThat(history.rollbackTarget("d3").previous().version()).isEqualTo("v1");
  }

  @Test
  void anOutcomeReadBeforeItsRequestCountsOnceTheRequestArrives() {
    history.succeeded(succeeded("d1", "h1", "v1", 5));
    history.requested(requested("d1", "v1", 0));
    history.requested(requested("d2", "v2", 10));

    assertThat(history.rollbackTarget("d2").previous().version()).isEqualTo("v1");
  }

  @Test
  void neverRollsBackToAVersionWhoseLastOutcomeFailedOrWasRolledBack() {
    history.requested(requested("d1", "v1", 0));
    history.succeeded(succeeded("d1", "h1", "v1", 5));
    history.requested(requested("d2", "v2", 10));
    history.succeeded(succeeded("d2", "h1", "v2", 15));
    history.requested(requested("d3", "v2", 20)); // v2 again, this time it fails its health check
    history.outcome(rolledBack("d3", "h1", "v2", 25));
    history.requested(requested("d4", "v3", 30));

    assertThat(history.rollbackTarget("d4").previous().version()).isEqualTo("v1");

    history.requested(requested("d5", "v1", 40));
    history.outcome(failed("d5", "h1", "v1", 45));
    history.requested(requested("d6", "v4", 50));
    DeploymentHistory.RollbackTarget none = history.rollbackTarget("d6");
    assertThat(none.previous()).isNull();
    assertThat(none.problem()).contains("failing or being rolled back");
  }

  @Test
  void aVersionThatSucceedsAgainAfterFailingIsATargetAgain() {
    history.requested(requested("d1", "v1", 0));
    history.outcome(failed("d1", "h1", "v1", 5));
    history.requested(requested("d2", "v1", 10));
    history.succeeded(succeeded("d2", "h1", "v1", 15));
    history.requested(requested("d3", "v2", 20));

    assertThat(history.rollbackTarget("d3").previous().deploymentId()).isEqualTo("d2");
  }
}
