package dev.stevedore.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.BlueGreenConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.config.Strategy;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.process.ProcessResult;
import dev.stevedore.proxy.EdgeProxy;
import dev.stevedore.proxy.ProxyConfig;
import dev.stevedore.proxy.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blue-green driver against the real edge proxy (in this JVM), a fake docker/compose that keeps
 * which version each colour runs, and real HTTP servers on the colours' ports that answer the
 * health check as the version would ({@code broken} answers 500).
 */
class BlueGreenDriverTest {
  static final String TOKEN = "t0ken";
  static final String IMAGE = "127.0.0.1:5000/demo";

  Vertx vertx;
  EdgeProxy.Running proxy;
  BlueGreenDriver driver;
  /** compose project -> version, and which projects are stopped. */
  final Map<String, String> runs = new ConcurrentHashMap<>();
  final Map<String, Boolean> stopped = new ConcurrentHashMap<>();
  final List<String> ran = new ArrayList<>();
  int bluePort;
  int greenPort;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    HttpServer blue = colourServer("web-blue");
    HttpServer green = colourServer("web-green");
    bluePort = blue.actualPort();
    greenPort = green.actualPort();
    proxy = EdgeProxy.start(vertx, new ProxyConfig("127.0.0.1", 0, "127.0.0.1", 0, TOKEN,
        dir.resolve("proxy.json").toString(), null, null, 1, 0, false, null)).await();
    BlueGreenConfig bg = new BlueGreenConfig(proxy.port(), bluePort, greenPort, null, null,
        "http://127.0.0.1:" + proxy.adminPort(), TOKEN, null, Duration.ofSeconds(2));
    ServiceConfig sc = new ServiceConfig(DriverKind.COMPOSE, dir.toString(), null, null, "app", null, null, IMAGE, Map.of(),
        Strategy.BLUE_GREEN, true, List.of(), new HealthCheckConfig(HealthCheckType.HTTP, "http://127.0.0.1:" + proxy.port() + "/health", 200,
        Duration.ofMillis(50), Duration.ofSeconds(5)), null, null, null, bg);
    WebClient web = WebClient.create(vertx);
    driver = new BlueGreenDriver(vertx, "web", sc, ComposeFlavor.V2, "docker",
        new Docker(fakeDocker(), new Breakers(ResilienceConfig.defaults()).docker()), new Breakers(ResilienceConfig.defaults()),
        Duration.ofSeconds(10), new ProxyAdmin(vertx, web, bg), new HealthChecker(vertx, web));
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  /** Answers as the version the project runs: 200 with the version, 500 for {@code broken}, 503 when stopped. */
  HttpServer colourServer(String project) {
    return vertx.createHttpServer().requestHandler(req -> {
      String v = runs.get(project);
      if (v == null || stopped.getOrDefault(project, false)) {
        req.response().setStatusCode(503).end();
      } else {
        req.response().setStatusCode(v.equals("broken") ? 500 : 200).end(v);
      }
    }).listen(0, "127.0.0.1").await();
  }

  private String project(Command c) {
    return c.args().get(c.args().indexOf("-p") + 1);
  }

  CommandRunner fakeDocker() {
    return c -> {
      List<String> a = c.args();
      String line = String.join(" ", a);
      synchronized (ran) {
        ran.add(a.contains("-p") ? project(c) + " " + a.get(a.size() - 1) : line);
      }
      String out = "";
      if (a.contains("-p") && a.get(a.size() - 1).equals("-d")) {
        runs.put(project(c), c.environment().get("VERSION"));
        stopped.put(project(c), false);
      } else if (a.contains("-p") && a.get(a.size() - 1).equals("stop")) {
        stopped.put(project(c), true);
      } else if (a.get(1).equals("ps")) {
        String p = a.stream().filter(s -> s.startsWith("label=com.docker.compose.project=")).findFirst().orElseThrow()
            .substring("label=com.docker.compose.project=".length());
        out = runs.containsKey(p) ? "cid-" + p : "";
      } else if (a.get(1).equals("inspect")) {
        String p = a.get(a.size() - 1).substring(4);
        out = "sha256:" + runs.get(p) + "|" + IMAGE + ":" + runs.get(p) + "|none|"
            + (stopped.getOrDefault(p, false) ? "exited" : "running");
      } else if (a.get(1).equals("image")) {
        out = line.contains("{{.Id}}") ? "sha256:x|[]" : "[]";
      }
      return Future.succeededFuture(new ProcessResult(0, out, 1, false));
    };
  }

  List<StepResult> run(List<StepPlan> steps) {
    List<StepResult> out = new ArrayList<>();
    for (StepPlan s : steps) {
      StepResult r = s.action().get().await();
      out.add(r);
      if (!r.ok()) {
        break;
      }
    }
    return out;
  }

  /**
   * {@link #run}, again from the first step while a step fails for the environment (the proxy's
   * admin endpoint did not answer within 3 s on a starved machine): what the agent does with such
   * a failure. A failure that is the version's is returned as it is.
   */
  List<StepResult> runUntilNotEnvironment(java.util.function.Supplier<List<StepPlan>> plan) {
    for (int attempt = 1; ; attempt++) {
      List<StepResult> out = run(plan.get());
      StepResult last = out.get(out.size() - 1);
      if (last.ok() || last.fault() != StepResult.Fault.ENVIRONMENT || attempt == 5) {
        return out;
      }
    }
  }

