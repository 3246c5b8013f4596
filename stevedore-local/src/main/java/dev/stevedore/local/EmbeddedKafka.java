package dev.stevedore.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker in a child JVM, its data in a local folder so that a restart
 * keeps topics and offsets. A child JVM (not in-process) because the broker's kafka-clients
 * version differs from the one the services use. Blocking: call it from a worker or from main.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Path libs;
  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private Process process;

  public EmbeddedKafka(Path libs, Path dataDir, int port, int controllerPort) {
    this.libs = libs;
    this.dataDir = dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Formats the storage on first use, starts the broker and waits until it accepts connections. */
  public EmbeddedKafka start(Duration timeout) throws Exception {
    if (!Files.isDirectory(libs) || listJars().isEmpty()) {
      throw new IOException("Kafka broker jars not found in " + libs
          + " (build first: mvn -B -q package -DskipTests)");
    }
    stopOrphan();
    if (portInUse(port) || portInUse(controllerPort)) {
      throw new IOException("port " + port + " or " + controllerPort + " is already in use on 127.0.0.1;"
          + " set STEVEDORE_LOCAL_KAFKA_PORT to another port");
    }
    Path logs = dataDir.resolve("logs");
    Path props = dataDir.resolve("server.properties");
    Files.createDirectories(logs);
    Files.writeString(props, serverProperties(logs), StandardCharsets.UTF_8);
    Path log4j = dataDir.resolve("log4j2.properties");
    Files.writeString(log4j, LOG4J.replace("@FILE@", dataDir.resolve("kafka.log").toString()), StandardCharsets.UTF_8);

    if (!Files.exists(logs.resolve("meta.properties"))) {
      String clusterId = base64Uuid();
      log.info("Formatting Kafka storage in {} (cluster {})", logs, clusterId);
      run(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props.toString()), log4j,
          Duration.ofMinutes(1));
    }
    List<String> command = java(log4j, "-Xmx512m");
    command.add("kafka.Kafka");
    command.add(props.toString());
    log.info("Starting embedded Kafka on {} (data in {})", bootstrapServers(), dataDir);
    // In its own session (setsid) so that Ctrl-C in the terminal reaches only the launcher, which
    // then stops the services first and the broker last.
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add(0, "/usr/bin/setsid");
    }
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("kafka.out").toFile()))
        .start();
    Files.writeString(pidFile(), Long.toString(process.pid()));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!portInUse(port)) {
      if (!process.isAlive()) {
        throw new IOException("Kafka exited with " + process.exitValue() + "; see " + dataDir.resolve("kafka.out")
            + " and " + dataDir.resolve("kafka.log"));
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IOException("Kafka did not listen on " + bootstrapServers() + " within " + timeout);
      }
      Thread.sleep(100);
    }
    return this;
  }

  private Path pidFile() {
    return dataDir.resolve("kafka.pid");
  }

  /** A broker left running by a launcher that was killed (kill -9) holds the ports: stop it. */
  private void stopOrphan() throws Exception {
    if (!Files.exists(pidFile())) {
      return;
    }
    long pid = Long.parseLong(Files.readString(pidFile()).strip());
    var orphan = ProcessHandle.of(pid)
        .filter(p -> p.info().commandLine().map(c -> c.contains("kafka.Kafka") && c.contains(dataDir.toString())).orElse(false));
    if (orphan.isPresent()) {
      log.warn("Stopping the embedded Kafka broker (pid {}) left running by an earlier launcher", pid);
      orphan.get().destroy();
      orphan.get().onExit().get(30, TimeUnit.SECONDS);
    }
    Files.deleteIfExists(pidFile());
  }

  private String serverProperties(Path logs) {
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + logs,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "");
  }

  private void run(List<String> args, Path log4j, Duration timeout) throws IOException, InterruptedException {
    List<String> command = java(log4j, "-Xmx256m");
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("kafka.out").toFile())).start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException(args.get(0) + " did not finish within " + timeout);
    }
    if (p.exitValue() != 0) {
      throw new IOException(args.get(0) + " failed with exit code " + p.exitValue() + "; see " + dataDir.resolve("kafka.out"));
    }
  }

  private List<String> java(Path log4j, String heap) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(heap);
    command.add("-Dlog4j2.configurationFile=" + log4j);
    command.add("-cp");
    command.add(libs.toAbsolutePath() + "/*");
    return command;
  }

  private List<Path> listJars() throws IOException {
    try (var stream = Files.list(libs)) {
      return stream.filter(p -> p.toString().endsWith(".jar")).toList();
    }
  }

  static boolean portInUse(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String base64Uuid() {
    UUID uuid = UUID.randomUUID();
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(16);
    buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
  }

  /** Stops the broker cleanly (SIGTERM, then a forced stop after 20 s). */
  @Override
  public void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    log.info("Stopping embedded Kafka");
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      log.debug("cannot remove {}", pidFile(), e);
    }
  }

  private static final String LOG4J = String.join("\n",
      "status = warn",
      "appender.file.type = File",
      "appender.file.name = file",
      "appender.file.fileName = @FILE@",
      "appender.file.layout.type = PatternLayout",
      "appender.file.layout.pattern = %d{ISO8601} %-5p [%c{1}] %m%n",
      "rootLogger.level = warn",
      "rootLogger.appenderRef.file.ref = file",
      "logger.kafka.name = kafka.server.KafkaRaftServer",
      "logger.kafka.level = info",
      "");
}
