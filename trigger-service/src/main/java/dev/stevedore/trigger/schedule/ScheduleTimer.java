package dev.stevedore.trigger.schedule;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts reading the {@link ScheduleLog}, serves the {@link ScheduleService} from this verticle's
 * context, and every {@code tickMs} fires the due schedules this instance owns: {@code fire}
 * publishes one (completing on acknowledgement). The old journal in {@code journalDir}, if any, is
 * migrated to the log once the log has been read.
 */
public final class ScheduleTimer extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleTimer.class);

  private final ScheduleLog log;
  private final ScheduleRecords records;
  private final Path journalDir;
  private final long tickMs;
  private final int maxPending;
  private final Function<Schedule, Future<?>> fire;
  private final Clock clock;
  private final String instanceId;
  private ScheduleService service;
  private long timer = -1;

  /**
   * @param journalDir where an old {@code schedules.jsonl} may wait for migration (null: none)
   * @param instanceId names this instance in the records it writes
   */
  public ScheduleTimer(ScheduleLog log, ScheduleRecords records, Path journalDir, long tickMs, int maxPending,
      Function<Schedule, Future<?>> fire, Clock clock, String instanceId) {
    this.log = log;
    this.records = records;
    this.journalDir = journalDir;
    this.tickMs = tickMs;
    this.maxPending = maxPending;
    this.fire = fire;
    this.clock = clock;
    this.instanceId = instanceId;
  }

  @Override
  public Future<?> start() {
    service = new ScheduleService(vertx, context, log, records, maxPending, clock, instanceId, fire, journalDir);
    return log.start(vertx, service.reader).onSuccess(v -> {
      LOG.info("reading the schedule log; firing due schedules every {} ms", tickMs);
      timer = vertx.setPeriodic(tickMs, tickMs, id -> service.tick());
    });
  }

  /** The schedules, once this verticle has started. */
  public ScheduleService service() {
    if (service == null) {
      throw new IllegalStateException("the schedule timer has not started");
    }
    return service;
  }

  /** True once the schedule log has been read to its end (readiness). */
  public boolean ready() {
    return log.ready();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return log.close();
  }
}
