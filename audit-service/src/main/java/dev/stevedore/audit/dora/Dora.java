package dev.stevedore.audit.dora;

import dev.stevedore.audit.store.DeploymentStatus;
import dev.stevedore.audit.store.QueryRepository.DoraRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The four DORA figures over the deployments requested in a window, fed oldest first.
 * <ul>
 *   <li>deployment frequency: succeeded deployments per day of the window;</li>
 *   <li>lead time: from the request (the commit's CI hook; the events carry no commit time) to
 *       the last host healthy, over succeeded deployments;</li>
 *   <li>change failure rate: failed or rolled-back deployments over all finished ones (skipped
 *       and cancelled ones changed nothing and are not counted);</li>
 *   <li>time to restore: per service and environment, from the end of the first failed
 *       deployment of a streak to the end of the next succeeded one.</li>
 * </ul>
 */
public final class Dora implements Consumer<DoraRow> {
  /** The figures; durations in milliseconds, {@code null} when there is nothing to measure. */
  public record Figures(String window, long deployments, long succeeded, long failed, double deploymentsPerDay,
                        Long leadTimeP50Ms, Long leadTimeMeanMs, Double changeFailureRate,
                        Long timeToRestoreP50Ms, Long timeToRestoreMeanMs, long restored, long unrestored) {}

  private final Duration window;
  private long deployments;
  private long succeeded;
  private long failed;
  private final List<Long> leadTimes = new ArrayList<>();
  private final List<Long> restoreTimes = new ArrayList<>();
  /** Per service/environment: when the current failure streak began (end of its first failure). */
  private final Map<String, Long> failingSince = new HashMap<>();

  public Dora(Duration window) {
    this.window = window;
  }

  @Override
  public void accept(DoraRow row) {
    deployments++;
    String key = row.service() + "\u0000" + row.environment();
    String status = row.status();
    if (DeploymentStatus.SUCCEEDED.equals(status)) {
      succeeded++;
      if (row.finishedAt() != null) {
        leadTimes.add(Math.max(0, row.finishedAt() - row.requestedAt()));
        Long since = failingSince.remove(key);
        if (since != null) {
          restoreTimes.add(Math.max(0, row.finishedAt() - since));
        }
      }
    } else if (DeploymentStatus.FAILED.equals(status) || DeploymentStatus.ROLLED_BACK.equals(status)) {
      failed++;
      long at = row.finishedAt() != null ? row.finishedAt() : row.requestedAt();
      failingSince.putIfAbsent(key, at);
    }
  }

  public Figures figures(String windowText) {
    double days = window.toMillis() / 86_400_000.0;
    long finished = succeeded + failed;
    return new Figures(windowText, deployments, succeeded, failed, round(succeeded / days),
        percentile(leadTimes, 50), mean(leadTimes),
        finished == 0 ? null : round((double) failed / finished),
        percentile(restoreTimes, 50), mean(restoreTimes), restoreTimes.size(), failingSince.size());
  }

  static Long percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return null;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static Long mean(List<Long> values) {
    if (values.isEmpty()) {
      return null;
    }
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return Math.round((double) sum / values.size());
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
