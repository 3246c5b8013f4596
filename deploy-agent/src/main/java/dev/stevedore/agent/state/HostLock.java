package dev.stevedore.agent.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's agent lock: an exclusive {@link FileChannel#tryLock() file lock} on
 * {@code <stateDirectory>/agent.lock}. Whoever holds it owns the state file and is the only
 * process that runs deployment cycles on this host: the agent daemon for as long as it runs, or a
 * one-shot {@code stevedore-agent deploy} when no daemon runs. The operating system releases it
 * when the holder dies (SIGKILL included), so a crash never leaves it behind.
 *
 * <p>POSIX record locks belong to the process and are dropped when the process closes <em>any</em>
 * descriptor of the file, so this class never opens the lock file twice in one JVM (a second
 * {@link #tryAcquire} here answers "held" without touching it), and who holds it (pid and role,
 * for messages only) is written to a separate file, {@value #OWNER_FILE}.
 */
public final class HostLock implements AutoCloseable {
  public static final String FILE = "agent.lock";
  public static final String OWNER_FILE = "agent.lock.owner";
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;

  private HostLock(Path path, FileChannel channel, FileLock lock) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock if it is free; empty when another process (or this one) holds it. Blocking I/O. */
  public static Optional<HostLock> tryAcquire(Path stateDirectory, String role) throws IOException {
    Files.createDirectories(stateDirectory);
    Path path = stateDirectory.resolve(FILE).toAbsolutePath().normalize();
    if (!HELD.add(path)) {
      return Optional.empty();
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        HELD.remove(path);
        return Optional.empty();
      }
      Files.writeString(stateDirectory.resolve(OWNER_FILE), "pid " + ProcessHandle.current().pid() + " " + role + "\n",
          StandardCharsets.UTF_8);
      return Optional.of(new HostLock(path, ch, lock));
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      HELD.remove(path);
      throw e;
    }
  }

  /** Who holds the lock, as its holder wrote it ("pid 123 agent web-1"), for messages; "unknown" when unreadable. */
  public static String holder(Path stateDirectory) {
    try {
      String s = Files.readString(stateDirectory.resolve(OWNER_FILE), StandardCharsets.UTF_8).trim();
      return s.isEmpty() ? "unknown" : s;
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to do
    } finally {
      HELD.remove(path);
    }
  }
}
