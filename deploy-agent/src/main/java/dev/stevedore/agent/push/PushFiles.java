package dev.stevedore.agent.push;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The hand-over folder {@code <stateDirectory>/push}: per push deploy a {@code <id>.request}
 * (written by the one-shot process, renamed to {@code <id>.taken} once the agent recorded it as the
 * service's desired version), a {@code <id>.log} of progress lines the agent appends as the cycle
 * goes (its last line is {@code exit <code>}), and a {@code <id>.cancel} a timed-out push leaves.
 * Blocking I/O: call from worker threads or the one-shot's main thread.
 */
public final class PushFiles {
  public static final String DIRECTORY = "push";
  static final String EXIT_PREFIX = "exit ";

  private final Path dir;

  public PushFiles(Path stateDirectory) {
    this.dir = stateDirectory.resolve(DIRECTORY);
  }

  public Path dir() {
    return dir;
  }

  Path request(String id) {
    return dir.resolve(id + ".request");
  }

  Path taken(String id) {
    return dir.resolve(id + ".taken");
  }

  Path log(String id) {
    return dir.resolve(id + ".log");
  }

  Path cancel(String id) {
    return dir.resolve(id + ".cancel");
  }

  /** Written aside and renamed, so the agent never reads half a request. */
  void writeRequest(PushRequest r) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(r.deploymentId() + ".tmp");
    Files.write(tmp, r.encode());
    Files.move(tmp, request(r.deploymentId()), StandardCopyOption.ATOMIC_MOVE);
  }

  void append(String id, String line) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(log(id), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }

  void delete(String id) {
    for (Path p : new Path[] {request(id), taken(id), log(id), cancel(id)}) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a leftover file of a finished push is harmless; the next agent start removes stale ones
      }
    }
  }
}
