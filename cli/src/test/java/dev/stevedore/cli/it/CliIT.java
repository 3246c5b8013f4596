package dev.stevedore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.trigger.RunningTrigger;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.TriggerService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code stevedore} jar, run as a process, against a real trigger and audit service and a
 * real agent (started in this JVM on a Testcontainers Kafka) that deploys the demo app with
 * docker compose: output and exit codes as a user sees them. One set of services for the class;
 * the tests run in order (the chain is tampered with last).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
  static final String DEPLOYER = "deployer-" + UUID.randomUUID();
  static final String VIEWER = "viewer-" + UUID.randomUUID();
  static final String READER = "reader-" + UUID.randomUUID();
  static final String ENVIRONMENT = "production";
  static final Path JAR = Path.of(System.getProperty("stevedore.cli.jar", "target/stevedore-cli-0.1.0-SNAPSHOT-all.jar"));
  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern UUID_PATTERN = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  @TempDir static Path dir;
  static Vertx vertx;
  static RunningTrigger trigger;
  static AuditService.RunningAudit audit;
  static RunningAgent agent;
  static final String project = DockerTestSupport.uniqueName("cli").replace("-", "");
  static final int demoPort = FreePorts.find();
  static Path config;
  /** The v2 deployment of test 1. */
  static String v2Deployment;

  static String host() {
    return "host-" + project;
  }

  @BeforeAll
  static void start() throws Exception {
    assertThat(JAR).as("the shaded jar (mvn package runs before failsafe)").exists();
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
    kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));
    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = Files.writeString(dir.resolve("trigger-private.pem"), Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = Files.writeString(dir.resolve("trigger-public.pem"), Ed25519Keys.toPem(keys.getPublic()));
    Path demo = Files.createDirectories(dir.resolve("demo"));
    String repository = DockerTestSupport.registry() + "/" + DockerTestSupport.DEMO_REPOSITORY;
    Files.writeString(demo.resolve("docker-compose.yml"), """
        services:
          demo:
            image: %s:${VERSION}
            network_mode: host
            init: true
            environment:
              PORT: "%d"
            labels:
              stevedore.test: "true"
        """.formatted(repository, demoPort));
    String bootstrap = kafka.bootstrapServers();
    TriggerConfig triggerConfig = load(TriggerConfig.class, "trigger-defaults.yml", """
        http: {host: 127.0.0.1, port: 0, opsPort: 0}
        warmUp: {durationMs: 1000, requests: 200} # short: the default (up to 30 s) is for production
        kafka: {bootstrapServers: "%s"}
        signing: {privateKeyFile: %s, publicKeyFile: %s}
        api:
          tokens:
            - {name: ops, token: %s, roles: [deployer]}
            - {name: watcher, token: %s, roles: [viewer]}
        schedules: {dataDir: %s}
        """.formatted(bootstrap, privateKey, publicKey, DEPLOYER, VIEWER, dir.resolve("trigger-data")));
    AuditConfig auditConfig = load(AuditConfig.class, "audit-defaults.yml", """
        http: {host: 127.0.0.1, port: 0}
        kafka: {bootstrapServers: "%s"}
        ingest: {groupId: "audit-%s"}
        database: {sqlitePath: %s}
        auth: {readerToken: %s}
        """.formatted(bootstrap, project, dir.resolve("audit.db"), READER));
    AgentConfig agentConfig = load(AgentConfig.class, "agent-defaults.yml", """
        hostId: %s
        environment: %s
        kafka: {bootstrapServers: "%s"}
        trustedKeys: [%s]
        stateDirectory: %s
        httpPort: 0
        heartbeatInterval: PT2S
        services:
          demo:
            driver: compose
            projectDirectory: %s
            projectName: %s
            composeService: demo
            image: %s
            healthCheck: {type: http, url: "http://127.0.0.1:%d/version", expectedStatus: 200, interval: PT0.1S, deadline: PT20S}
        """.formatted(host(), ENVIRONMENT, bootstrap, publicKey, dir.resolve("agent-state"), demo, project, repository, demoPort));
    DockerTestSupport.run(Duration.ofMinutes(2), demo, Map.of("VERSION", "v1"),
        List.of(DockerTestSupport.composeBinary(), "-p", project, "up", "-d")).orThrow();
    vertx = Vertx.vertx();
    audit = started(AuditService.start(vertx, auditConfig));
    agent = started(AgentService.start(vertx, agentConfig));
    trigger = started(TriggerService.start(vertx, triggerConfig));

    token("deployer.token", DEPLOYER);
    token("viewer.token", VIEWER);
    token("reader.token", READER);
    token("wrong.token", "wrong-token-" + UUID.randomUUID());
    config = Files.writeString(dir.resolve("config.yaml"), """
        current-context: it
        contexts:
          - {name: it, trigger: "http://127.0.0.1:%1$d", audit: "http://127.0.0.1:%2$d", environment: %3$s,
             triggerTokenPath: deployer.token, auditTokenPath: reader.token}
          - {name: viewer, trigger: "http://127.0.0.1:%1$d", audit: "http://127.0.0.1:%2$d", environment: %3$s,
             triggerTokenPath: viewer.token, auditTokenPath: reader.token}
          - {name: wrong, trigger: "http://127.0.0.1:%1$d", audit: "http://127.0.0.1:%2$d", environment: %3$s,
             triggerTokenPath: wrong.token, auditTokenPath: wrong.token}
        """.formatted(trigger.port(), audit.port(), ENVIRONMENT));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Future<Void> f : new Future[] {trigger == null ? null : trigger.stop(), agent == null ? null : agent.stop(),
        audit == null ? null : audit.stop()}) {
      if (f != null) {
        f.toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      }
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    DockerTestSupport.run(Duration.ofMinutes(2), dir.resolve("demo"), Map.of("VERSION", "v1"),
        List.of(DockerTestSupport.composeBinary(), "-p", project, "down", "-v", "--remove-orphans"));
  }

  @Test
  @Order(1)
  @DisplayName("deploy --wait shows the real agent's steps as plain lines and exits 0 when the demo serves v2; status, history and hosts show it")
  void deployWaitsForTheRealAgent() throws Exception {
    Result r = cli("deploy", "demo", "v2", "--wait", "--timeout", "3m", "--reason", "cli it");
    assertThat(r.code).as(r.toString()).isZero();
    v2Deployment = id(r.out);
    assertThat(r.out).contains("deployment " + v2Deployment + " requested: demo v2 to production")
        .contains(host() + " step pull ok").contains(host() + " step up ok")
        .contains(host() + " succeeded (v1 -> v2)")
        .contains("deployment " + v2Deployment + " succeeded on 1 host(s): demo v2 in production");
    assertThat(r.out.indexOf("step pull")).isLessThan(r.out.indexOf("step up"));
    assertThat(r.out).doesNotContain("\u001b");
    assertThat(get("http://127.0.0.1:" + demoPort + "/version")).contains("v2");

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      Result status = cli("status", "-o", "json");
      assertThat(status.code).as(status.toString()).isZero();
      JsonNode row = JSON.readTree(status.out).path("items").path(0);
      assertThat(row.path("version").asText()).isEqualTo("v2");
      assertThat(row.path("lastDeployment").path("id").asText()).isEqualTo(v2Deployment);
    });
    Result status = cli("status");
    assertThat(status.out).containsPattern("demo +production +" + host() + " +v2 +ok +idle +\\S+ +v2 succeeded ");
    Result history = cli("history", "demo");
    assertThat(history.code).isZero();
    assertThat(history.out).startsWith("ID ").containsPattern(v2Deployment + " +\\S+ +demo +production +v2 +succeeded +api:ops +cli it");
    Result yaml = cli("history", "-o", "yaml");
    assertThat(yaml.out).contains("items:").contains("id: " + v2Deployment);
    Result hosts = cli("hosts");
    assertThat(hosts.out).containsPattern(host() + " +production +\\w+ .* no +demo=v2");
  }

  @Test
  @Order(2)
  @DisplayName("a version whose image does not exist: deploy --wait --progress tty redraws the host's line, ends with the failed pull and exits 1")
  void aFailedDeployExitsWith1() {
    Result r = cli("deploy", "demo", "v404-does-not-exist", "--wait", "--timeout", "3m", "--progress", "tty");
    assertThat(r.code).as(r.toString()).isEqualTo(1);
    assertThat(r.out).contains("\u001b[2K\r" + host() + "  failed      pull ✗   at pull")
        .contains("failed on 1 host(s)").doesNotContain(" step pull ");
  }

  @Test
  @Order(3)
  @DisplayName("rollback: 409 with the trigger's words when nothing succeeded before; by service name it redeploys v2 (skipped: it runs)")
  void rollback() {
    Result none = cli("rollback", v2Deployment);
    assertThat(none.code).as(none.toString()).isEqualTo(13);
    assertThat(none.err).startsWith("stevedore: trigger refused (409 Conflict): ");
    // One try runs the CLI with --wait --timeout 2m: the await must outlast it (a 30 s bound cut
    // a try short at load average 60).
    Result back = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
        .until(() -> cli("rollback", "demo", "--wait", "--timeout", "2m", "-r", "undo the broken one", "-o", "json"),
            x -> x.code != 12);
    assertThat(back.code).as(back.toString()).isZero();
    JsonNode done = readJson(back.out);
    assertThat(done.path("status").asText()).as("stdout is only the final deployment").isEqualTo("skipped");
    assertThat(done.path("version").asText()).isEqualTo("v2");
    assertThat(back.err).as("progress goes to stderr").contains(host() + " skipped").contains(" skipped on 1 host(s)");
  }

  @Test
  @Order(4)
  @DisplayName("at, atq, at -c and atrm map onto the trigger's schedules; a second atrm is a 409 (exit 13), an unknown id 404 (exit 12)")
  void atFamily() throws Exception {
    Result at = cli("at", "+1h", "demo", "v3", "-r", "release at night");
    assertThat(at.code).as(at.toString()).isZero();
    String id = id(at.out);
    assertThat(at.out).startsWith("schedule " + id + " at ").contains(": demo v3 to production");
    Result atq = cli("atq");
    assertThat(atq.out).startsWith("ID ").containsPattern(id + " +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +demo +production +v3 +api:ops +release at night");
    JsonNode json = JSON.readTree(cli("atq", "-o", "json").out);
    assertThat(json.path("schedules").findValuesAsText("id")).contains(id);
    assertThat(cli("at", "-c", id).out).containsPattern("state +pending");
    Result viewer = cli("--context", "viewer", "atq");
    assertThat(viewer.code).as("a viewer may read").isZero();

    Result rm = cli("atrm", id);
    assertThat(rm.code).as(rm.toString()).isZero();
    assertThat(rm.out).isEqualTo("schedule " + id + " cancelled\n");
    Result again = cli("atrm", id);
    assertThat(again.code).isEqualTo(13);
    assertThat(again.err).contains("409 Conflict");
    assertThat(cli("at", "-c", id).out).containsPattern("state +cancelled").containsPattern("changed by +api:ops");
    Result unknown = cli("at", "-c", UUID.randomUUID().toString());
    assertThat(unknown.code).isEqualTo(12);
    assertThat(unknown.err).contains("404 Not Found").contains("no schedule");
  }

  @Test
  @Order(5)
  @DisplayName("tokens: a viewer may not deploy (403, exit 11), a wrong token is 401 (exit 10) on both APIs, an unreachable server exit 16")
  void tokenAndNetworkErrors() throws Exception {
    Result viewer = cli("--context", "viewer", "deploy", "demo", "v9");
    assertThat(viewer.code).isEqualTo(11);
    assertThat(viewer.err).isEqualTo("stevedore: trigger refused (403 Forbidden): token watcher lacks role deployer"
        + " (this token's role does not allow it)\n");
    Result wrong = cli("--context", "wrong", "atq");
    assertThat(wrong.code).isEqualTo(10);
    assertThat(wrong.err).contains("trigger refused (401 Unauthorized): unknown token");
    Result wrongAudit = cli("--context", "wrong", "history");
    assertThat(wrongAudit.code).isEqualTo(10);
    assertThat(wrongAudit.err).contains("audit refused (401 Unauthorized)");
    int closed = FreePorts.find();
    Result down = cli("--trigger-url", "http://127.0.0.1:" + closed, "atq");
    assertThat(down.code).isEqualTo(16);
    assertThat(down.err).isEqualTo("stevedore: cannot reach the trigger at http://127.0.0.1:" + closed + ": connection refused\n");
    Result notFound = cli("--context", "viewer", "rollback", UUID.randomUUID().toString());
    assertThat(notFound.code).as("a viewer is refused before the id is looked up").isEqualTo(11);
  }

  @Test
  @Order(6)
  @DisplayName("tail follows events live: a deploy requested after it started is printed, then it stops after -n 1")
  void tailFollowsLive() throws Exception {
    Path out = dir.resolve("tail.out");
    Path err = dir.resolve("tail.err");
    Process tail = process(List.of("tail", "--environment", "staging", "-n", "1", "--interval", "300ms", "--for", "2m"), out, err);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(err).contains("following the audit's events"));
      assertThat(Files.readString(out)).isEmpty();
      Result deploy = cli("deploy", "demo", "v5", "-e", "staging");
      assertThat(deploy.code).as(deploy.toString()).isZero();
      String id = id(deploy.out);
      assertThat(tail.waitFor(60, TimeUnit.SECONDS)).as("tail stops after one event").isTrue();
      assertThat(tail.exitValue()).isZero();
      assertThat(Files.readString(out)).containsPattern("deploy\\.requested +demo/staging +v5 +- +by api:ops via manual +" + id);
    } finally {
      tail.destroyForcibly();
    }
  }

  @Test
  @Order(7)
  @DisplayName("unblock publishes the lift and names it")
  void unblock() {
    Result r = cli("unblock", "demo", "v404-does-not-exist", "-r", "the image exists now", "--host", host());
    assertThat(r.code).as(r.toString()).isZero();
    assertThat(r.out).matches("unblock " + UUID_PATTERN + " published: demo v404-does-not-exist in production on " + host() + "\n");
  }

  @Test
  @Order(8)
  @DisplayName("text from the server is escaped: a reason with a bidi override shows as \\u202e in tables, JSON keeps the data; control characters are a 400 (exit 15)")
  void hostileTextIsEscaped() throws Exception {
    Result bad = cli("deploy", "demo", "v6", "-e", "staging", "-r", "red \u001b[31m text");
    assertThat(bad.code).as(bad.toString()).isEqualTo(15);
    assertThat(bad.err).isEqualTo("stevedore: trigger refused (400 Bad Request): reason contains control characters\n");
    org.junit.jupiter.api.Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
        "arguments outside ASCII need a UTF-8 locale");
    String reason = "fix \u202egnp.exe";
    Result ok = cli("deploy", "demo", "v6", "-e", "staging", "-r", reason);
    assertThat(ok.code).as(ok.toString()).isZero();
    String id = id(ok.out);
    Result table = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> cli("history", "demo", "-e", "staging"), x -> x.out.contains(id));
    assertThat(table.out).contains("fix \\u202egnp.exe").doesNotContain("\u202e");
    Result json = cli("history", "demo", "-e", "staging", "-o", "json");
    assertThat(json.out).doesNotContain("\u202e");
    assertThat(readJson(json.out).path("items").findValuesAsText("reason")).contains(reason);
  }

  @Test
  @Order(9)
  @DisplayName("verify: exit 0 and OK for the intact chain; after a stored event is edited, exit 1 and BROKEN at its seq")
  void verify() throws Exception {
    Result ok = cli("verify");
    assertThat(ok.code).as(ok.toString()).isZero();
    assertThat(ok.out).startsWith("OK: the hash chain holds (");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("audit.db"))) {
      int changed = c.createStatement().executeUpdate(
          "UPDATE events SET payload = REPLACE(payload, 'cli it', 'nobody') WHERE type = 'deploy.requested' AND payload LIKE '%cli it%'");
      assertThat(changed).isEqualTo(1);
    }
    Result broken = cli("verify");
    assertThat(broken.code).as(broken.toString()).isEqualTo(1);
    assertThat(broken.out).startsWith("BROKEN: the hash chain is broken at seq ");
    JsonNode json = readJson(cli("verify", "-o", "json").out);
    assertThat(json.path("ok").asBoolean()).isFalse();
  }

  // --- the CLI as a process ---

  record Result(int code, String out, String err) {}

  static Result cli(String... args) {
    try {
      Path out = Files.createTempFile(dir, "out", ".txt");
      Path err = Files.createTempFile(dir, "err", ".txt");
      Process p = process(List.of(args), out, err);
      if (!p.waitFor(4, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("stevedore " + String.join(" ", args) + " did not finish");
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Process process(List<String> args, Path out, Path err) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "--config", config.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
    pb.environment().put("LC_ALL", "C.UTF-8");
    return pb.start();
  }

  static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  static String id(String text) {
    Matcher m = UUID_PATTERN.matcher(text);
    assertThat(m.find()).as("an id in: " + text).isTrue();
    return m.group();
  }

  static String get(String url) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  static void token(String name, String value) throws IOException {
    Path file = Files.writeString(dir.resolve(name), value + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  static <T> T load(Class<T> type, String defaults, String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve(type.getSimpleName() + ".yml"), yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }

  static <T> T started(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }
}
