package dev.stevedore.agent.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
 * rename, fsync of the directory) on a worker thread.
 *
 * <p>Saves are committed in groups: a {@link #save()} completes once a write of a snapshot taken
 * after the call is on disk. The snapshot is taken on the store's context at the end of the
 * current task, and while one write is on the worker the saves asked for meanwhile share the
 * next. So the saves of one step (the desired version, then the journal of the attempt's first
 * step; an outcome and the outbox) cost one write, not one each, and each still waits for its
 * changes to be durable. One write at a time, in order.
 */
public final class StateStore {
  public static final String FILE = "agent-state.json";
  private static final ObjectMapper MAPPER = JsonMappers.stateFiles();

  private final Path directory;
  private final WorkerExecutor worker;
  private final AgentState state;
  /** Where the state is changed and snapshots are taken (the agent's event loop). */
  private final Context context;
  /** The saves waiting for the next write (null: none). */
  private Promise<Void> waiting;
  /** A write is on the worker, or one is queued to start at the end of the current task. */
  private boolean busy;
  /** Read by the metrics scrape on another thread. */
  private volatile long writes;

  private StateStore(Path directory, WorkerExecutor worker, AgentState state, Context context) {
    this.directory = directory;
    this.worker = worker;
    this.state = state;
    this.context = context;
  }

  /**
   * Reads the state file (or starts empty) on the worker. Call it on the context that changes the
   * state (the agent's event loop): snapshots are taken there, and saves from elsewhere go there.
   */
  public static Future<StateStore> open(Vertx vertx, Path directory, WorkerExecutor worker) {
    Context context = vertx.getOrCreateContext();
    return worker.executeBlocking(() -> {
      AgentState state = read(directory);
      if (state.joinedAt == null) {
        // The first start on this host (or a state file from before joinedAt existed): remember
        // it at once, so a restart before the first deployment keeps the same moment.
        state.joinedAt = java.time.Instant.now().toString();
        write(directory, MAPPER.writeValueAsBytes(state));
      }
      return new StateStore(directory, worker, state, context);
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

  /** Writes the current state; the future completes once it (or a later state) is on disk. */
  public Future<Void> save() {
    if (Vertx.currentContext() != context) {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> save().onComplete(done));
      return done.future();
    }
    if (waiting == null) {
      waiting = Promise.promise();
    }
    Future<Void> saved = waiting.future();
    if (!busy) {
      busy = true;
      context.runOnContext(v -> write());
    }
    return saved;
  }

  /** How many times the state file was written since the agent started. */
  public long writes() {
    return writes;
  }

  /** Takes the snapshot for everyone waiting and writes it; the saves asked for meanwhile get the next. */
  private void write() {
    Promise<Void> these = waiting;
    waiting = null;
    if (these == null) {
      busy = false;
      return;
    }
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(state);
    } catch (IOException e) {
      these.fail(e);
      write();
      return;
    }
    writes++;
    worker.<Void>executeBlocking(() -> {
      write(directory, bytes);
      return null;
    }, true).onComplete(ar -> {
      these.handle(ar);
      write();
    });
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
