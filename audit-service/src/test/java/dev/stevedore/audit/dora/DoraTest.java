package dev.stevedore.audit.dora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.store.QueryRepository.DoraRow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoraTest {
  static final long MIN = 60_000;

  @Test
  void computesTheFourFiguresOnAKnownSeries() {
    Dora dora = new Dora(Duration.ofDays(10));
    List.of(
        new DoraRow("web", "prod", 0, "succeeded", 10 * MIN),
        new DoraRow("web", "prod", 60 * MIN, "failed", 65 * MIN),
        new DoraRow("api", "prod", 61 * MIN, "failed", 62 * MIN),
        new DoraRow("web", "prod", 70 * MIN, "rolled-back", 75 * MIN),
        new DoraRow("web", "prod", 80 * MIN, "succeeded", 95 * MIN),
        new DoraRow("web", "prod", 100 * MIN, "skipped", 101 * MIN),
        new DoraRow("web", "prod", 110 * MIN, "running", null),
        new DoraRow("web", "prod", 120 * MIN, "succeeded", 140 * MIN)).forEach(dora);

    Dora.Figures f = dora.figures("10d");

    assertThat(f.deployments()).isEqualTo(8);
    assertThat(f.succeeded()).isEqualTo(3);
    assertThat(f.failed()).isEqualTo(3);
    assertThat(f.deploymentsPerDay()).isEqualTo(0.3);
    assertThat(f.changeFailureRate()).isEqualTo(0.5);
    assertThat(f.leadTimeP50Ms()).isEqualTo(15 * MIN);
    assertThat(f.leadTimeMeanMs()).isEqualTo(15 * MIN);
    assertThat(f.timeToRestoreP50Ms()).isEqualTo(30 * MIN); // web: failed at 65, restored at 95
    assertThat(f.restored()).isEqualTo(1);
    assertThat(f.unrestored()).isEqualTo(1); // api never recovered in the window
  }

  @Test
  void saysNullWhenThereIsNothingToMeasure() {
    Dora.Figures f = new Dora(Duration.ofDays(1)).figures("1d");
    assertThat(f.deployments()).isZero();
    assertThat(f.changeFailureRate()).isNull();
    assertThat(f.leadTimeP50Ms()).isNull();
    assertThat(f.timeToRestoreMeanMs()).isNull();
    assertThat(f.deploymentsPerDay()).isZero();
  }

  @Test
  void percentileIsNearestRank() {
    assertThat(Dora.percentile(List.of(5L, 1L, 3L, 2L, 4L), 50)).isEqualTo(3);
    assertThat(Dora.percentile(List.of(1L, 2L), 50)).isEqualTo(1);
    assertThat(Dora.percentile(List.of(7L), 99)).isEqualTo(7);
  }
}
