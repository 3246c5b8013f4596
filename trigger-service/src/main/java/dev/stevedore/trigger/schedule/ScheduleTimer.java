package dev.stevedore.trigger.schedule;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the schedule journal, serves the {@link ScheduleService} from this verticle's context, and
 * every {@code tickMs} fires the schedules that are due: {@code fire} publishes one (completing on
 * acknowledgement), then the schedule is marked fired. A schedule whose publish failed stays
 * pending and is fired again at a later tick.
 */
public final class ScheduleTimer extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleTimer.class);

  private final Path dataDir;
  private final long tickMs;
  private final int maxPending;
  private final Function<Schedule, Future<?>> fire;
  private final Clock clock;
  private ScheduleStore store;
  private ScheduleService service;
  private long timer = -1;

  public ScheduleTimer(Path dataDir, long tickMs, int maxPending, Function<Schedule, Future<?>> fire, Clock clock) {
    this.dataDir = dataDir;
    this.tickMs = tickMs;
    this.maxPending = maxPending;
    this.fire = fire;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> ScheduleStore.open(dataDir)).onSuccess(s -> {
      store = s;
      service = new ScheduleService(vertx, context, s, maxPending, clock);
      LOG.info("{} pending schedules in {}", s.pending().size(), dataDir);
      timer = vertx.setPeriodic(0, tickMs, id -> tick());
    });
  }

  /** The schedules, once this verticle has started. */
  public ScheduleService service() {
    if (service == null) {
      throw new IllegalStateException("the schedule timer has not started");
    }
    return service;
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return store == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      store.close();
      return null;
    });
  }

  private void tick() {
    service.claimDue().onSuccess(due -> due.forEach(this::fire));
  }

  private void fire(Schedule s) {
    Future<?> published;
    try {
      published = fire.apply(s);
    } catch (RuntimeException e) {
      published = Future.failedFuture(e);
    }
    published.compose(done -> service.markFired(s))
        .onComplete(ar -> {
          service.release(s);
          if (ar.succeeded()) {
            LOG.info("deployment {} schedule fired", s.id());
          } else {
            LOG.warn("deployment {} schedule not fired yet, retrying in {} ms: {}", s.id(), tickMs, ar.cause().toString());
          }
        });
  }
}
