package dev.stevedore.trigger.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadBackTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void behindListsEveryPartitionShortOfItsEndAndAnEmptyOneIsNever() {
    assertThat(ReadBack.behind(Map.of(0, 10L, 1, 0L, 2, 7L), Map.of(0, 10L, 2, 3L))).containsExactly(Map.entry(2, "3/7"));
    assertThat(ReadBack.behind(Map.of(0, 5L), Map.of())).containsExactly(Map.entry(0, "0/5"));
    assertThat(ReadBack.behind(Map.of(0, 5L), Map.of(0, 9L))).isEmpty();
  }

  @Test
  void theLagIsTheRecordsShortOfEachEndSummedAndUnknownUntilTheEndIsKnown() throws Exception {
    assertThat(ReadBack.behindBy(Map.of(0, 10L, 1, 0L, 2, 7L), Map.of(0, 10L, 2, 3L))).isEqualTo(4);
    assertThat(ReadBack.behindBy(Map.of(0, 5L), Map.of(0, 9L))).isZero();
    Map<Integer, Long> ends = new java.util.concurrent.ConcurrentHashMap<>(Map.of(0, 10L, 1, 3L));
    boolean[] down = {false};
    ReadBack readBack = new ReadBack(vertx, () -> down[0] ? Future.failedFuture("broker down")
        : Future.succeededFuture(Map.copyOf(ends)), 10);
    assertThat(readBack.lag()).isNaN();
    readBack.read(0, 4);
    assertThat(readBack.refreshLag().await(5, TimeUnit.SECONDS)).isEqualTo(5 + 3);
    assertThat(readBack.lag()).isEqualTo(8.0);
    readBack.read(0, 9);
    readBack.read(1, 2);
    ends.put(1, 4L);
    assertThat(readBack.refreshLag().await(5, TimeUnit.SECONDS)).isEqualTo(1);
    down[0] = true;
    assertThat(readBack.refreshLag().failed()).isTrue();
    assertThat(readBack.lag()).as("the last known value stays").isEqualTo(1.0);
  }

  @Test
  void caughtUpWaitsForTheReadsAsksTheEndAnewEachTimeAndSaysHowFarBehindItIs() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    ReadBack readBack = new ReadBack(vertx, () -> {
      asked.incrementAndGet();
      return Future.succeededFuture(Map.of(0, 3L, 1, 1L));
    }, 10);
    Future<Void> waiting = readBack.caughtUp(5_000);
    readBack.read(0, 0);
    readBack.read(1, 0);
    assertThat(waiting.isComplete()).isFalse();
    readBack.read(0, 2);
    waiting.await(5, TimeUnit.SECONDS);
    assertThat(readBack.caughtUp(1_000).await(5, TimeUnit.SECONDS)).isNull();
    assertThat(asked.get()).isEqualTo(2);

    ReadBack stuck = new ReadBack(vertx, () -> Future.succeededFuture(Map.of(0, 3L)), 10);
    stuck.read(0, 0);
    Throwable failure = null;
    try {
      stuck.caughtUp(100).await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      failure = e;
    }
    assertThat(failure).hasMessageContaining("{0=1/3}");

    ReadBack blind = new ReadBack(vertx, () -> Future.failedFuture("no leader for stevedore.deploy.requests-0"), 10);
    failure = null;
    try {
      blind.caughtUp(100).await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      failure = e;
    }
    assertThat(failure).hasMessageContaining("not known now").hasMessageContaining("no leader");
  }
}
