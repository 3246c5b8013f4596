package dev.stevedore.push.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfigs;
import dev.stevedore.agent.state.AgentKey;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.PushSignatures;
import dev.stevedore.push.PushMain;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Push to several hosts, end to end: three "hosts" on this machine, each a real OpenSSH server of
 * its own (own port, host key and authorized_keys whose forced command is the gate with that
 * host's agent configuration), its own agent state directory and its own site (the agent's git
 * driver over a checkout of one shared origin). Every host requires signed push requests
 * ({@code push.requireSignature}). The agents' events go through their outboxes to a real Kafka
 * broker and from there into the real audit service, which trusts each agent's key and answers on
 * its HTTP API. Host 0 runs its agent daemon (the push is handed to it), hosts 1 and 2 are
 * push-only until their daemons start and publish what their outboxes held.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PushFleetIT {
  static final int HOSTS = 3;
  static final String SERVICE = "site";
  static final String READER = "reader-" + UUID.randomUUID();
  /** Generous: on this shared 2-core machine the load average reaches 100 while other tests run. */
  static final Duration T = Duration.ofSeconds(120);

  record Host(int index, String id, SshServer sshd, Path checkout, Path state, Path config) {
    String spec() {
      return "root@127.0.0.1:" + sshd.port;
    }

    String label() {
      return "[127.0.0.1:" + sshd.port + "] ";
    }

    String version() throws Exception {
      return Files.readString(checkout.resolve("version")).trim();
    }
  }

  static Path dir;
  static KafkaTestSupport kafka;
  static Vertx vertx;
  static AuditService.RunningAudit audit;
  static final List<Host> hosts = new ArrayList<>();
  static final List<RunningAgent> daemons = new ArrayList<>();
  static Path ciKey;
  static Path knownHosts;
  /** The push signing key the hosts trust, and one they do not. */
  static KeyPair signing;
  static Path signingPem;
  static Path forgedPem;
  static final HttpClient http = HttpClient.newHttpClient();

  static String git(Path where, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=it", "-c", "user.email=it@example.invalid",
        "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"));
    cmd.addAll(List.of(args));
    return DockerTestSupport.run(T, where, Map.of("GIT_TERMINAL_PROMPT", "0"), cmd).orThrow().out().trim();
  }

  @BeforeAll
  static void setUp() throws Exception {
    assertThat(SshServer.available()).as("these tests need a real OpenSSH server: /usr/sbin/sshd (Debian package "
        + "openssh-server, installed by scripts/install-deps.sh) and root, as CI runs").isTrue();
    dir = Files.createTempDirectory("push-fleet-it");
    kafka = KafkaTestSupport.shared();
    kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
    kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));

    // the site's releases: a file that says which version is checked out
    Path origin = Files.createDirectories(dir.resolve("origin.git"));
    Path author = Files.createDirectories(dir.resolve("author"));
    git(origin, "init", "-q", "--bare");
    git(author, "init", "-q");
    git(author, "remote", "add", "origin", origin.toString());
    for (String v : List.of("v1", "v2", "v3")) {
      Files.writeString(author.resolve("version"), v);
      git(author, "add", "version");
      git(author, "commit", "-q", "-m", v);
      git(author, "tag", v);
    }
    git(author, "push", "-q", "origin", "HEAD:main", "--tags");

    signing = Ed25519Keys.generate();
    signingPem = Files.writeString(dir.resolve("push.pem"), Ed25519Keys.toPem(signing.getPrivate()));
    Path signingPub = Files.writeString(dir.resolve("push.pub.pem"), Ed25519Keys.toPem(signing.getPublic()));
    forgedPem = Files.writeString(dir.resolve("forged.pem"), Ed25519Keys.toPem(Ed25519Keys.generate().getPrivate()));
    Path triggerPub = Files.writeString(dir.resolve("trigger.pub.pem"),
        Ed25519Keys.toPem(Ed25519Keys.generate().getPublic()));

    Path wrapper = dir.resolve("stevedore-agent");
    Files.writeString(wrapper, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
        + "' -Xmx128m -XX:TieredStopAtLevel=1"
        + " -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp '"
        + System.getProperty("java.class.path") + "' dev.stevedore.agent.AgentMain \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    ciKey = dir.resolve("ci_ed25519");
    SshServer.keygen(ciKey, "ed25519");
    String ciPublic = Files.readString(Path.of(ciKey + ".pub")).strip();

    String run = UUID.randomUUID().toString().substring(0, 8);
    StringBuilder known = new StringBuilder();
    StringBuilder trusted = new StringBuilder();
    for (int i = 0; i < HOSTS; i++) {
      String id = "push-fleet-" + run + "-" + i;
      Path checkout = dir.resolve(id + "-site");
      git(dir, "clone", "-q", origin.toString(), checkout.toString());
      git(checkout, "checkout", "-q", "v1");
      Path state = dir.resolve(id + "-state");
      // the agent's signing key, made as its first start would, so the audit can trust it from the start
      AgentKey.loadOrCreate(state);
      Path config = Files.writeString(dir.resolve(id + ".yml"), """
          hostId: %s
          environment: prod
          kafka: {bootstrapServers: "%s"}
          trustedKeys: [%s]
          stateDirectory: %s
          httpPort: -1
          heartbeatInterval: PT2S
          resilience: {outboxRetry: PT0.5S}
          push:
            requireSignature: true
            keys: [%s]
          services:
            site:
              driver: git
              git:
                repositoryDirectory: %s
                remote: origin
                branch: main
          """.formatted(id, kafka.bootstrapServers(), triggerPub, state, signingPub, checkout));
      SshServer sshd = new SshServer(Files.createDirectories(dir.resolve("ssh-" + i)), FreePorts.find());
      Files.writeString(sshd.authorizedKeys, "restrict,command=\"" + wrapper + " ssh-gate --config " + config + "\" "
          + ciPublic + "\n");
      sshd.start();
      known.append(sshd.knownHostsLine());
      trusted.append("    - {host: ").append(id).append(", publicKeyFile: ").append(state.resolve(AgentKey.PUBLIC_FILE))
          .append("}\n");
      hosts.add(new Host(i, id, sshd, checkout, state, config));
    }
    knownHosts = Files.writeString(dir.resolve("known_hosts"), known.toString());

    vertx = Vertx.vertx();
    Path auditYml = Files.writeString(dir.resolve("audit.yml"), """
        http: {host: 127.0.0.1, port: 0}
        kafka: {bootstrapServers: "%s"}
        ingest: {groupId: "audit-push-fleet-%s", pollTimeoutMs: 200}
        database: {sqlitePath: %s}
        auth: {readerToken: %s}
        agents:
          trusted:
        %s""".formatted(kafka.bootstrapServers(), run, dir.resolve("audit.db"), READER, trusted));
    AuditConfig auditConfig = new ConfigLoader(Map.of()).load(AuditConfig.class, "audit-defaults.yml",
        Optional.of(auditYml));
    audit = done(AuditService.start(vertx, auditConfig));
    // host 0 runs its agent daemon: a push there is handed over to it
    daemons.add(done(AgentService.start(vertx, AgentConfigs.load(Optional.of(hosts.get(0).config()), Map.of()))));
  }

  @AfterAll
  static void tearDown() throws Exception {
    List<Future<Void>> stops = new ArrayList<>();
    daemons.forEach(d -> stops.add(d.stop()));
    if (audit != null) {
      stops.add(audit.stop());
    }
    if (!stops.isEmpty()) {
      Future.join(stops).toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(90, TimeUnit.SECONDS);
    }
    hosts.forEach(h -> h.sshd().close());
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---- the tests --------------------------------------------------------------------------------

  @Test
  @Order(1)
  void aSignedPushInWavesDeploysEveryHostWaveAfterWaveAndTheAuditListsEachHostsDeploymentAsAPush() throws Exception {
    // waves of two: hosts 0 and 1 together, then host 2
    Run push = push("v2", "--wave", "2", "--signing-key", signingPem.toString());
    System.out.println(push.out() + push.err());

    assertThat(push.code()).as("stdout %s%nstderr %s", push.out(), push.err()).isZero();
    for (Host h : hosts) {
      assertThat(push.out()).contains(h.label() + "succeeded: site runs v2").contains(h.label() + "ok");
      assertThat(h.version()).as(h.id()).isEqualTo("v2");
    }
    assertThat(push.out()).contains(hosts.get(0).label() + "the agent daemon on this host")
        .contains(hosts.get(1).label() + "no agent daemon runs on this host")
        .contains(hosts.get(2).label() + "no agent daemon runs on this host");
    Map<Host, String> ids = push.deploymentIds();

    // hosts 1 and 2 kept their events in their outboxes; their daemons start now and publish them
    List<Future<RunningAgent>> starting = new ArrayList<>();
    for (Host h : hosts.subList(1, HOSTS)) {
      starting.add(AgentService.start(vertx, AgentConfigs.load(Optional.of(h.config()), Map.of())));
    }
    for (Future<RunningAgent> f : starting) {
      daemons.add(done(f));
    }

    // the real audit service, which believes each agent's key for its host only, lists every
    // host's deployment with trigger push and the agent's push source
    Map<Host, JsonObject> results = new HashMap<>();
    for (Host h : hosts) {
      String id = ids.get(h);
      JsonObject listed = Awaitility.await().atMost(T).pollInterval(Duration.ofMillis(500))
          .ignoreExceptionsInstanceOf(java.net.http.HttpTimeoutException.class).until(
          () -> auditGet("/api/v1/deployments?service=" + SERVICE + "&host=" + h.id()),
          j -> j.getJsonArray("items").size() == 1
              && "succeeded".equals(j.getJsonArray("items").getJsonObject(0).getString("status")))
          .getJsonArray("items").getJsonObject(0);
      assertThat(listed.getString("id")).isEqualTo(id);
      assertThat(listed.getString("trigger")).isEqualTo("push");
      assertThat(listed.getString("source")).isEqualTo("stevedore://agent/" + h.id() + "/push");
      assertThat(listed.getString("version")).isEqualTo("v2");
      assertThat(listed.getString("environment")).isEqualTo("prod");
      assertThat(listed.getBoolean("requestSeen")).isFalse();

      JsonObject detail = auditGet("/api/v1/deployments/" + id);
      JsonArray hostsOfIt = detail.getJsonArray("hosts");
      assertThat(hostsOfIt).hasSize(1);
      JsonObject result = hostsOfIt.getJsonObject(0);
      assertThat(result.getString("host")).isEqualTo(h.id());
      assertThat(result.getString("status")).isEqualTo("succeeded");
      assertThat(result.getString("runningVersion")).isEqualTo("v2");
      results.put(h, result);
      JsonArray timeline = detail.getJsonArray("timeline");
      assertThat(timeline).extracting(e -> ((JsonObject) e).getString("type"))
          .contains("deploy.started", "deploy.succeeded");
      for (int i = 0; i < timeline.size(); i++) {
        assertThat(timeline.getJsonObject(i).getString("unverified")).as("timeline %s", timeline.encode()).isNull();
      }
    }
    // the second wave started only when the first had ended (the times the agents signed)
    Instant secondWaveStarted = Instant.parse(results.get(hosts.get(2)).getString("startedAt"));
    for (Host h : hosts.subList(0, 2)) {
      assertThat(secondWaveStarted).as("host 2 starts after %s finished", h.id())
          .isAfterOrEqualTo(Instant.parse(results.get(h).getString("finishedAt")));
    }
  }

  @Test
  @Order(2)
  void aForgedUnsignedTamperedOrStaleRequestIsRefusedByTheGateAndAFailedWaveStopsThePush() throws Exception {
    Host first = hosts.get(0);
    Host second = hosts.get(1);
    List<String> before = new ArrayList<>();
    for (Host h : hosts) {
      before.add(h.version());
    }

    // signed with a key the hosts do not trust: the first wave fails, the second is not touched
    Run forged = push("v3", "--wave", "1", "--signing-key", forgedPem.toString());
    assertThat(forged.code()).as("stdout %s%nstderr %s", forged.out(), forged.err()).isEqualTo(4);
    assertThat(forged.err()).contains(first.label() + "stevedore ssh-gate: refused: the push request's signature "
        + "does not verify with any key in push.keys").contains("the remaining 2 host(s) were not touched");
    assertThat(forged.out()).contains(first.label() + "failed (exit 4)").contains(second.label() + "not attempted")
        .contains(hosts.get(2).label() + "not attempted").doesNotContain("push ");

    // unsigned, to a host that requires a signature
    Run unsigned = push("v3", "--wave", "3");
    assertThat(unsigned.code()).isEqualTo(4);
    for (Host h : hosts) {
      assertThat(unsigned.err()).contains(h.label() + "stevedore ssh-gate: refused: this host requires a signed push "
          + "request");
    }

    // a good signature over v2, sent with the version changed to v3
    long now = Instant.now().getEpochSecond();
    String forV2 = PushSignatures.sign(signing.getPrivate(), SERVICE, "v2", now);
    SshServer.Exec tampered = second.sshd().exec(ciKey, "deploy --service site --version v3 --at " + now
        + " --signature " + forV2);
    assertThat(tampered.code()).isEqualTo(4);
    assertThat(tampered.err()).contains("signature does not verify");
    // a good signature made an hour ago (a captured request, replayed)
    long old = now - 3600;
    SshServer.Exec stale = second.sshd().exec(ciKey, "deploy --service site --version v3 --at " + old
        + " --signature " + PushSignatures.sign(signing.getPrivate(), SERVICE, "v3", old));
    assertThat(stale.code()).isEqualTo(4);
    assertThat(stale.err()).contains("away from this host's clock (push.maxAge PT5M)");
    // a good, fresh signature through the same gate does deploy: the refusals above were the signature's
    SshServer.Exec good = second.sshd().exec(ciKey, "deploy --service site --version v3 --at " + now
        + " --signature " + PushSignatures.sign(signing.getPrivate(), SERVICE, "v3", now));
    assertThat(good.code()).as("stdout %s%nstderr %s", good.out(), good.err()).isZero();
    assertThat(second.version()).isEqualTo("v3");

    // nothing else changed
    assertThat(first.version()).isEqualTo(before.get(0));
    assertThat(hosts.get(2).version()).isEqualTo(before.get(2));
    for (Host h : hosts) {
      if (!Files.isDirectory(h.state().resolve("push"))) {
        continue;
      }
      try (var s = Files.list(h.state().resolve("push"))) {
        assertThat(s.toList()).as("push hand-over files of %s", h.id()).isEmpty();
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  static final Pattern PUSH_ID = Pattern.compile("\\[127\\.0\\.0\\.1:(\\d+)] push ([0-9a-f-]{36}): ");

  record Run(int code, String out, String err) {
    /** Each host's deployment id, from the first line its gate printed. */
    Map<Host, String> deploymentIds() {
      Map<Host, String> ids = new HashMap<>();
      Matcher m = PUSH_ID.matcher(out);
      while (m.find()) {
        int port = Integer.parseInt(m.group(1));
        hosts.stream().filter(h -> h.sshd().port == port).forEach(h -> ids.put(h, m.group(2)));
      }
      assertThat(ids).as("a push id per host in %s", out).hasSize(HOSTS);
      return ids;
    }
  }

  static Run push(String version, String... extra) {
    List<String> args = new ArrayList<>();
    hosts.forEach(h -> args.addAll(List.of("--host", h.spec())));
    // a generous connect timeout: on a loaded machine sshd's key exchange alone can take over 15 s
    args.addAll(List.of("--service", SERVICE, "--version", version, "--identity", ciKey.toString(), "--known-hosts",
        knownHosts.toString(), "--connect-timeout", "90"));
    args.addAll(List.of(extra));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PushMain.run(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static JsonObject auditGet(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + audit.port() + path))
        .header("Authorization", "Bearer " + READER).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static <X> X done(Future<X> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }
}
