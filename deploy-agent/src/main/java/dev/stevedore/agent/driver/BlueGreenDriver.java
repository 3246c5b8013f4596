package dev.stevedore.agent.driver;

import dev.stevedore.agent.config.BlueGreenConfig;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.process.Command;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code blue-green} strategy: two compose projects (colours) behind the edge proxy. Forward:
 * {@code pull} (chooses the colour), pre-deploy hooks, {@code up-idle}, {@code check-idle} (the
 * idle colour probed directly), then {@code switch} (the proxy's atomic swap: the first step that
 * changes what serves), {@code drain}, post-deploy hooks, {@code stop-old}. A failed idle check
 * never switches; it stops the idle colour and fails the version.
 *
 * <p>The proxy's active colour is the truth: every run of the plan starts by asking it, so the
 * plan can be run again from its first step after a crash. When the active colour already runs
 * the version (the crash came after the switch), that colour is the target and nothing it serves
 * is restarted; the remaining steps only finish the switch.
 */
public final class BlueGreenDriver implements Driver {
  private static final Logger LOG = LoggerFactory.getLogger(BlueGreenDriver.class);
  static final String BLUE = "blue";
  static final String GREEN = "green";

  private final Vertx vertx;
  private final String name;
  private final ServiceConfig config;
  private final BlueGreenConfig bg;
  private final ProxyAdmin proxy;
  private final HealthChecker health;
  private final Docker runner;
  private final Duration timeout;
  private final Map<String, ComposeDriver> colours;
  private final Map<String, ComposeCommands> commands;
  private final Map<String, ServiceConfig> colourConfigs;

  public BlueGreenDriver(Vertx vertx, String name, ServiceConfig config, ComposeFlavor flavor, String dockerCommand,
      Docker runner, Breakers breakers, Duration timeout, ProxyAdmin proxy, HealthChecker health) {
    this.vertx = vertx;
    this.name = name;
    this.config = config;
    this.bg = config.blueGreen();
    this.proxy = proxy;
    this.health = health;
    this.runner = runner;
    this.timeout = timeout;
    ServiceConfig blue = config.colour(name, BLUE, bg.bluePort());
    ServiceConfig green = config.colour(name, GREEN, bg.greenPort());
    this.colourConfigs = Map.of(BLUE, blue, GREEN, green);
    this.colours = Map.of(
        BLUE, new ComposeDriver(vertx, name, blue, flavor, dockerCommand, runner, breakers, timeout),
        GREEN, new ComposeDriver(vertx, name, green, flavor, dockerCommand, runner, breakers, timeout));
    this.commands = Map.of(
        BLUE, new ComposeCommands(flavor, dockerCommand, blue.project(name), blue.composeFiles()),
        GREEN, new ComposeCommands(flavor, dockerCommand, green.project(name), green.composeFiles()));
  }

  /** The colour that is not {@code colour}; blue when none serves yet. */
  static String other(String colour) {
    return BLUE.equals(colour) ? GREEN : BLUE;
  }

  /**
   * Where {@code version} goes: the active colour when it already runs it (a plan run again after
   * its switch), else the idle one.
   */
  static String target(String active, boolean activeRunsVersion) {
    return active != null && activeRunsVersion ? active : other(active);
  }

  /** Whether {@code r} is a running container of {@code version}. */
  static boolean runs(Running r, String version, String image) {
    if (r == null || !r.present() || !"running".equals(r.status()) || r.imageRef() == null) {
      return false;
    }
    return (image != null && r.imageRef().equals(ImageRefs.reference(image, version))) || version.equals(r.tag());
  }

  int port(String colour) {
    return BLUE.equals(colour) ? bg.bluePort() : bg.greenPort();
  }

  /** What one run of a plan decided: the colour the version goes to and the one that served. */
  private static final class Choice {
    volatile String target;
    volatile String active;
  }

  @Override
  public List<StepPlan> forward(String version) {
    Choice c = new Choice();
    // The plan's shape is the same for both colours: each step runs the chosen colour's step.
    List<StepPlan> shape = colours.get(BLUE).forward(version);
    List<StepPlan> steps = new ArrayList<>();
    for (int i = 0; i < shape.size(); i++) {
      int index = i;
      StepPlan s = shape.get(i);
      switch (s.name()) {
        case "pull" -> steps.add(new StepPlan("pull", false, () -> choose(c, version)
            .compose(chosen -> chosen != null ? Future.succeededFuture(chosen) : step(c.target, version, index))));
        case "pre-deploy" -> steps.add(new StepPlan("pre-deploy", false, () -> step(c.target, version, index)));
        case "up" -> {
          steps.add(new StepPlan("up-idle", false, () -> c.target.equals(c.active)
              ? Future.succeededFuture(StepResult.ok(c.target + " already serves " + version, 0))
              : step(c.target, version, index)));
          steps.add(new StepPlan("check-idle", false, () -> checkIdle(c)));
          steps.add(new StepPlan("switch", true, () -> switchTo(c.target)));
          steps.add(new StepPlan("drain", true, () -> drain(other(c.target))));
        }
        default -> steps.add(new StepPlan(s.name(), s.switches(), () -> step(c.target, version, index)));
      }
    }
    steps.add(new StepPlan("stop-old", true, () -> stop(other(c.target))));
    return steps;
  }

