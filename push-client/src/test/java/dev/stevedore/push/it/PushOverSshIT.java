package dev.stevedore.push.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.AgentConfigs;
import dev.stevedore.agent.config.TestHooks;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.push.PushMain;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Push mode end to end: {@code stevedore push} (MINA SSHD client) against a real OpenSSH server
 * whose authorized_keys forces {@code stevedore-agent ssh-gate} for CI's key, the gate running the
 * agent's one-shot deploy of the demo (compose driver, images from the local registry), with and
 * without an agent daemon on the host. One sshd, one demo project and one state directory for the
 * class; the tests run in order (v1 -> v2 by push -> v3 by the daemon and v4 by a push that waits).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PushOverSshIT {
  static final EventCodec CODEC = new EventCodec();
  static final KeyPair TRIGGER = Ed25519Keys.generate();
  static final Pattern PUSH_ID = Pattern.compile("push ([0-9a-f-]{36}): ");

  static Path dir;
  static SshServer sshd;
  static KafkaTestSupport kafka;
  static String project;
  static int demoPort;
  static Path agentYml;
  static Path ciKey;
  /** A second CI key whose forced command reads agent-short.yml: the same host, push.lockWait PT2S. */
  static Path ciShortKey;
  static Path knownHosts;
  static String hostId;

  @BeforeAll
  static void setUp() throws Exception {
    assertThat(SshServer.available()).as("these tests need a real OpenSSH server: /usr/sbin/sshd (Debian package "
        + "openssh-server, installed by scripts/install-deps.sh) and root, as CI runs").isTrue();
    dir = Files.createTempDirectory("push-it");
    kafka = KafkaTestSupport.shared();
    kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
    kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));

    // the demo service, v1 running before any deploy
    Path demo = Files.createDirectories(dir.resolve("demo"));
    project = DockerTestSupport.uniqueName("pushit").replace("-", "");
    demoPort = FreePorts.find();
    String repository = DockerTestSupport.registry() + "/" + DockerTestSupport.DEMO_REPOSITORY;
    Files.writeString(demo.resolve("docker-compose.yml"), """
        version: "2.4"
        services:
          demo:
            image: %s:${VERSION:-v1}
            network_mode: host
            init: true
            environment:
              PORT: "${PORT}"
            labels:
              stevedore.test: "true"
        """.formatted(repository));
    DockerTestSupport.run(Duration.ofMinutes(2), demo, Map.of("VERSION", "v1", "PORT", String.valueOf(demoPort)),
        List.of(DockerTestSupport.composeBinary(), "-p", project, "up", "-d")).orThrow();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "v1".equals(version().orElse(null)));

    // the host's agent configuration (the gate and the daemon read the same file)
    hostId = "push-it-" + UUID.randomUUID().toString().substring(0, 8);
    agentYml = dir.resolve("agent.yml");
    Files.writeString(agentYml, """
        hostId: %s
        environment: prod
        kafka:
          bootstrapServers: %s
        trustedKeys:
          - |
        %s
        stateDirectory: %s
        httpPort: -1
        heartbeatInterval: PT2S
        resilience:
          pullBackoff: PT0.2S
          stepTimeout: PT2M
          outboxRetry: PT0.5S
        services:
          demo:
            driver: compose
            projectDirectory: %s
            projectName: %s
            composeService: demo
            image: %s
            environment:
              PORT: "%d"
            healthCheck:
              type: http
              url: http://127.0.0.1:%d/health
              expectedStatus: 200
              interval: PT0.1S
              deadline: PT20S
        """.formatted(hostId, kafka.bootstrapServers(),
        Ed25519Keys.toPem(TRIGGER.getPublic()).strip().indent(4).stripTrailing(), dir.resolve("state"), demo,
        project, repository, demoPort, demoPort));

    // the wrapper the forced command runs: this test's class path holds the agent
    Path wrapper = dir.resolve("stevedore-agent");
    Files.writeString(wrapper, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
        + "' -Xmx128m -XX:TieredStopAtLevel=1"
        // two logback.xml on this test class path (agent and client): keep logback's notice off stdout
        + " -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp '" + System.getProperty("java.class.path")
        + "' dev.stevedore.agent.AgentMain \"$@\"\n");
    wrapper.toFile().setExecutable(true);

    sshd = new SshServer(dir, FreePorts.find());
    ciKey = dir.resolve("ci_ed25519");
    SshServer.keygen(ciKey, "ed25519");
    // the authorized_keys line comes from the agent's own helper command
    Process helper = new ProcessBuilder(wrapper.toString(), "authorized-key", "--public-key", ciKey + ".pub",
        "--gate-command", wrapper + " ssh-gate", "--config", agentYml.toString()).redirectError(
        ProcessBuilder.Redirect.INHERIT).start();
    String line = new String(helper.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(helper.waitFor()).isZero();
    assertThat(line).startsWith("restrict,command=\"" + wrapper + " ssh-gate --config " + agentYml + "\" ssh-ed25519 ");
    Path shortYml = dir.resolve("agent-short.yml");
    Files.writeString(shortYml, Files.readString(agentYml) + "push:\n  lockWait: PT2S\n");
    ciShortKey = dir.resolve("ci_short_ed25519");
    SshServer.keygen(ciShortKey, "ed25519");
    String shortLine = "restrict,command=\"" + wrapper + " ssh-gate --config " + shortYml + "\" "
        + Files.readString(Path.of(ciShortKey + ".pub")).strip() + "\n";
    Files.writeString(sshd.authorizedKeys, line + shortLine);
    knownHosts = dir.resolve("known_hosts");
    Files.writeString(knownHosts, sshd.knownHostsLine());
    sshd.start();
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (sshd != null) {
      sshd.close();
    }
    if (project != null) {
      DockerTestSupport.run(Duration.ofMinutes(2), dir.resolve("demo"), Map.of("PORT", String.valueOf(demoPort)),
          List.of(DockerTestSupport.composeBinary(), "-p", project, "down", "-v", "--remove-orphans"));
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  record Run(int code, String out, String err) {
    String deploymentId() {
      Matcher m = PUSH_ID.matcher(out);
      assertThat(m.find()).as("push id in %s", out).isTrue();
      return m.group(1);
    }
  }

  static Run push(String version, String... extra) {
    List<String> args = new ArrayList<>(List.of("--host", "root@127.0.0.1:" + sshd.port, "--service", "demo",
        "--version", version, "--identity", ciKey.toString(), "--known-hosts", knownHosts.toString()));
    args.addAll(List.of(extra));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PushMain.run(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Optional<String> version() {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + demoPort + "/version")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body().trim()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  static List<String> pushFiles() throws IOException {
    Path p = dir.resolve("state").resolve("push");
    if (!Files.isDirectory(p)) {
      return List.of();
    }
    try (var s = Files.list(p)) {
      return s.map(x -> x.getFileName().toString()).toList();
    }
  }

  /** Runs {@code command} with CI's key through the MINA client directly; returns exit status and output. */
  static Run exec(String command) throws Exception {
    try (SshClient client = client(); ClientSession session = session(client)) {
      try (ChannelExec ch = session.createExecChannel(command)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ch.setOut(out);
        ch.setErr(err);
        ch.open().verify(Duration.ofSeconds(10));
        ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(60));
        return new Run(ch.getExitStatus() == null ? -1 : ch.getExitStatus(), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8));
      }
    }
  }

  static SshClient client() {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
    client.start();
    return client;
  }

  static ClientSession session(SshClient client) throws Exception {
    ClientSession session = client.connect("root", "127.0.0.1", sshd.port).verify(Duration.ofSeconds(10)).getSession();
    try (var in = Files.newInputStream(ciKey)) {
      SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("ci"), in, null).forEach(session::addPublicKeyIdentity);
    }
    session.auth().verify(Duration.ofSeconds(10));
    return session;
  }

  static AgentConfig daemonConfig(TestHooks hooks) {
    AgentConfig c = AgentConfigs.load(Optional.of(agentYml), Map.of());
    return new AgentConfig(c.hostId(), c.environment(), c.labels(), c.kafka(), c.trustedKeys(), c.stateDirectory(),
        c.composeCommand(), c.dockerCommand(), c.httpHost(), c.httpPort(), c.heartbeatInterval(), c.processedLimit(),
        c.resilience(), hooks, c.services(), c.requests(), c.registryAuth(), c.push());
  }

  static StevedoreEvent decode(String json) {
    try {
      return CODEC.decode(json.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException("an agent event does not decode: " + json, e);
    }
  }

  /**
   * Starts the agent daemon with a pause of {@code pause} before `up` of every deployment, sends it
   * a signed request for {@code version} and waits until its cycle holds the service there.
   */
  static DeployRequested daemonDeploying(Vertx vertx, String version, Duration pause, RunningAgent[] agent)
      throws Exception {
    Path paused = dir.resolve("state").resolve("paused-at");
    Files.deleteIfExists(paused);
    agent[0] = AgentService.start(vertx, daemonConfig(new TestHooks("before:up", pause)))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    RequestSigner signer = new RequestSigner(TRIGGER, CODEC);
    DeployRequested request = signer.sign(new DeployRequested(UUID.randomUUID().toString(), "stevedore://trigger/it",
        Instant.now(), UUID.randomUUID().toString(), "demo", "prod", version, null, null, null, "it", "manual", null,
        new Target("prod", List.of(hostId), Map.of()), null, null));
    kafka.send(Topics.REQUESTS, request.partitionKey(), new String(CODEC.encode(request), StandardCharsets.UTF_8));
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(paused));
    return request;
  }

  static List<StevedoreEvent> eventsOf(String deploymentId) {
    List<StevedoreEvent> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : kafka.readAll(Topics.EVENTS, Duration.ofSeconds(3))) {
      if (deploymentId.equals(r.key())) {
        out.add(decode(r.value()));
      }
    }
    return out;
  }

  // ---- the tests --------------------------------------------------------------------------------

  @Test
  @Order(1)
  void aWrongOrUnknownHostKeyIsRefusedBeforeAnythingIsSent() throws Exception {
    Path wrongHostKey = dir.resolve("other_host_key");
    SshServer.keygen(wrongHostKey, "ed25519");
    String[] other = Files.readString(Path.of(wrongHostKey + ".pub")).trim().split(" ");
    Path wrong = dir.resolve("known_hosts_wrong");
    Files.writeString(wrong, "[127.0.0.1]:" + sshd.port + " " + other[0] + " " + other[1] + "\n");
    long acceptedBefore = sshd.logText().lines().filter(l -> l.contains("Accepted publickey")).count();

    Run changed = push("v2", "--known-hosts", wrong.toString());
    Run unknown = push("v2", "--known-hosts", dir.resolve("known_hosts_empty").toString());

    assertThat(changed.code()).isEqualTo(6);
    assertThat(changed.err()).contains("refused before anything ran").contains("CHANGED");
    assertThat(unknown.code()).isEqualTo(6);
    assertThat(unknown.err()).contains("is not in").contains("--accept-new");
    // the key was never offered, nothing was asked of the host
    assertThat(sshd.logText().lines().filter(l -> l.contains("Accepted publickey")).count()).isEqualTo(acceptedBefore);
    assertThat(pushFiles()).isEmpty();
    assertThat(version()).contains("v1");
  }

  @Test
  @Order(2)
  void theCiKeyRunsNothingButADeployNoShellNoForwarding() throws Exception {
    for (String command : List.of("id", "sh -c id", "deploy --service demo --version v1;reboot",
        "deploy --service demo --version --upload-pack=x", "deploy --service demo --version $(reboot)",
        "deploy  --service demo --version v2", "deploy --service demo --version v2 --config /tmp/evil.yml",
        "git-upload-pack '/srv/repo'", "scp -t /root", "deploy --service ../etc --version v2")) {
      Run r = exec(command);
      assertThat(r.code()).as("exit of %s", command).isEqualTo(2);
      assertThat(r.err()).as("stderr of %s", command).contains("refused");
      assertThat(r.out()).as("stdout of %s", command).isEmpty();
    }
    // an interactive shell: the gate runs instead, without a command, and refuses
    try (SshClient client = client(); ClientSession session = session(client);
        ChannelShell shell = session.createShellChannel()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      shell.setOut(out);
      shell.setErr(out);
      shell.open().verify(Duration.ofSeconds(10));
      shell.getInvertedIn().write("id\n".getBytes(StandardCharsets.UTF_8));
      shell.getInvertedIn().flush();
      shell.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(60));
      assertThat(shell.getExitStatus()).isEqualTo(2);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("cannot open a shell").doesNotContain("uid=");
    }
    // port forwarding through the host to the demo: `restrict` refuses the channel
    try (SshClient client = client(); ClientSession session = session(client)) {
      var local = session.startLocalPortForwarding(new SshdSocketAddress("127.0.0.1", 0),
          new SshdSocketAddress("127.0.0.1", demoPort));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", local.getPort()), 5_000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /version HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int first;
        try {
          first = s.getInputStream().read();
        } catch (IOException e) {
          first = -1;
        }
        assertThat(first).as("no byte from the demo through the tunnel").isEqualTo(-1);
      }
    }
    // and it was sshd that refused it, for the key's `restrict`
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sshd.logText()
        .contains("refused local port forward: originator 127.0.0.1"));
    assertThat(pushFiles()).isEmpty();
    assertThat(version()).contains("v1");
  }

  @Test
  @Order(3)
  void aPushDeploysTheDemoStreamsItsStepsAndItsEventsReachKafkaWithTriggerPush() throws Exception {
    // --accept-new: this first use trusts the unknown host and records its key
    Path fresh = dir.resolve("known_hosts_fresh");
    Run run = push("v2", "--known-hosts", fresh.toString(), "--accept-new");
    assertThat(Files.readString(fresh)).contains(sshd.knownHostsLine().split(" ")[2].strip());
    System.out.println(run.out());

    assertThat(run.code()).as("stdout %s%nstderr %s", run.out(), run.err()).isZero();
    String label = "[127.0.0.1:" + sshd.port + "] ";
    assertThat(run.out()).contains(label + "no agent daemon runs on this host")
        .contains(label + "started deployment").contains(label + "step pull ok").contains(label + "step up ok")
        .contains(label + "step health-check ok").contains(label + "succeeded: demo runs v2")
        .contains(label + "ok");
    assertThat(version()).contains("v2");
    String id = run.deploymentId();

    // the events wait in the host's outbox (no daemon ran), signed, with the push source
    AgentState state = StateStore.read(dir.resolve("state"));
    assertThat(state.services.get("demo").current.version).isEqualTo("v2");
    List<StevedoreEvent> queued = state.outbox.stream()
        .map(e -> decode(e.payload))
        .filter(e -> e instanceof DeployStarted || e instanceof DeploySucceeded).toList();
    assertThat(queued).extracting(StevedoreEvent::source).containsOnly("stevedore://agent/" + hostId + "/push");
    assertThat(queued).hasSize(2);
    assertThat(pushFiles()).isEmpty();

    // the agent daemon starts later and its relay publishes them
    Vertx vertx = Vertx.vertx();
    try {
      RunningAgent agent = AgentService.start(vertx, daemonConfig(TestHooks.none())).toCompletionStage()
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> eventsOf(id).stream().anyMatch(e -> e instanceof DeploySucceeded));
      List<StevedoreEvent> published = eventsOf(id);
      assertThat(published).extracting(StevedoreEvent::source).containsOnly("stevedore://agent/" + hostId + "/push");
      assertThat(((DeployStarted) published.get(0)).fromVersion()).isEqualTo("v1");
      agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(4)
  void aPushWhileTheDaemonDeploysTheSameServiceWaitsForIt() throws Exception {
    Vertx vertx = Vertx.vertx();
    RunningAgent[] agent = new RunningAgent[1];
    try {
      // the daemon pauses 4 s before `up` of every deployment: its cycle holds the service
      DeployRequested request = daemonDeploying(vertx, "v3", Duration.ofSeconds(4), agent);

      Run run = push("v4");
      System.out.println(run.out());

      assertThat(run.code()).as("stdout %s%nstderr %s", run.out(), run.err()).isZero();
      assertThat(run.out()).contains("the agent daemon on this host (pid " + ProcessHandle.current().pid())
          .contains("waiting: deployment " + request.deploymentId() + " of demo (version v3, step up)")
          .contains("succeeded: demo runs v4");
      assertThat(version()).contains("v4");
      String id = run.deploymentId();
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
          .until(() -> eventsOf(id).stream().anyMatch(e -> e instanceof DeploySucceeded));
      // the daemon's deployment ended before the push's started: never two cycles at once
      DeploySucceeded daemons = (DeploySucceeded) eventsOf(request.deploymentId()).stream()
          .filter(e -> e instanceof DeploySucceeded).findFirst().orElseThrow();
      DeployStarted pushes = (DeployStarted) eventsOf(id).stream().filter(e -> e instanceof DeployStarted).findFirst()
          .orElseThrow();
      assertThat(daemons.version()).isEqualTo("v3");
      assertThat(pushes.fromVersion()).isEqualTo("v3");
      assertThat(pushes.time()).isAfterOrEqualTo(daemons.time());
      agent[0].stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(5)
  void aPushThatWaitsLongerThanLockWaitIsWithdrawnAndChangesNothing() throws Exception {
    Vertx vertx = Vertx.vertx();
    RunningAgent[] agent = new RunningAgent[1];
    try {
      DeployRequested request = daemonDeploying(vertx, "v1", Duration.ofSeconds(10), agent);

      Run run = push("v2", "--identity", ciShortKey.toString());
      System.out.println(run.out() + run.err());

      assertThat(run.code()).as("stdout %s%nstderr %s", run.out(), run.err()).isEqualTo(5);
      assertThat(run.out()).contains("waiting: deployment " + request.deploymentId());
      assertThat(run.err()).contains("timed out").contains("push.lockWait (PT2S)").contains("withdrawn and changed nothing");
      String id = run.deploymentId();
      // the daemon's deployment finishes; the withdrawn push never runs
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> version().filter("v1"::equals).isPresent());
      Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
          .until(() -> version().filter("v1"::equals).isPresent());
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
          .until(() -> eventsOf(id).stream().anyMatch(e -> e instanceof dev.stevedore.common.event.DeploySkipped));
      assertThat(eventsOf(id)).noneMatch(e -> e instanceof DeployStarted);
      assertThat(((dev.stevedore.common.event.DeploySkipped) eventsOf(id).get(0)).reason()).startsWith("push withdrawn");
      assertThat(eventsOf(request.deploymentId())).anyMatch(e -> e instanceof DeploySucceeded);
      agent[0].stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
