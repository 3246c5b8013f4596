package dev.stevedore.dist;

import static dev.stevedore.testing.DockerTestSupport.docker;
import static dev.stevedore.testing.DockerTestSupport.dockerOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.testing.ProcessResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stevedore-agent Debian package as an operator meets it: installed with dpkg into a Debian
 * container (stevedore/jre:17, the debootstrap'ed bookworm of scripts/build-images.sh, with the
 * JRE the package depends on), then the agent started the way its systemd unit starts it (the
 * unit's ExecStart, as the unit's user, in its working directory; the container has no systemd),
 * against a real Kafka broker: its health endpoint answers and its heartbeat arrives. Then an
 * upgrade in place keeps the admin's config, and a purge removes what the package owns. One
 * container for the class; the tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentDebIT {
  static final String IMAGE = System.getProperty("stevedore.dist.jre.image", "stevedore/jre:17");
  static final Path DIST = Path.of(System.getProperty("stevedore.dist.dir", "target"));
  static final String VERSION = System.getProperty("stevedore.dist.version", "0.1.0-SNAPSHOT");
  static final String CONFIG = "/etc/stevedore/agent.yml";
  static final String UNIT = "/lib/systemd/system/stevedore-agent.service";
  /** The agent's own start timeout (AgentMain): at load average 90 on 2 cores it took over 2 minutes. */
  static final Duration START_TIMEOUT = Duration.ofMinutes(5);

  @TempDir static Path dir;
  static final String container = DockerTestSupport.uniqueName("stevedore-deb");
  static final String hostId = container.replace("stevedore-deb-", "deb-host-");
  static final int opsPort = FreePorts.find();
  static Path deb;
  static KafkaTestSupport kafka;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() throws IOException {
    try (Stream<Path> files = Files.list(DIST)) {
      deb = files.filter(p -> p.getFileName().toString().matches("stevedore-agent_.*_all\\.deb")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no stevedore-agent_*_all.deb in " + DIST + " (mvn package)"));
    }
    assertThat(DockerTestSupport.imageExists(IMAGE)).as("%s (scripts/build-images.sh jre)", IMAGE).isTrue();
    kafka = KafkaTestSupport.shared();
    kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
    kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));
    // Host network: the agent reaches the broker's published port on loopback, the test reaches
    // the agent's ops port. The container only sleeps; everything runs through docker exec.
    dockerOk("run", "-d", "--name", container, "--label", DockerTestSupport.TEST_LABEL, "--network", "host",
        "--init", IMAGE, "sleep", "infinity");
    dockerOk("cp", deb.toString(), container + ":/tmp/stevedore-agent.deb");
  }

  @AfterAll
  static void stop() {
    docker("rm", "-f", container);
  }

  static ProcessResult exec(String... command) {
    List<String> args = new ArrayList<>(List.of("exec", container));
    args.addAll(Arrays.asList(command));
    return docker(args.toArray(String[]::new));
  }

  static String execOk(String... command) {
    return exec(command).orThrow().out();
  }

  /** The unit's ExecStart as an argument list (the unit has no quoting or variables in it). */
  static List<String> execStart() {
    return execOk("cat", UNIT).lines().filter(l -> l.startsWith("ExecStart=")).findFirst()
        .map(l -> List.of(l.substring("ExecStart=".length()).trim().split("\\s+")))
        .orElseThrow();
  }

  /** The unit's command as the unit's user (setpriv execs: the pid file names the JVM). */
  static List<String> asUnitUser(List<String> command) {
    List<String> args = new ArrayList<>(List.of("setpriv", "--reuid=stevedore", "--regid=stevedore", "--init-groups"));
    args.addAll(command);
    return args;
  }

  @Test
  @Order(1)
  void installsWithDpkg() {
    ProcessResult install = exec("dpkg", "-i", "/tmp/stevedore-agent.deb");
    assertThat(install.ok()).as(install.describe()).isTrue();
    assertThat(install.stdout()).contains("edit " + CONFIG);

    String user = execOk("getent", "passwd", "stevedore");
    String[] fields = user.split(":");
    assertThat(Integer.parseInt(fields[2])).as("a system uid: %s", user).isLessThan(1000);
    assertThat(fields[5]).isEqualTo("/var/lib/stevedore-agent");
    assertThat(fields[6]).isEqualTo("/usr/sbin/nologin");
    assertThat(execOk("stat", "-c", "%U:%G:%a", CONFIG)).isEqualTo("root:stevedore:640");
    assertThat(execOk("stat", "-c", "%U:%G:%a", "/var/lib/stevedore-agent")).isEqualTo("stevedore:stevedore:750");
    assertThat(execOk("dpkg-query", "-W", "-f", "${Conffiles}", "stevedore-agent")).contains(CONFIG);
    assertThat(execOk("dpkg-query", "-W", "-f", "${Depends}", "stevedore-agent")).contains("java17-runtime-headless");
    assertThat(execOk("readlink", "-f", "/usr/bin/stevedore-agent")).isEqualTo("/usr/share/stevedore/bin/stevedore-agent");
    assertThat(execOk("test", "-f", "/usr/share/stevedore/lib/deploy-agent.jar")).isEmpty();

    String unit = execOk("cat", UNIT);
    assertThat(unit).contains("User=stevedore", "WorkingDirectory=/var/lib/stevedore-agent",
        "EnvironmentFile=-/etc/stevedore/agent.env", "WantedBy=multi-user.target");
    assertThat(execStart()).containsExactly("/usr/bin/stevedore-agent", "--config", CONFIG);
    // Not readable by others: the config may point at secrets.
    assertThat(exec("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "cat", CONFIG).ok()).isFalse();
  }

  @Test
  @Order(2)
  void printsItsVersion() {
    ProcessResult version = exec("stevedore-agent", "--version");
    assertThat(version.ok()).as(version.describe()).isTrue();
    assertThat(version.stdout()).contains(VERSION);
  }

  @Test
  @Order(3)
  void theShippedConfigStopsWithItsReason() {
    // As installed, nothing is configured: the unit's command exits 2 (no restart, see
    // RestartPreventExitStatus) and names the key.
    ProcessResult run = exec(asUnitUser(execStart()).toArray(String[]::new));
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
    assertThat(run.stdout() + run.stderr()).contains("hostId is required");
    assertThat(execOk("cat", UNIT)).contains("RestartPreventExitStatus=2");
  }

  @Test
  @Order(4)
  void startsFromTheUnitAndJoinsKafka() throws IOException {
    Path key = Files.writeString(dir.resolve("trigger-public.pem"), Ed25519Keys.toPem(Ed25519Keys.generate().getPublic()));
    Path config = Files.writeString(dir.resolve("agent.yml"), """
        hostId: %s
        environment: production
        kafka:
          bootstrapServers: "%s"
        trustedKeys:
          - /etc/stevedore/keys/trigger-public.pem
        stateDirectory: /var/lib/stevedore-agent
        composeCommand: v1
        httpHost: 127.0.0.1
        httpPort: %d
        heartbeatInterval: PT2S
        services: {}
        """.formatted(hostId, kafka.bootstrapServers(), opsPort));
    dockerOk("cp", key.toString(), container + ":/tmp/trigger-public.pem");
    dockerOk("cp", config.toString(), container + ":/tmp/agent.yml");
    // As an admin would: cp onto the installed files keeps their owner and mode.
    execOk("cp", "/tmp/trigger-public.pem", "/etc/stevedore/keys/trigger-public.pem");
    execOk("cp", "/tmp/agent.yml", CONFIG);
    assertThat(execOk("stat", "-c", "%U:%G:%a", CONFIG)).isEqualTo("root:stevedore:640");

    List<String> start = new ArrayList<>(List.of("sh", "-c",
        "cd \"$0\" && echo $$ > /tmp/agent.pid && exec \"$@\" > /tmp/agent.log 2>&1", "/var/lib/stevedore-agent"));
    start.addAll(asUnitUser(execStart()));
    List<String> detached = new ArrayList<>(List.of("exec", "-d", container));
    detached.addAll(start);
    dockerOk(detached.toArray(String[]::new));

    await("the agent's /health/ready on " + opsPort).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(() -> {
          ProcessResult log = exec("cat", "/tmp/agent.log");
          assertThat(exec("sh", "-c", "kill -0 $(cat /tmp/agent.pid)").ok())
              .as("the agent is running; its log:\n%s", log.stdout()).isTrue();
          assertThat(get("/health/ready").statusCode()).as("ready; log:\n%s", log.stdout()).isEqualTo(200);
        });
    assertThat(execOk("sh", "-c", "stat -c %U /proc/$(cat /tmp/agent.pid)")).isEqualTo("stevedore");
    await("a heartbeat keyed " + hostId).atMost(START_TIMEOUT).until(() ->
        kafka.readAll(Topics.HEARTBEATS, Duration.ofSeconds(2)).stream().anyMatch(r -> hostId.equals(r.key())));
  }

  @Test
  @Order(5)
  void reinstallKeepsTheAdminsConfigAndTheUser() {
    ProcessResult again = exec("dpkg", "-i", "/tmp/stevedore-agent.deb");
    assertThat(again.ok()).as(again.describe()).isTrue();
    assertThat(execOk("cat", CONFIG)).contains("hostId: " + hostId);
    assertThat(execOk("stat", "-c", "%U:%G:%a", CONFIG)).isEqualTo("root:stevedore:640");
    assertThat(execOk("sh", "-c", "getent passwd stevedore | wc -l")).isEqualTo("1");
  }

  @Test
  @Order(6)
  void stopsOnSigtermAndPurgeRemovesWhatThePackageOwns() throws Exception {
    assertThat(exec("sh", "-c", "kill -0 $(cat /tmp/agent.pid)").ok())
        .as("the agent still runs after the reinstall; its log:\n%s", exec("cat", "/tmp/agent.log").stdout()).isTrue();
    execOk("sh", "-c", "kill -TERM $(cat /tmp/agent.pid)");
    await("the agent stops on SIGTERM").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .until(() -> !exec("sh", "-c", "kill -0 $(cat /tmp/agent.pid)").ok());

    ProcessResult purge = exec("dpkg", "--purge", "stevedore-agent");
    assertThat(purge.ok()).as(purge.describe()).isTrue();
    for (String gone : List.of(CONFIG, UNIT, "/usr/bin/stevedore-agent", "/usr/share/stevedore/lib/deploy-agent.jar",
        "/var/lib/stevedore-agent")) {
      assertThat(exec("test", "-e", gone).ok()).as("%s removed by the purge", gone).isFalse();
    }
    assertThat(exec("dpkg-statoverride", "--list", CONFIG).ok()).as("statoverride removed").isFalse();
    assertThat(exec("getent", "passwd", "stevedore").ok()).as("the user stays (its uid is not reused)").isTrue();

    // And a fresh install over the remaining user works (postinst is idempotent).
    ProcessResult install = exec("dpkg", "-i", "/tmp/stevedore-agent.deb");
    assertThat(install.ok()).as(install.describe()).isTrue();
    assertThat(execOk("stat", "-c", "%U:%G:%a", CONFIG)).isEqualTo("root:stevedore:640");
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