  String active() {
    Upstream u = proxy.traffic().state().active();
    return u == null ? null : u.colour();
  }

  @Test
  void thePlanSwitchesOnlyAtTheSwitchStep() {
    assertThat(driver.forward("v1").stream().map(s -> s.name() + (s.switches() ? "!" : "")).collect(Collectors.toList()))
        .containsExactly("pull", "up-idle", "check-idle", "switch!", "drain!", "stop-old!");
  }

  @Test
  void deploysAlternateColoursAndStopsTheOldOne() {
    assertThat(runUntilNotEnvironment(() -> driver.forward("v1"))).allMatch(StepResult::ok);
    assertThat(active()).isEqualTo("blue");
    assertThat(runs).containsEntry("web-blue", "v1");
    assertThat(runUntilNotEnvironment(() -> driver.forward("v2"))).allMatch(StepResult::ok);
    assertThat(active()).isEqualTo("green");
    assertThat(runs).containsEntry("web-green", "v2");
    assertThat(stopped).containsEntry("web-blue", true).containsEntry("web-green", false);
    assertThat(driver.inspect().await().tag()).isEqualTo("v2");
    assertThat(runUntilNotEnvironment(() -> driver.forward("v3"))).allMatch(StepResult::ok);
    assertThat(active()).isEqualTo("blue");
    assertThat(stopped).containsEntry("web-green", true);
  }

  @Test
  void aBrokenVersionNeverSwitchesAndItsIdleColourIsStopped() {
    assertThat(runUntilNotEnvironment(() -> driver.forward("v1"))).allMatch(StepResult::ok);
    long generation = proxy.traffic().state().generation();
    List<StepResult> results = run(driver.forward("broken"));
    StepResult last = results.get(results.size() - 1);
    assertThat(results).hasSize(3);                         // pull, up-idle, check-idle
    assertThat(last.ok()).isFalse();
    assertThat(last.fault()).isEqualTo(StepResult.Fault.VERSION);
    assertThat(last.reason()).contains("green (idle) is not healthy").contains("traffic stayed on blue");
    assertThat(active()).isEqualTo("blue");
    assertThat(proxy.traffic().state().generation()).isEqualTo(generation);
    assertThat(stopped).containsEntry("web-green", true).containsEntry("web-blue", false);
  }

  @Test
  void aPlanRunAgainAfterItsSwitchRestartsNothingThatServes() {
    assertThat(runUntilNotEnvironment(() -> driver.forward("v1"))).allMatch(StepResult::ok);
    List<StepPlan> plan = driver.forward("v2");
    for (StepPlan s : plan.subList(0, 4)) {     // crashed right after the switch
      assertThat(s.action().get().await().ok()).isTrue();
    }
    assertThat(active()).isEqualTo("green");
    synchronized (ran) {
      ran.clear();
    }
    assertThat(runUntilNotEnvironment(() -> driver.forward("v2"))).allMatch(StepResult::ok);   // recovery: from the first step
    assertThat(active()).isEqualTo("green");
    assertThat(ran).doesNotContain("web-green -d").contains("web-blue stop");
    assertThat(runs).containsEntry("web-green", "v2");
  }

  @Test
  void rollbackStartsThePreviousColourAgainAndSwitchesBack() {
    // each must succeed, or the rollback below starts from another state (under load a check that
    // timed out made v2 go to blue, and the rollback then went to green)
    assertThat(runUntilNotEnvironment(() -> driver.forward("v1"))).allMatch(StepResult::ok);
    assertThat(runUntilNotEnvironment(() -> driver.forward("v2"))).allMatch(StepResult::ok);   // green serves v2; blue (v1) stopped
    List<StepResult> back = runUntilNotEnvironment(
        () -> driver.rollback("v1", new Running("sha256:v1", IMAGE + ":v1", null, "none", "unknown")));
    assertThat(back).allMatch(StepResult::ok);
    assertThat(active()).isEqualTo("blue");
    assertThat(runs).containsEntry("web-blue", "v1");
    assertThat(stopped).containsEntry("web-blue", false).containsEntry("web-green", true);
  }

  @Test
  void anUnreachableProxyIsTheEnvironmentsFaultNotTheVersions() {
    proxy.stop().get().await();
    StepResult pull = driver.forward("v1").get(0).action().get().await();
    assertThat(pull.ok()).isFalse();
    assertThat(pull.fault()).isEqualTo(StepResult.Fault.ENVIRONMENT);
    assertThat(pull.reason()).contains("edge proxy");
  }

  @Test
  void choosesTheIdleColourUnlessTheActiveOneAlreadyRunsTheVersion() {
    assertThat(BlueGreenDriver.target(null, false)).isEqualTo("blue");
    assertThat(BlueGreenDriver.target("blue", false)).isEqualTo("green");
    assertThat(BlueGreenDriver.target("green", false)).isEqualTo("blue");
    assertThat(BlueGreenDriver.target("green", true)).isEqualTo("green");
    assertThat(BlueGreenDriver.runs(new Running("i", IMAGE + ":v2", null, "none", "running"), "v2", IMAGE)).isTrue();
    assertThat(BlueGreenDriver.runs(new Running("i", IMAGE + ":v2", null, "none", "exited"), "v2", IMAGE)).isFalse();
    assertThat(BlueGreenDriver.runs(new Running("i", IMAGE + ":v1", null, "none", "running"), "v2", IMAGE)).isFalse();
  }
}
