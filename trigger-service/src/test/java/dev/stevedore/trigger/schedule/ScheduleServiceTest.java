package dev.stevedore.trigger.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.trigger.schedule.Schedule.State;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule service on an in-memory log: the API's answers, firing by the owner only (claim,
 * publish, fired), a takeover of a schedule left firing, and hostile records on the log.
 */
class ScheduleServiceTest {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final KeyPair keys = Ed25519Keys.generate();
  final ScheduleRecords records = new ScheduleRecords(keys);
  final MemoryScheduleLog log = new MemoryScheduleLog();
  final List<String> published = new CopyOnWriteArrayList<>();
  final AtomicBoolean publishFails = new AtomicBoolean();
  ScheduleTimer timer;
  ScheduleService service;

  @BeforeEach
  void start() throws Exception {
    startTimer(null);
  }

  void startTimer(Path journal) throws Exception {
    timer = new ScheduleTimer(log, records, journal, 50, 3, s -> {
      published.add(s.id());
      return publishFails.get() ? Future.failedFuture("requests topic down (test)") : Future.succeededFuture();
    }, Clock.systemUTC(), "unit-a");
    vertx.deployVerticle(timer).await(10, TimeUnit.SECONDS);
    service = timer.service();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static Schedule schedule(String id, Instant notBefore) {
    Instant now = Instant.now();
    return new Schedule(id, "web", "production", "v2", notBefore, "why", "api:alice", now, State.PENDING, now,
        "api:alice");
  }

  static Instant later() {
    return Instant.now().plusSeconds(3600);
  }

  State state(String id) throws Exception {
    return service.get(id).await(5, TimeUnit.SECONDS).orElseThrow().state();
  }

  List<State> statesOnTheLog(String id) throws Exception {
    return log.records().stream().filter(r -> r.key().equals(id)).map(r -> {
      try {
        return records.decode(r.key(), r.value()).schedule().state();
      } catch (ScheduleRecords.Rejected e) {
        throw new AssertionError(e);
      }
    }).toList();
  }

  static int status(Throwable t) {
    return ((HttpProblem) t).status();
  }

  @Test
  void addListShowAndADuplicateAddAnswersTheFirst() throws Exception {
    ScheduleService.Added a = service.add(schedule("s1", later())).await(5, TimeUnit.SECONDS);
    assertThat(a.duplicate()).isFalse();
    Schedule other = schedule("s1", later().plusSeconds(60));
    ScheduleService.Added again = service.add(other).await(5, TimeUnit.SECONDS);
    assertThat(again.duplicate()).isTrue();
    assertThat(again.schedule().notBefore()).isEqualTo(a.schedule().notBefore());
    assertThat(service.pending().await(5, TimeUnit.SECONDS)).extracting(Schedule::id).containsExactly("s1");
    assertThat(statesOnTheLog("s1")).containsExactly(State.PENDING);
    service.add(schedule("s2", later())).await(5, TimeUnit.SECONDS);
    service.add(schedule("s3", later())).await(5, TimeUnit.SECONDS);
    assertThatThrownBy(() -> service.add(schedule("s4", later())).await(5, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(status(e)).isEqualTo(429));
  }

  @Test
  void cancelHoldsOnceAndAnswers404And409AsBefore() throws Exception {
    service.add(schedule("s1", later())).await(5, TimeUnit.SECONDS);
    Schedule c = service.cancel("s1", "api:bob").await(5, TimeUnit.SECONDS);
    assertThat(c.state()).isEqualTo(State.CANCELLED);
    assertThat(c.changedBy()).isEqualTo("api:bob");
    assertThat(service.pending().await(5, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(() -> service.cancel("s1", "api:bob").await(5, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(status(e)).isEqualTo(409)).hasMessageContaining("already cancelled");
    assertThatThrownBy(() -> service.cancel("nope", "api:bob").await(5, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(status(e)).isEqualTo(404));
    assertThat(statesOnTheLog("s1")).containsExactly(State.PENDING, State.CANCELLED);
  }

  @Test
  void theOwnerRecordsFiringBeforePublishingThenFiredAndPublishesOnce() throws Exception {
    service.add(schedule("due", Instant.now().minusSeconds(1))).await(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> state("due") == State.FIRED);
    assertThat(published).containsExactly("due");
    assertThat(statesOnTheLog("due")).containsExactly(State.PENDING, State.FIRING, State.FIRED);
    Thread.sleep(300); // several more ticks
    assertThat(published).containsExactly("due");
    assertThat(service.firedHere()).isEqualTo(1);
  }

  @Test
  void anInstanceThatDoesNotOwnAScheduleNeverFiresIt() throws Exception {
    log.owns(id -> false);
    service.add(schedule("due", Instant.now().minusSeconds(1))).await(5, TimeUnit.SECONDS);
    Thread.sleep(400); // eight ticks
    assertThat(published).isEmpty();
    assertThat(state("due")).isEqualTo(State.PENDING);
    log.owns(id -> true); // ownership moves here: it fires
    log.gainOwnership();
    await().atMost(Duration.ofSeconds(5)).until(() -> state("due") == State.FIRED);
    assertThat(published).containsExactly("due");
  }

  @Test
  void aScheduleLeftFiringByAnotherInstanceIsPublishedAgainWithTheSameIdByItsNewOwner() throws Exception {
    log.owns(id -> false);
    Schedule s = schedule("taken-over", Instant.now().minusSeconds(1));
    log.inject(s.id(), records.encode(new ScheduleChange(s, null, "unit-b"))).await(5, TimeUnit.SECONDS);
    log.inject(s.id(), records.encode(new ScheduleChange(s.with(State.FIRING, Instant.now(), "scheduler:unit-b"),
        "unit-b/claim", "unit-b"))).await(5, TimeUnit.SECONDS);
    assertThat(state("taken-over")).isEqualTo(State.FIRING);
    assertThatThrownBy(() -> service.cancel("taken-over", "api:bob").await(5, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(status(e)).isEqualTo(409)).hasMessageContaining("being published");
    log.owns(id -> true);
    log.gainOwnership();
    await().atMost(Duration.ofSeconds(5)).until(() -> state("taken-over") == State.FIRED);
    assertThat(published).containsExactly("taken-over");
    assertThat(statesOnTheLog("taken-over")).containsExactly(State.PENDING, State.FIRING, State.FIRED);
  }

  @Test
  void aFailedPublishStaysFiringAndIsRetriedNotFiredTwice() throws Exception {
    publishFails.set(true);
    service.add(schedule("retry", Instant.now().minusSeconds(1))).await(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 3);
    assertThat(state("retry")).isEqualTo(State.FIRING);
    assertThat(statesOnTheLog("retry")).containsExactly(State.PENDING, State.FIRING); // one claim, not one per try
    publishFails.set(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> state("retry") == State.FIRED);
    assertThat(statesOnTheLog("retry")).containsExactly(State.PENDING, State.FIRING, State.FIRED);
  }

  @Test
  void aCancelOrderedBeforeTheClaimWinsAndNothingIsPublished() throws Exception {
    log.owns(id -> false);
    Schedule s = schedule("raced", Instant.now().minusSeconds(1));
    service.add(s).await(5, TimeUnit.SECONDS);
    // Another instance's cancel reaches the log first; then this instance becomes the owner.
    log.inject(s.id(), records.encode(new ScheduleChange(s.with(State.CANCELLED, Instant.now(), "api:bob"), null,
        "unit-b"))).await(5, TimeUnit.SECONDS);
    log.owns(id -> true);
    log.gainOwnership();
    Thread.sleep(300);
    assertThat(published).isEmpty();
    assertThat(state("raced")).isEqualTo(State.CANCELLED);
  }

  @Test
  void hostileRecordsAreRejectedCountedAndChangeNothing() throws Exception {
    Schedule s = schedule("victim", later());
    service.add(s).await(5, TimeUnit.SECONDS);
    KeyPair attacker = Ed25519Keys.generate();
    Schedule cancelled = s.with(State.CANCELLED, Instant.now(), "attacker");
    byte[] forged = new ScheduleRecords(attacker).encode(new ScheduleChange(cancelled, null, "attacker"));
    byte[] genuineOtherId = records.encode(new ScheduleChange(schedule("other", later())
        .with(State.CANCELLED, Instant.now(), "x"), null, "x"));
    String unsigned = "{\"v\":1,\"payload\":\"" + java.util.Base64.getEncoder().encodeToString(
        "{\"schedule\":{}}".getBytes(StandardCharsets.UTF_8)) + "\",\"keyId\":\"" + Ed25519Keys.keyId(keys.getPublic())
        + "\",\"signature\":\"AAAA\"}";
    List<byte[]> hostile = List.of(
        "{not json".getBytes(StandardCharsets.UTF_8),
        new byte[ScheduleRecords.MAX_BYTES + 1],
        "{\"v\":2}".getBytes(StandardCharsets.UTF_8),
        unsigned.getBytes(StandardCharsets.UTF_8),
        forged,
        genuineOtherId); // a genuine record of another schedule, replayed under this key
    for (byte[] value : hostile) {
      log.inject("victim", value).await(5, TimeUnit.SECONDS);
    }
    assertThat(service.rejectedRecords()).isEqualTo(hostile.size());
    assertThat(state("victim")).isEqualTo(State.PENDING);
    assertThat(service.get("other").await(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(service.pending().await(5, TimeUnit.SECONDS)).extracting(Schedule::id).containsExactly("victim");
  }

  @Test
  void aReplayedOrCopiedStaleRecordIsIgnoredAndTheOwnerReassertsTheTruthSoCompactionKeepsIt() throws Exception {
    Schedule s = schedule("replayed", later());
    service.add(s).await(5, TimeUnit.SECONDS);
    byte[] original = log.records().get(0).value();
    service.cancel("replayed", "api:bob").await(5, TimeUnit.SECONDS);
    log.inject("replayed", original).await(5, TimeUnit.SECONDS); // replay of the genuine pending record
    assertThat(state("replayed")).isEqualTo(State.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).until(() -> statesOnTheLog("replayed").size() == 4);
    // The last record of the key (what compaction keeps) says cancelled again.
    assertThat(statesOnTheLog("replayed")).containsExactly(State.PENDING, State.CANCELLED, State.PENDING,
        State.CANCELLED);
    // A tombstone (which compaction would turn into "no such schedule") is answered the same way.
    log.inject("replayed", null).await(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> log.records().size() == 6);
    assertThat(records.decode("replayed", log.records().get(5).value()).schedule().state()).isEqualTo(State.CANCELLED);
    assertThat(state("replayed")).isEqualTo(State.CANCELLED);
  }

  @Test
  void theOldJournalsPendingSchedulesAreMigratedOnceAndTheFileIsKeptUnderAnotherName() throws Exception {
    vertx.undeploy(vertx.deploymentIDs().iterator().next()).await(5, TimeUnit.SECONDS);
    Path journal = dir.resolve("trigger");
    Files.createDirectories(journal);
    com.fasterxml.jackson.databind.ObjectMapper json = dev.stevedore.common.runtime.JsonMappers.events(false);
    Schedule pending = schedule("old-pending", later());
    Schedule fired = schedule("old-fired", Instant.now().minusSeconds(60)).with(State.FIRED, Instant.now(), "scheduler");
    Schedule known = schedule("old-known", later());
    log.inject(known.id(), records.encode(new ScheduleChange(known.with(State.CANCELLED, Instant.now(), "api:bob"),
        null, "b"))).await(5, TimeUnit.SECONDS); // cancelled on the topic already: the journal's copy must not revive it
    Files.writeString(journal.resolve(LegacyJournal.FILE), json.writeValueAsString(pending) + "\n"
        + json.writeValueAsString(fired) + "\n" + json.writeValueAsString(known) + "\n" + "{\"id\":\"torn",
        StandardCharsets.UTF_8);
    startTimer(journal);
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(journal.resolve(LegacyJournal.RETIRED)));
    assertThat(journal.resolve(LegacyJournal.FILE)).doesNotExist();
    assertThat(service.pending().await(5, TimeUnit.SECONDS)).extracting(Schedule::id).containsExactly("old-pending");
    assertThat(state("old-known")).isEqualTo(State.CANCELLED);
    assertThat(service.get("old-fired").await(5, TimeUnit.SECONDS)).isEqualTo(Optional.empty());
    assertThat(Files.readString(journal.resolve(LegacyJournal.RETIRED))).contains("old-pending", "torn");
  }
}
