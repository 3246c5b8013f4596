package dev.stevedore.agent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The host's agent lock: an exclusive {@link FileChannel#tryLock() file lock} on
 * {@code <stateDirectory>/agent.lock}. Whoever holds it owns the state file and is the only
 * process that runs deployment cycles on this host: the agent daemon for as long as it runs, or a
 * one-shot {@code stevedore-agent deploy} when no daemon runs. The operating system releases it
 * when the holder dies (SIGKILL included), so a crash never leaves it behind. The file's content
 * (pid and role of the holder) is for messages only; the lock is what counts.
 */
public final class HostLock implements AutoCloseable {
  public static final String FILE = "agent.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private HostLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock if it is free; empty when another process (or this one) holds it. Blocking I/O. */
  public static Optional<HostLock> tryAcquire(Path stateDirectory, String role) throws IOException {
    Files.createDirectories(stateDirectory);
    FileChannel ch = FileChannel.open(stateDirectory.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      return Optional.empty();
    }
    ch.truncate(0);
    ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " " + role + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    ch.force(false);
    return Optional.of(new HostLock(ch, lock));
  }

  /** Who holds the lock, as its holder wrote it ("pid 123 agent"), for messages; "unknown" when unreadable. */
  public static String holder(Path stateDirectory) {
    try {
      String s = Files.readString(stateDirectory.resolve(FILE), StandardCharsets.UTF_8).trim();
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
    }
  }
}
