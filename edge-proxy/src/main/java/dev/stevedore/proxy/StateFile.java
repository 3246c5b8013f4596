package dev.stevedore.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.runtime.JsonMappers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The proxy's state on disk: written to a temporary file, forced, then moved over the old one, so
 * a crash leaves either the old or the new state, never half of one. Blocking: call it from a
 * worker (or at start-up).
 */
public final class StateFile {
  private static final ObjectMapper JSON = JsonMappers.stateFiles();

  private final Path path;

  public StateFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The saved state, or the empty state when there is none yet. */
  public ProxyState load() throws IOException {
    if (!Files.exists(path)) {
      return ProxyState.empty();
    }
    return JSON.readValue(path.toFile(), ProxyState.class);
  }

  public void save(ProxyState state) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve(path.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(state)));
      ch.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
