package dev.stevedore.trigger.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleStoreTest {
  @TempDir Path dir;
  static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

  static Schedule schedule(String id, Instant at) {
    return new Schedule(id, "web", "prod", "v1", at, "why", "api:alice", T, Schedule.State.PENDING, T, "api:alice");
  }

  @Test
  void changesSurviveReopening() {
    try (ScheduleStore store = ScheduleStore.open(dir)) {
      store.put(schedule("b", T.plusSeconds(20)));
      store.put(schedule("a", T.plusSeconds(10)));
      store.put(schedule("c", T.plusSeconds(30)));
      store.put(store.get("c").orElseThrow().with(Schedule.State.CANCELLED, T, "bob"));
    }
    try (ScheduleStore again = ScheduleStore.open(dir)) {
      assertThat(again.pending()).extracting(Schedule::id).containsExactly("a", "b");
      assertThat(again.get("c").orElseThrow().state()).isEqualTo(Schedule.State.CANCELLED);
      assertThat(again.get("c").orElseThrow().changedBy()).isEqualTo("bob");
    }
  }

  @Test
  void theJournalKeepsItsLowerCaseStateWords() throws Exception {
    try (ScheduleStore store = ScheduleStore.open(dir)) {
      store.put(schedule("a", T));
      store.put(store.get("a").orElseThrow().with(Schedule.State.FIRED, T, "scheduler"));
    }
    assertThat(java.nio.file.Files.readString(dir.resolve(ScheduleStore.FILE)))
        .contains("\"state\":\"pending\"").contains("\"state\":\"fired\"");
  }

  @Test
  void aTornLastLineIsSkippedButCorruptionElsewhereStopsStartUp() throws Exception {
    try (ScheduleStore store = ScheduleStore.open(dir)) {
      store.put(schedule("a", T));
    }
    Files.writeString(dir.resolve(ScheduleStore.FILE), "{\"id\":\"half", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (ScheduleStore again = ScheduleStore.open(dir)) {
      assertThat(again.pending()).extracting(Schedule::id).containsExactly("a");
    }
    Files.writeString(dir.resolve(ScheduleStore.FILE), "garbage\n" + Files.readString(dir.resolve(ScheduleStore.FILE)));
    assertThatThrownBy(() -> ScheduleStore.open(dir)).hasMessageContaining("corrupt");
  }

  @Test
  void openingCompactsTheJournal() throws Exception {
    try (ScheduleStore store = ScheduleStore.open(dir)) {
      for (int i = 0; i < 50; i++) {
        store.put(schedule("a", T.plusSeconds(i)));
      }
    }
    assertThat(Files.readAllLines(dir.resolve(ScheduleStore.FILE))).hasSize(50);
    try (ScheduleStore again = ScheduleStore.open(dir)) {
      assertThat(again.get("a").orElseThrow().notBefore()).isEqualTo(T.plusSeconds(49));
    }
    assertThat(Files.readAllLines(dir.resolve(ScheduleStore.FILE))).hasSize(1);
  }

  @Test
  void theDirectoryIsForcedAfterItIsCreatedAndAfterTheJournalIsRenamedIntoIt() {
    java.util.List<Path> forced = new java.util.concurrent.CopyOnWriteArrayList<>();
    Path nested = dir.resolve("new").resolve("schedules");
    try (ScheduleStore store = ScheduleStore.open(nested, forced::add)) {
      store.put(schedule("a", T.plusSeconds(10)));
    }
    assertThat(forced).containsExactly(nested.getParent().toAbsolutePath(), nested.toAbsolutePath());
    forced.clear();
    try (ScheduleStore again = ScheduleStore.open(nested, forced::add)) {
      assertThat(again.pending()).hasSize(1);
    }
    assertThat(forced).as("reopening compacts: a rename, then the directory forced").containsExactly(nested.toAbsolutePath());
  }
}
