package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.stevedore.system.FleetRolloutIT.done;
import static dev.stevedore.system.FleetRolloutIT.git;
import static dev.stevedore.system.FleetRolloutIT.states;
import static org.awaitility.Awaitility.await;

import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.trigger.RunningTrigger;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.TriggerService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploy windows end to end: a trigger (in this JVM) whose environment has a freeze that ends
 * {@link #FREEZE} after the test starts it (the freeze is written into its configuration as a
 * cron of the current minute and a duration up to that moment), two real agents (each an
 * {@link AgentService} with its own host id, state directory and the git driver over its own
 * checkout of one shared origin), one shared Kafka broker. A request made during the freeze waits
 * as a pending rollout and reaches the agents only when the freeze is over; a deployer's override
 * goes out at once; an environment configured to refuse answers 409 with the opening.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployWindowIT {
  /** How long after the trigger's configuration is written the freeze ends: the first tests run inside it. */
  static final Duration FREEZE = Duration.ofSeconds(60);
  static final String SERVICE = "site";
  static final String TOKEN = "windows-" + UUID.randomUUID();
  static final EventCodec CODEC = new EventCodec();

  @TempDir static Path dir;
  static KafkaTestSupport kafka;
  static Vertx vertx;
  static RunningTrigger trigger;
  /** The environment that waits for the opening, and one that refuses outside its windows. */
  static String frozen;
  static String strict;
  static Instant freezeEnds;
  static final List<RunningAgent> agents = new ArrayList<>();
  static final List<Path> checkouts = new ArrayList<>();
  static final List<String> hostIds = new ArrayList<>();
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaTestSupport.shared();
    kafka.createTopics(FleetRolloutIT.fleetTopics());
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

    String run = UUID.randomUUID().toString().substring(0, 8);
    frozen = "frozen-" + run;
    strict = "strict-" + run;
    vertx = Vertx.vertx();
    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = Files.writeString(dir.resolve("trigger.pem"), Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = Files.writeString(dir.resolve("trigger.pub.pem"), Ed25519Keys.toPem(keys.getPublic()));
    for (int i = 0; i < 2; i++) {
      String id = "window-" + run + "-" + i;
      Path checkout = dir.resolve(id + "-site");
      git(dir, "clone", "-q", origin.toString(), checkout.toString());
      git(checkout, "checkout", "-q", "v1");
      AgentConfig config = load(AgentConfig.class, "agent-defaults.yml", id, """
          hostId: %s
          environment: %s
          kafka: {bootstrapServers: "%s", fetchMaxWaitMs: 100}
          trustedKeys: [%s]
          stateDirectory: %s
          httpPort: 0
          heartbeatInterval: PT1S
          services:
            site:
              driver: git
              git: {repositoryDirectory: %s, remote: origin, branch: main}
          """.formatted(id, frozen, kafka.bootstrapServers(), publicKey, dir.resolve(id + "-state"), checkout));
      agents.add(done(AgentService.start(vertx, config)));
      checkouts.add(checkout);
      hostIds.add(id);
    }

    // A freeze that began at the start of this minute and ends FREEZE from now (cron: this very
    // minute of this day of the year; the duration carries it to the end).
    Instant now = Instant.now();
    ZonedDateTime minute = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
    freezeEnds = now.plus(FREEZE).truncatedTo(ChronoUnit.SECONDS);
    String freeze = "{name: release-freeze, kind: deny, cron: \"%d %d %d %d *\", duration: %s}".formatted(
        minute.getMinute(), minute.getHour(), minute.getDayOfMonth(), minute.getMonthValue(),
        Duration.between(minute.toInstant(), freezeEnds));
    TriggerConfig config = load(TriggerConfig.class, "trigger-defaults.yml", "trigger", """
        http: {host: 127.0.0.1, port: 0, opsPort: 0}
        warmUp: {durationMs: 1000, requests: 200} # short: the default (up to 30 s) is for production
        kafka: {bootstrapServers: "%s"}
        signing:
          privateKeyFile: %s
          publicKeyFile: %s
        api:
          tokens: [{name: ci, token: %s, roles: [deployer]}]
        schedules: {dataDir: %s}
        rollouts:
          tickMs: 200
          groupId: it-windows-%s
          sessionTimeoutMs: 6000
          windows:
            %s: {outside: wait, windows: [%s]}
            %s: {outside: refuse, windows: [%s]}
        """.formatted(kafka.bootstrapServers(), privateKey, publicKey, TOKEN, dir.resolve("trigger-data"), run,
        frozen, freeze, strict, freeze));
    trigger = done(TriggerService.start(vertx, config));
    // the trigger learns the fleet from heartbeats: both hosts first
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
        .until(() -> kafka.readAll(Topics.HEARTBEATS, Duration.ofSeconds(10)).stream()
        .map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(hostIds));
  }

  @AfterAll
  static void stop() throws Exception {
    List<Future<Void>> stops = new ArrayList<>();
    if (trigger != null) {
      stops.add(trigger.stop());
    }
    agents.forEach(a -> stops.add(a.stop()));
    Future.join(stops).toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(90, TimeUnit.SECONDS);
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void anEnvironmentThatRefusesOutsideItsWindowsAnswers409WithTheOpening() throws Exception {
    assertThat(Instant.now()).as("the freeze must still hold; the machine took too long to get here").isBefore(freezeEnds);
    HttpResponse<String> r = deploy(strict, "v2", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(new JsonObject(r.body()).getString("detail")).contains(strict + " is closed for deploys now (freeze "
        + "release-freeze").contains("it opens at " + freezeEnds).contains("windowOverride");
  }

  @Test
  @Order(2)
  void aDeployersOverrideGoesOutAtOnceDuringTheFreezeAndSaysSo() throws Exception {
    assertThat(Instant.now()).as("the freeze must still hold; the machine took too long to get here").isBefore(freezeEnds);
    HttpResponse<String> r = deploy(frozen, "v2", "INC-4711, customer-facing outage");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("deploymentId");
    JsonObject done = waitFor(id);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    assertThat(states(done)).containsOnlyKeys(hostIds)
        .allSatisfy((host, state) -> assertThat(state).as(host).isEqualTo("succeeded"));
    assertThat(versions()).containsOnly("v2");

    DeployRequested request = requestsOf(id).get(0);
    assertThat(request.time()).as("published during the freeze, not held").isBefore(freezeEnds);
    assertThat(request.reason()).contains("deploy window overridden by api:ci: INC-4711, customer-facing outage");
  }

  @Test
  @Order(3)
  void aRequestDuringTheFreezeWaitsAndReachesTheAgentsOnlyWhenTheFreezeIsOver() throws Exception {
    Instant asked = Instant.now();
    assertThat(asked).as("the freeze must still hold; the machine took too long to get here").isBefore(freezeEnds);
    HttpResponse<String> r = deploy(frozen, "v3", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("deploymentId");

    JsonObject pending = get("/api/v1/rollouts/" + id, 200);
    assertThat(pending.getString("phase")).as(pending.encodePrettily()).isEqualTo("pending");
    assertThat(pending.getString("detail")).contains("waiting for a deploy window (freeze release-freeze")
        .contains("next opening " + freezeEnds);
    // while frozen the hosts keep v2 (each look: the files first, then the clock, so a v3 seen
    // before the freeze ended is a failure and one seen just after it is not)
    java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
    await().atMost(FREEZE.plusSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<String> seen = versions();
      if (!Instant.now().isBefore(freezeEnds)) {
        return true;
      }
      assertThat(seen).as("versions during the freeze").containsOnly("v2");
      looks.incrementAndGet();
      return false;
    });
    assertThat(looks.get()).as("looked during the freeze").isPositive();

    JsonObject done = waitFor(id);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    assertThat(states(done)).containsOnlyKeys(hostIds)
        .allSatisfy((host, state) -> assertThat(state).as(host).isEqualTo("succeeded"));
    assertThat(versions()).containsOnly("v3");
    // the wave went out, and every agent started, only once the freeze was over (the trigger's and
    // the agents' own signed times)
    assertThat(requestsOf(id)).isNotEmpty().allSatisfy(w -> assertThat(w.time()).isAfterOrEqualTo(freezeEnds));
    List<DeployStarted> started = eventsOf(id).stream().filter(e -> e instanceof DeployStarted)
        .map(e -> (DeployStarted) e).toList();
    assertThat(started).extracting(DeployStarted::host).containsExactlyInAnyOrderElementsOf(hostIds);
    assertThat(started).allSatisfy(s -> assertThat(s.time()).isAfterOrEqualTo(freezeEnds));
    assertThat(get("/api/v1/rollouts/" + id, 200).getString("phase")).isEqualTo("succeeded");
  }

  // --- helpers

  static List<String> versions() throws Exception {
    List<String> out = new ArrayList<>();
    for (Path c : checkouts) {
      out.add(Files.readString(c.resolve("version")).trim());
    }
    return out;
  }

  static List<DeployRequested> requestsOf(String deploymentId) throws Exception {
    List<DeployRequested> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : kafka.readAll(Topics.REQUESTS, Duration.ofSeconds(30))) {
      if (r.value().contains(deploymentId)) {
        StevedoreEvent e = CODEC.decode(r.value().getBytes(StandardCharsets.UTF_8));
        if (e instanceof DeployRequested d && d.deploymentId().equals(deploymentId)) {
          out.add(d);
        }
      }
    }
    return out;
  }

  static List<StevedoreEvent> eventsOf(String deploymentId) throws Exception {
    List<StevedoreEvent> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : kafka.readAll(Topics.EVENTS, Duration.ofSeconds(30))) {
      if (deploymentId.equals(r.key())) {
        out.add(CODEC.decode(r.value().getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  static HttpResponse<String> deploy(String environment, String version, String windowOverride) throws Exception {
    JsonObject body = new JsonObject().put("service", SERVICE).put("environment", environment).put("version", version)
        .put("reason", "window IT");
    if (windowOverride != null) {
      body.put("windowOverride", windowOverride);
    }
    return http.send(HttpRequest.newBuilder(api("/api/v1/deployments"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The CI gate: one call that answers when the deployment is finished. */
  static JsonObject waitFor(String id) throws Exception {
    JsonObject done = get("/api/v1/deployments/" + id + "?wait=PT3M", 200);
    assertThat(done.getBoolean("finished")).as(done.encodePrettily()).isTrue();
    return done;
  }

  static JsonObject get(String path, int expected) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofMinutes(4)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    return new JsonObject(r.body().strip());
  }

  static URI api(String path) {
    return URI.create("http://127.0.0.1:" + trigger.port() + path);
  }

  static <X> X load(Class<X> type, String defaults, String name, String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve(name + ".yml"), yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }
}
