package dev.stevedore.trigger.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules on local disk: a journal of JSON lines ({@code schedules.jsonl}), one line per change,
 * each write forced to disk before it counts; the last line of an id wins. Opening compacts the
 * journal (write a new file, force it, rename over the old one, force the directory) and skips a
 * torn last line; a directory it creates is forced into its parent.
 * {@link #open}, {@link #put} and {@link #close} block (disk, fsync): call them on a worker.
 * {@link #get} and {@link #pending} only read the map in memory and may be called on an event loop.
 */
public final class ScheduleStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleStore.class);
  static final String FILE = "schedules.jsonl";
  /** Finished (fired, cancelled) schedules kept for {@code GET /schedules/{id}} after compaction. */
  static final int KEEP_FINISHED = 1000;

  private final ObjectMapper json = JsonMappers.events(false);
  private final Path file;
  private final Map<String, Schedule> schedules = new LinkedHashMap<>();
  private FileChannel channel;
  /**
   * Held while the journal is written and forced to disk. The map has its own lock (this), held
   * only for moments: the scheduler reads it on an event loop and must never wait for a disk.
   */
  private final Object journal = new Object();

  /**
   * Forces a directory's entries to disk: a created or renamed file survives a power loss only once
   * its directory is forced too, not only its own bytes.
   */
  @FunctionalInterface
  interface Directories {
    void force(Path dir) throws IOException;

    Directories FSYNC = dir -> {
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    };
  }

  private final Directories directories;

  private ScheduleStore(Path dir, Directories directories) {
    this.file = dir.resolve(FILE);
    this.directories = directories;
  }

  public static ScheduleStore open(Path dir) {
    return open(dir, Directories.FSYNC);
  }

  static ScheduleStore open(Path dir, Directories directories) {
    ScheduleStore store = new ScheduleStore(dir, directories);
    try {
      Path absolute = dir.toAbsolutePath();
      if (!Files.isDirectory(absolute)) {
        Files.createDirectories(absolute);
        if (absolute.getParent() != null) {
          directories.force(absolute.getParent()); // the new directory's entry in its parent
        }
      }
      store.load();
      store.compact();
      store.channel = FileChannel.open(store.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the schedule journal " + store.file + ": " + e.getMessage(), e);
    }
    return store;
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        Schedule s = json.readValue(line, Schedule.class);
        schedules.remove(s.id());
        schedules.put(s.id(), s);
      } catch (IOException e) {
        if (i == lines.size() - 1) {
          LOG.warn("skipping a torn last line of {} (a crash during a write; that change was never acknowledged)", file);
        } else {
          throw new IOException("line " + (i + 1) + " of " + file + " is corrupt: " + e.getMessage(), e);
        }
      }
    }
  }

  private void compact() throws IOException {
    List<Schedule> finished = schedules.values().stream().filter(s -> !s.pending())
        .sorted(Comparator.comparing(Schedule::changedAt, Comparator.nullsFirst(Comparator.naturalOrder())))
        .collect(Collectors.toList());
    for (int i = 0; i < finished.size() - KEEP_FINISHED; i++) {
      schedules.remove(finished.get(i).id());
    }
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (Schedule s : schedules.values()) {
        write(out, s);
      }
      out.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    directories.force(file.toAbsolutePath().getParent()); // the rename (and the file's creation) are durable
  }

  private void write(FileChannel out, Schedule s) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap((json.writeValueAsString(s) + "\n").getBytes(StandardCharsets.UTF_8));
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  /** Writes the schedule's new state and forces it to disk before returning. */
  public Schedule put(Schedule s) {
    synchronized (journal) {
      try {
        write(channel, s);
        channel.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the schedule journal " + file, e);
      }
      synchronized (this) {
        schedules.remove(s.id());
        schedules.put(s.id(), s);
      }
    }
    return s;
  }

  public synchronized Optional<Schedule> get(String id) {
    return Optional.ofNullable(schedules.get(id));
  }

  public synchronized List<Schedule> pending() {
    List<Schedule> out = new ArrayList<>();
    schedules.values().stream().filter(Schedule::pending)
        .sorted(Comparator.comparing(Schedule::notBefore)).forEach(out::add);
    return out;
  }

  @Override
  public void close() {
    synchronized (journal) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException e) {
        LOG.warn("closing {}: {}", file, e.toString());
      }
    }
  }
}
