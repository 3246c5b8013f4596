package dev.stevedore.trigger.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedule journal of releases before the schedule topic ({@code schedules.jsonl} in
 * {@code schedules.dataDir}: JSON lines, the last line of an id wins), now read once as migration
 * input and never written. {@link #read} returns its schedules (a torn last line, a crash during a
 * write, and corrupt lines are skipped and named); {@link #retire} renames the file to
 * {@code schedules.jsonl.migrated} (kept, for people) once its pending schedules are on the topic.
 * Both block (disk): call them on a worker.
 */
public final class LegacyJournal {
  private static final Logger LOG = LoggerFactory.getLogger(LegacyJournal.class);
  public static final String FILE = "schedules.jsonl";
  public static final String RETIRED = "schedules.jsonl.migrated";

  /** What the journal held, and the lines that could not be read (1-based, with the reason). */
  public record Contents(List<Schedule> schedules, List<String> unreadable) {}

  private LegacyJournal() {}

  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  public static Contents read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    ObjectMapper json = JsonMappers.events(false);
    Map<String, Schedule> last = new LinkedHashMap<>();
    List<String> unreadable = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        Schedule s = json.readValue(line, Schedule.class);
        if (s == null || s.id() == null || s.state() == null || s.notBefore() == null) {
          throw new IOException("not a complete schedule");
        }
        last.remove(s.id());
        last.put(s.id(), s);
      } catch (IOException e) {
        String why = i == lines.size() - 1 ? "a torn last line (a crash during a write, never acknowledged)"
            : "corrupt: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        unreadable.add("line " + (i + 1) + ": " + why);
      }
    }
    return new Contents(List.copyOf(last.values()), List.copyOf(unreadable));
  }

  /** Renames the journal so it is not migrated again; an older retired copy is kept under a numbered name. */
  public static Path retire(Path dir) throws IOException {
    Path target = dir.resolve(RETIRED);
    for (int n = 1; Files.exists(target); n++) {
      target = dir.resolve(RETIRED + "." + n);
    }
    Files.move(dir.resolve(FILE), target, StandardCopyOption.ATOMIC_MOVE);
    LOG.info("schedule journal {} retired to {} (no longer read or written)", dir.resolve(FILE), target);
    return target;
  }
}
