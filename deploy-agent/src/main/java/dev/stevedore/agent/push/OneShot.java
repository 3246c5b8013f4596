package dev.stevedore.agent.push;

import dev.stevedore.agent.OneShotAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.state.HostLock;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code stevedore-agent deploy --service S --version V}: one run of the agent's cycle on this
 * host, with the host's agent configuration, streamed line by line to stdout.
 *
 * <p>The push is written to the hand-over folder ({@link PushFiles}). When the agent daemon runs
 * (it holds the host lock, {@link HostLock}), the daemon takes it like any request: one cycle at
 * a time per service, so a push for a service the daemon is deploying waits for that deployment,
 * at most {@code push.lockWait}; the push is then withdrawn and the exit code is {@link PushExit#TIMEOUT}.
 * When no daemon runs, this process takes the host lock and runs the same core itself
 * ({@link OneShotAgent}): events go to the durable outbox, which the daemon publishes when it
 * next runs. A daemon that starts meanwhile waits for the lock.
 */
public final class OneShot {
  /** How long a push handed to the daemon may stay untaken before this process checks whether the daemon is gone. */
  static final Duration HANDOVER = Duration.ofSeconds(5);

  private final AgentConfig config;
  private final PrintStream out;
  private final PrintStream err;

  public OneShot(AgentConfig config, PrintStream out, PrintStream err) {
    this.config = config;
    this.out = out;
    this.err = err;
  }

  public PushExit run(DeployCommand command, String requestedBy) {
    if (!config.services().containsKey(command.service())) {
      err.println("refused: service " + command.service() + " is not managed by the agent on this host (it manages "
          + config.services().keySet() + ")");
      return PushExit.REFUSED;
    }
    Path stateDir = Path.of(config.stateDirectory());
    PushFiles files = new PushFiles(stateDir);
    String id = UUID.randomUUID().toString();
    Vertx vertx = null;
    HostLock lock = null;
    try {
      files.writeRequest(new PushRequest(id, command.service(), command.version(), Instant.now(), requestedBy));
      out.println("push " + id + ": " + command.service() + " " + command.version() + " on " + config.hostId());
      out.flush();
      Optional<HostLock> own = HostLock.tryAcquire(stateDir, "push " + id);
      if (own.isPresent()) {
        lock = own.get();
        vertx = runCore();
      } else {
        out.println("the agent daemon on this host (" + HostLock.holder(stateDir) + ") runs the cycle; this push waits "
            + "at most " + config.push().lockWait() + " for another deployment of " + command.service() + " to end");
        out.flush();
      }
      long handedAt = System.nanoTime();
      long waitUntil = System.nanoTime() + config.push().lockWait().toNanos();
      boolean started = false;
      long position = 0;
      while (true) {
        Tail t = tail(files.log(id), position);
        position = t.position;
        for (String line : t.lines) {
          if (line.startsWith(PushFiles.EXIT_PREFIX)) {
            return PushExit.of(Integer.parseInt(line.substring(PushFiles.EXIT_PREFIX.length()).trim()));
          }
          started |= line.startsWith("started ");
          out.println(line);
        }
        out.flush();
        if (lock == null && Files.exists(files.request(id)) && System.nanoTime() - handedAt > HANDOVER.toNanos()) {
          // Untaken: maybe the daemon stopped after we looked. Then this process runs the cycle.
          Optional<HostLock> now = HostLock.tryAcquire(stateDir, "push " + id);
          if (now.isPresent()) {
            lock = now.get();
            out.println("the agent daemon is gone; this process runs the cycle");
            vertx = runCore();
          }
          handedAt = System.nanoTime();
        }
        if (!started && System.nanoTime() > waitUntil) {
          return timedOut(files, id, position);
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("interrupted");
      return PushExit.ERROR;
    } catch (Exception e) {
      err.println("push failed on " + config.hostId() + ": " + e.getMessage());
      return PushExit.ERROR;
    } finally {
      stop(vertx);
      if (lock != null) {
        lock.close();
      }
      files.delete(id);
    }
  }

  /** The wait for another deployment of the service ran out: withdraw the push and say so. */
  private PushExit timedOut(PushFiles files, String id, long position) throws IOException, InterruptedException {
    Files.writeString(files.cancel(id), "timeout\n");
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < until) {
      Tail t = tail(files.log(id), position);
      position = t.position;
      for (String line : t.lines) {
        if (line.startsWith(PushFiles.EXIT_PREFIX)) {
          err.println("timed out: another deployment of this service ran on " + config.hostId() + " for longer than "
              + "push.lockWait (" + config.push().lockWait() + "); this push was withdrawn and changed nothing");
          return PushExit.TIMEOUT;
        }
        out.println(line);
      }
      Thread.sleep(100);
    }
    err.println("timed out after push.lockWait (" + config.push().lockWait() + ") and the withdrawal was not confirmed: "
        + "the agent may still deploy this version");
    return PushExit.TIMEOUT;
  }

  private Vertx runCore() throws Exception {
    out.println("no agent daemon runs on this host; this process runs the cycle");
    out.flush();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    try {
      vertx.deployVerticle(new OneShotAgent(config)).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      stop(vertx);
      throw new IOException("the agent's core did not start: " + e.getMessage(), e);
    }
    return vertx;
  }

  private static void stop(Vertx vertx) {
    if (vertx == null) {
      return;
    }
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the process ends anyway
    }
  }

  private record Tail(long position, java.util.List<String> lines) {}

  /** Complete lines of {@code file} after {@code position}. */
  private static Tail tail(Path file, long position) throws IOException {
    if (!Files.exists(file)) {
      return new Tail(position, java.util.List.of());
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (length <= position) {
        return new Tail(position, java.util.List.of());
      }
      byte[] buf = new byte[(int) Math.min(length - position, 1 << 20)];
      raf.seek(position);
      raf.readFully(buf);
      int end = -1;
      for (int i = buf.length - 1; i >= 0; i--) {
        if (buf[i] == '\n') {
          end = i;
          break;
        }
      }
      if (end < 0) {
        return new Tail(position, java.util.List.of());
      }
      String text = new String(buf, 0, end, StandardCharsets.UTF_8);
      return new Tail(position + end + 1, java.util.List.of(text.split("\n", -1)));
    }
  }
}
