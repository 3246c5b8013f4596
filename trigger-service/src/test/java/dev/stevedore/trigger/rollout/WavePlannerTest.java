package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.RolloutWave;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WavePlannerTest {
  static List<String> hosts(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> String.format("h%02d", i)).toList();
  }

  static RolloutPolicy rolling(Integer hosts, Integer percent, Integer maxUnavailable) {
    return new RolloutPolicy(RolloutStrategy.ROLLING, null, null, hosts, percent, maxUnavailable, 1, null, null, null, 60);
  }

  static List<List<String>> hostsOf(List<RolloutWave> waves) {
    return waves.stream().map(RolloutWave::hosts).toList();
  }

  @Test
  void rollingThirtyPercentOfTenIsThreeThreeThreeOne() {
    List<RolloutWave> waves = WavePlanner.plan(rolling(null, 30, null), hosts(10));
    assertThat(waves).extracting(w -> w.hosts().size()).containsExactly(3, 3, 3, 1);
    assertThat(waves).extracting(RolloutWave::index).containsExactly(0, 1, 2, 3);
    assertThat(waves).noneMatch(RolloutWave::canary);
  }

  @Test
  void theOrderIsTheSameWhateverOrderTheHostsCameIn() {
    List<String> shuffled = new ArrayList<>(hosts(10));
    Collections.shuffle(shuffled, new java.util.Random(7));
    assertThat(hostsOf(WavePlanner.plan(rolling(4, null, null), shuffled)))
        .isEqualTo(hostsOf(WavePlanner.plan(rolling(4, null, null), hosts(10))))
        .containsExactly(hosts(10).subList(0, 4), hosts(10).subList(4, 8), hosts(10).subList(8, 10));
  }

  @Test
  void canaryOfTwoThenTheRestInWavesCappedByMaxUnavailable() {
    RolloutPolicy canary = new RolloutPolicy(RolloutStrategy.CANARY, 2, null, null, 50, 3, 1, null, 0, true, 60);
    List<RolloutWave> waves = WavePlanner.plan(canary, hosts(10));
    assertThat(waves).extracting(w -> w.hosts().size()).containsExactly(2, 3, 3, 2);
    assertThat(waves.get(0).canary()).isTrue();
    assertThat(waves.get(0).hosts()).containsExactly("h01", "h02");
    assertThat(waves.subList(1, 4)).noneMatch(RolloutWave::canary);
  }

  @Test
  void allAtOnceIsOneWaveAndNoHostsIsNoWave() {
    assertThat(hostsOf(WavePlanner.plan(RolloutPolicy.allAtOnce(), hosts(5)))).containsExactly(hosts(5));
    assertThat(WavePlanner.plan(rolling(2, null, null), List.of())).isEmpty();
  }

  @Test
  void aTinyPercentageStillMovesOneHostAndDuplicatesCountOnce() {
    assertThat(WavePlanner.plan(rolling(null, 1, null), List.of("b", "a", "a")))
        .extracting(RolloutWave::hosts).containsExactly(List.of("a"), List.of("b"));
  }

  @Test
  void rollingWithoutASizeUsesAQuarter() {
    assertThat(WavePlanner.plan(rolling(null, null, null), hosts(8))).hasSize(4);
  }
}