  /** Asks the proxy which colour serves and what it runs; null when the plan can go on. */
  private Future<StepResult> choose(Choice c, String version) {
    return proxy.state().compose(view -> activeRunning(view.colour()).map(running -> {
      c.active = view.colour();
      c.target = target(view.colour(), runs(running, version, config.image()));
      LOG.info("{}: {} serves{}; {} goes to {}", name, view.colour() == null ? "no colour" : view.colour(),
          running.present() ? " " + running.imageRef() : "", version, c.target);
      return (StepResult) null;
    })).recover(e -> Future.succeededFuture(proxyDown(e)));
  }

  private Future<Running> activeRunning(String colour) {
    return colour == null ? Future.succeededFuture(Running.absent()) : colours.get(colour).inspect();
  }

  private Future<StepResult> step(String colour, String version, int index) {
    if (colour == null) {
      return Future.succeededFuture(StepResult.unavailable("no colour chosen (the plan did not start at its first step)", 0));
    }
    return colours.get(colour).forward(version).get(index).action().get();
  }

  /** The idle colour, probed on its own port; a failure stops it (it never served) and is the version's. */
  private Future<StepResult> checkIdle(Choice c) {
    String colour = c.target;
    return health.check(idleCheck(colour), colours.get(colour)::inspect).compose(r -> r.ok() || colour.equals(c.active)
        ? Future.succeededFuture(r)
        : stop(colour).map(stopped -> new StepResult(false, r.exitCode(), r.output(),
            colour + " (idle) is not healthy: " + r.reason() + "; traffic stayed on " + (c.active == null ? "nothing" : c.active),
            r.durationMs(), r.fault())));
  }

  /** The service's health check aimed at one colour's port (its path, status, interval and deadline). */
  HealthCheckConfig idleCheck(String colour) {
    HealthCheckConfig hc = config.healthCheck();
    if (hc.type() != HealthCheckType.HTTP) {
      return hc;
    }
    String path = bg.healthPath();
    if (path == null || path.isBlank()) {
      String p = URI.create(hc.url()).getRawPath();
      String q = URI.create(hc.url()).getRawQuery();
      path = (p == null || p.isEmpty() ? "/" : p) + (q == null ? "" : "?" + q);
    }
    return new HealthCheckConfig(HealthCheckType.HTTP, "http://127.0.0.1:" + port(colour) + path, hc.expectedStatus(), hc.interval(),
        hc.deadline());
  }

  private Future<StepResult> switchTo(String colour) {
    long start = System.nanoTime();
    return proxy.switchTo(colour, port(colour))
        .map(view -> StepResult.ok("the edge proxy serves " + view.colour() + " (port " + view.port() + ", switch "
            + view.generation() + ")", (System.nanoTime() - start) / 1_000_000))
        .recover(e -> Future.succeededFuture(proxyDown(e)));
  }

  /** Waits until no request is in flight on {@code old}, at most the drain time. */
  private Future<StepResult> drain(String old) {
    long start = System.nanoTime();
    long deadline = start + bg.drain().toNanos();
    Promise<StepResult> done = Promise.promise();
    vertx.setTimer(100, id -> pollDrain(old, start, deadline, done));
    return done.future();
  }

  private void pollDrain(String old, long start, long deadline, Promise<StepResult> done) {
    proxy.state().onComplete(ar -> {
      long now = System.nanoTime();
      long ms = (now - start) / 1_000_000;
      if (ar.succeeded() && ar.result().inFlight(old) == 0) {
        done.complete(StepResult.ok("no request in flight on " + old + " after " + ms + " ms", ms));
      } else if (now >= deadline) {
        done.complete(StepResult.ok((ar.succeeded() ? ar.result().inFlight(old) + " request(s) still in flight on " + old
            : "the proxy did not answer (" + ar.cause().getMessage() + ")") + " after the drain time (" + ms + " ms)", ms));
      } else {
        vertx.setTimer(100, id -> pollDrain(old, start, deadline, done));
      }
    });
  }

  /** {@code compose stop}: the containers stay, so a rollback starts them again quickly. */
  private Future<StepResult> stop(String colour) {
    Command cmd = new Command(commands.get(colour).stop(), Path.of(config.projectDirectory()),
        ComposeDriver.environment(colourConfigs.get(colour), "unused"), timeout);
    return runner.run(cmd).map(r -> StepResult.of(r, "stop of " + colour));
  }

  @Override
  public List<StepPlan> rollback(String version, Running previous) {
    Choice c = new Choice();
    List<StepPlan> steps = new ArrayList<>();
    steps.add(new StepPlan("rollback", true, () -> choose(c, version).compose(chosen -> chosen != null
        ? Future.succeededFuture(chosen)
        : c.target.equals(c.active)
            ? Future.succeededFuture(StepResult.ok(c.target + " already serves " + version, 0))
            : colours.get(c.target).rollback(version, previous).get(0).action().get())));
    steps.add(new StepPlan("rollback-check", true, () -> health.check(idleCheck(c.target), colours.get(c.target)::inspect)));
    steps.add(new StepPlan("switch-back", true, () -> switchTo(c.target)));
    steps.add(new StepPlan("drain", true, () -> drain(other(c.target))));
    steps.add(new StepPlan("stop-failed", true, () -> stop(other(c.target))));
    return steps;
  }

  @Override
  public Future<Running> inspect() {
    return proxy.state().recover(e -> Future.failedFuture(new IllegalStateException(
            "the edge proxy at " + bg.adminUrl() + " does not answer: " + e.getMessage(), e)))
        .compose(view -> activeRunning(view.colour()));
  }

  @Override
  public String waitingFor() {
    return colours.get(BLUE).waitingFor();
  }

  private StepResult proxyDown(Throwable e) {
    return StepResult.unavailable("the edge proxy at " + bg.adminUrl() + " did not answer: " + e.getMessage(), 0);
  }
}
