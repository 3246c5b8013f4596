package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.event.RolloutPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutPoliciesTest {
  static final RolloutPolicy ENV = new RolloutPolicy(RolloutStrategy.ROLLING, null, null, null, 25, null, 2, null, null, null, 300);
  static final RolloutPolicy WEB = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, 50, null, 1, null, 120, false, 300);
  final RolloutPolicies policies = new RolloutPolicies(new RolloutSettings(true, 0, 0, null,
      Map.of("production", new RolloutSettings.EnvironmentPolicy(ENV, Map.of("web", WEB))),
      new RolloutSettings.Overrides(List.of(RolloutStrategy.ROLLING, RolloutStrategy.CANARY), 50, 20, 60)));

  @Test
  void serviceOverridesEnvironmentWhichOverridesTheAllAtOnceDefault() {
    assertThat(policies.configured("production", "web")).isEqualTo(WEB);
    assertThat(policies.configured("production", "api")).isEqualTo(ENV);
    assertThat(policies.configured("staging", "web")).isEqualTo(RolloutPolicy.allAtOnce());
  }

  @Test
  void aRequestMayNarrowThePolicyFieldByField() {
    RolloutPolicy asked = new RolloutPolicy(RolloutStrategy.ROLLING, null, null, 2, null, null, null, null, null, null, null);
    RolloutPolicy got = policies.resolve("production", "api", Optional.of(asked));
    assertThat(got.strategy()).isEqualTo(RolloutStrategy.ROLLING);
    assertThat(got.waveHosts()).isEqualTo(2);
    assertThat(got.wavePercent()).isNull();
    assertThat(got.failureCount()).isEqualTo(2); // kept from the environment
    assertThat(got.waveTimeoutSeconds()).isEqualTo(300);
  }

  @Test
  void aRequestOutsideTheBoundsIsRefusedWithEveryReason() {
    RolloutPolicy greedy = new RolloutPolicy(RolloutStrategy.ALL_AT_ONCE, null, null, null, 80, null, null, 90, null, null, null);
    assertThatThrownBy(() -> policies.resolve("production", "api", Optional.of(greedy)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strategy all-at-once")
        .hasMessageContaining("wavePercent 80 exceeds the bound 50")
        .hasMessageContaining("failurePercent 90 exceeds the bound 20");
    RolloutPolicy hasty = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, null, null, null, null, 5, true, null);
    assertThatThrownBy(() -> policies.resolve("production", "web", Optional.of(hasty)))
        .hasMessageContaining("bakeSeconds 5 is below the bound 60");
  }

  @Test
  void thePolicyRecordRefusesNonsense() {
    assertThatThrownBy(() -> RolloutStrategy.of("yolo"))
        .hasMessageContaining("all-at-once, rolling or canary").hasMessageContaining("'yolo'");
    assertThat(RolloutStrategy.of(" Canary ")).isEqualTo(RolloutStrategy.CANARY);
    assertThatThrownBy(() -> new RolloutPolicy(null, null, null, null, null, null, null, null, null, null, null))
        .hasMessageContaining("policy.strategy");
    assertThatThrownBy(() -> new RolloutPolicy(RolloutStrategy.ROLLING, null, null, 2, 30, null, null, null, null, null, null))
        .hasMessageContaining("waveHosts or wavePercent");
    assertThatThrownBy(() -> new RolloutPolicy(RolloutStrategy.ROLLING, null, null, null, 101, null, null, null, null, null, null))
        .hasMessageContaining("between 1 and 100");
    assertThatThrownBy(() -> new RolloutPolicy(RolloutStrategy.ROLLING, null, null, 0, null, null, null, null, null, null, null))
        .hasMessageContaining("at least 1");
  }
}
