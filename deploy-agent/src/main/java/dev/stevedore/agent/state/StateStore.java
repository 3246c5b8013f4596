package dev.stevedore.agent.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The agent's durable state: one JSON file written atomically (temporary file, fsync, atomic
 * rename, fsync of the directory) on a worker thread. Writes are ordered, and each writes the
 * snapshot taken when {@link #save()} was called on the event loop.
 */
public final class StateStore {
  public static final String FILE = "agent-state.json";
  private static final ObjectMapper MAPPER = JsonMappers.stateFiles();

  private final Path directory;
  private final WorkerExecutor worker;
  private final AgentState state;

  private StateStore(Path directory, WorkerExecutor worker, AgentState state) {
    this.directory = directory;
    this.worker = worker;
    this.state = state;
  }

  /** Reads the state file (or starts empty) on the worker. */
  public static Future<StateStore> open(Vertx vertx, Path directory, WorkerExecutor worker) {
    return worker.executeBlocking(() -> {
      AgentState state = read(directory);
      if (state.joinedAt == null) {
        // The first start on this host (or a state file from before joinedAt existed): remember
        // it at once, so a restart before the first deployment keeps the same moment.
        state.joinedAt = java.time.Instant.now().toString();
        write(directory, MAPPER.writeValueAsBytes(state));
      }
      return new StateStore(directory, worker, state);
    }, true);
  }

  public static AgentState read(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve(FILE);
    if (!Files.exists(file)) {
      return new AgentState();
    }
    try {
      return MAPPER.readValue(file.toFile(), AgentState.class);
    } catch (IOException e) {
      throw new IOException("state file " + file + " is unreadable (" + e.getMessage()
          + "); move it aside to start from scratch", e);
    }
  }

  public AgentState state() {
    return state;
  }

  public Path directory() {
    return directory;
  }

  /** Writes the current state; the future completes once it is on disk. */
  public Future<Void> save() {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(state);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return worker.executeBlocking(() -> {
      write(directory, bytes);
      return null;
    }, true);
  }

  static void write(Path directory, byte[] bytes) throws IOException {
    Path tmp = directory.resolve(FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException ignored) {
      // some file systems cannot fsync a directory; the rename is still atomic
    }
  }
}
