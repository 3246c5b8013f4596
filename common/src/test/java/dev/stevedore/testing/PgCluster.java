package dev.stevedore.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster of the test's own (initdb in a temporary directory, a free port
 * on 127.0.0.1, trust authentication), which the test may stop and start at will without
 * disturbing the shared server. Runs the server as user postgres when the tests run as root.
 */
public final class PgCluster implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asPostgres;

  private PgCluster(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asPostgres = "root".equals(System.getProperty("user.name"));
  }

  public static PgCluster create() throws IOException, InterruptedException {
    Path bin = findBin();
    int port = FreePorts.find();
    Path dir = Files.createTempDirectory("stevedore-pg-");
    PgCluster cluster = new PgCluster(bin, dir, port);
    if (cluster.asPostgres) {
      run(List.of("chown", "postgres:postgres", dir.toString()), 30);
    }
    try {
      cluster.pg(List.of(bin.resolve("initdb").toString(), "-D", cluster.data.toString(), "-U", "postgres",
          "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"), 120);
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static Path findBin() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.naturalOrder())
          .orElseThrow(() -> new IllegalStateException("no pg_ctl under /usr/lib/postgresql: apt-get install postgresql"));
    } catch (IOException e) {
      throw new IllegalStateException("PostgreSQL binaries missing (/usr/lib/postgresql): apt-get install postgresql", e);
    }
  }

  public void start() throws IOException, InterruptedException {
    pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "-t", "60", "start"), 90);
  }

  /** Stops the server the hard way (as a crash or a lost network would look to the client). */
  public void stop() throws IOException, InterruptedException {
    pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
  }

  /** The JDBC URL of its {@code postgres} database (user {@code postgres}, no password). */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  private void pg(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full, timeoutSeconds);
  }

  private static void run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(command + " exited " + p.exitValue() + ": " + new String(out, StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() throws IOException {
    try {
      pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
    } catch (IllegalStateException notRunning) {
      // already stopped
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
