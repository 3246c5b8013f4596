package dev.stevedore.agent.driver;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.agent.config.ServiceConfig.HookConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.ProcessResult;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import dev.stevedore.common.resilience.VertxRetry;
import dev.stevedore.common.runtime.JsonMappers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compose driver: pull (retried, behind the registry's breaker), pre-deploy hooks, {@code down}
 * (recreate strategy only), {@code up -d}, post-deploy hooks. The version travels only as the
 * configured variable in the child process's environment.
 */
public final class ComposeDriver implements Driver {
  private static final ObjectMapper JSON = JsonMappers.toolOutput();

  private final Vertx vertx;
  private final String name;
  private final ServiceConfig config;
  private final String project;
  private final ComposeCommands compose;
  private final DockerCommands docker;
  private final Docker runner;
  private final Breakers breakers;
  private final Duration timeout;
  /** The image the last successful pull brought, by version (one deployment per service at a time). */
  private volatile Map.Entry<String, Running> pulled;

  public ComposeDriver(Vertx vertx, String name, ServiceConfig config, ComposeFlavor flavor, String dockerCommand,
      Docker runner, Breakers breakers, Duration timeout) {
    this.vertx = vertx;
    this.name = name;
    this.config = config;
    this.project = config.project(name);
    this.compose = new ComposeCommands(flavor, dockerCommand, project, config.composeFiles());
    this.docker = new DockerCommands(dockerCommand);
    this.runner = runner;
    this.breakers = breakers;
    this.timeout = timeout;
  }

  /** The environment of every compose process for {@code version}: config first, then the version. */
  public static Map<String, String> environment(ServiceConfig config, String version) {
    Map<String, String> env = new HashMap<>(config.environment());
    env.put(config.versionVariable(), version);
    if (config.imageVariable() != null) {
      env.put(config.imageVariable(), ImageRefs.reference(config.image(), version));
    }
    return env;
  }

  private Command command(List<String> args, String version) {
    return new Command(args, Path.of(config.projectDirectory()), environment(config, version), timeout);
  }

  @Override
  public List<StepPlan> forward(String version) {
    List<StepPlan> steps = new ArrayList<>();
    // After a good pull the new image's id and digest are read at once (one docker call, part of
    // the pull step), so nothing needs asking docker after the health check.
    steps.add(new StepPlan("pull", false, () -> refusedImages(version).compose(refused -> refused != null
        ? Future.succeededFuture(refused)
        : pull(version)).compose(r -> !r.ok() || config.image() == null
        ? Future.succeededFuture(r)
        : imageOf(version).map(t -> {
          pulled = Map.entry(version, t);
          return r;
        }))));
    for (HookConfig hook : config.hooks().preDeploy()) {
      steps.add(new StepPlan("pre-deploy", false, () -> hook("pre-deploy", hook, version)));
    }
    if (config.recreate()) {
      steps.add(new StepPlan("down", true, () -> run(compose.down(), version, "down")));
    }
    steps.add(new StepPlan("up", true, () -> run(compose.upDetached(), version, "up -d")));
    for (HookConfig hook : config.hooks().postDeploy()) {
      steps.add(new StepPlan("post-deploy", true, () -> hook("post-deploy", hook, version)));
    }
    return steps;
  }

  @Override
  public List<StepPlan> rollback(String version, Running previous) {
    return List.of(new StepPlan("rollback", true, () -> retag(previous)
        .compose(tagged -> run(compose.upDetached(), version, "up -d of the previous version").map(tagged::plus))));
  }

  @Override
  public String waitingFor() {
    String docker = Breakers.waitingFor(breakers.docker(), "the docker daemon");
    return docker != null ? docker : Breakers.waitingFor(breakers.registry(registryHost()), "registry " + registryHost());
  }

  /** Points the previous tag at the previous image id again, so {@code up -d} starts exactly that image. */
  private Future<StepResult> retag(Running previous) {
    if (previous == null || previous.imageId() == null || previous.imageRef() == null || previous.imageRef().contains("@")) {
      return Future.succeededFuture(StepResult.ok("", 0));
    }
    return runner.run(command(docker.tag(previous.imageId(), previous.imageRef()), "unused"))
        .map(r -> StepResult.of(r, "docker tag"));
  }

  private Future<StepResult> run(List<String> args, String version, String what) {
    return runner.run(command(args, version)).map(r -> StepResult.of(r, what));
  }

  /** Named by {@link HookConfig#label()} in logs and results: a hook's arguments may carry secrets. */
  private Future<StepResult> hook(String phase, HookConfig hook, String version) {
    List<String> args = hook.composeRun() != null ? compose.runOnce(hook.composeRun(), hook.args()) : hook.command();
    String label = phase + " hook " + hook.label();
    Command c = command(args, version).withLabel(label);
    if (hook.composeRun() == null) {
      c = c.inOwnSession();   // the operator's own program on the host
    }
    if (hook.timeout() != null) {
      c = c.withTimeout(hook.timeout());
    }
    return runner.run(c).map(r -> StepResult.ofHook(r, label));
  }

  /**
   * With {@code allowedRepositories} set: the images the compose files name for {@code version}
   * ({@code compose config}), checked before the pull. A failed step when one is not allowed, or
   * when compose cannot say; null when all are allowed.
   */
  private Future<StepResult> refusedImages(String version) {
    if (config.allowedRepositories().isEmpty()) {
      return Future.succeededFuture(null);
    }
    Command c = command(compose.config(), version).withStdoutOnly();
    return runner.run(c).map(r -> {
      if (!r.ok()) {
        return StepResult.of(r, "compose config (reading the images to check against allowedRepositories)");
      }
      try {
        return AllowedImages.refusal(config.allowedRepositories(), AllowedImages.imagesOf(r.output()))
            .map(reason -> StepResult.failed(reason, r.durationMs()))
            .orElse(null);
      } catch (IllegalArgumentException e) {
        return StepResult.failed(e.getMessage(), r.durationMs());
      }
    });
  }

  /** The registry the pull talks to (for its breaker): from {@code image}, else "default". */
  String registryHost() {
    return config.image() == null ? "default" : ImageRefs.registry(config.image());
  }

  private Future<StepResult> pull(String version) {
    String registry = registryHost();
    CircuitBreaker breaker = breakers.registry(registry);
    return VertxRetry.retry(vertx, breakers.pullRetry(name), () -> VertxCircuitBreaker.guard(breaker, () ->
            runner.run(command(compose.pull(), version)).compose(r -> {
              StepResult step = StepResult.of(r, "pull");
              if (Docker.unavailable(r)) {
                // the daemon, not the registry, did not answer: not the registry breaker's business
                return Future.succeededFuture(step);
              }
              if (r.ok() || notFound(r.output())) {
                // the registry answered: not a breaker failure; "not found" is the version's fault
                return Future.succeededFuture(step.withFault(StepResult.Fault.VERSION));
              }
              return Future.failedFuture(new Breakers.TransientFailure(step));
            })))
        .recover(e -> {
          if (e instanceof Breakers.TransientFailure t) {
            StepResult r = t.result();
            return Future.succeededFuture(new StepResult(false, r.exitCode(), r.output(),
                "registry " + registry + " did not answer (" + r.reason() + ")", r.durationMs(), StepResult.Fault.ENVIRONMENT));
          }
          if (VertxCircuitBreaker.isOpen(e)) {
            return Future.succeededFuture(StepResult.unavailable("waiting for registry " + registry
                + ": its circuit breaker is open after repeated pull failures; the running version keeps serving", 0));
          }
          return Future.succeededFuture(StepResult.unavailable("pull: " + e.getMessage(), 0));
        });
  }

  static boolean notFound(String output) {
    String o = output.toLowerCase(Locale.ROOT);
    return o.contains("manifest unknown") || o.contains("not found") || o.contains("does not exist")
        || o.contains("unauthorized") || o.contains("denied");
  }

  @Override
  public Future<Running> target(String version) {
    Map.Entry<String, Running> known = pulled;
    if (known != null && known.getKey().equals(version) && known.getValue().present()) {
      return Future.succeededFuture(known.getValue());
    }
    return config.image() == null ? inspect() : imageOf(version);
  }

  private Future<Running> imageOf(String version) {
    String ref = ImageRefs.reference(config.image(), version);
    return runner.run(command(docker.imageIdAndDigests(ref), "unused")).compose(r -> {
      int bar = r.output().indexOf('|');
      if (!r.ok() || bar < 0) {
        return inspect();
      }
      String id = r.output().substring(0, bar).trim();
      return Future.succeededFuture(new Running(id, ref,
          ImageRefs.digestFor(parseList(r.output().substring(bar + 1)), config.image()), "none", "running"));
    });
  }

  @Override
  public Future<Running> inspect() {
    return runner.run(command(docker.composeContainers(project, config.mainComposeService(name)), "unused")).compose(ps -> {
      if (!ps.ok()) {
        return Future.failedFuture(new IllegalStateException("docker ps failed: " + ps.tail(500)));
      }
      String id = ps.output().lines().map(String::trim).filter(s -> !s.isEmpty()).findFirst().orElse(null);
      if (id == null) {
        return Future.succeededFuture(Running.absent());
      }
      return runner.run(command(docker.inspectContainer(id), "unused")).compose(in -> {
        if (!in.ok()) {
          return Future.succeededFuture(Running.absent());
        }
        String[] parts = in.output().trim().split("\\|", -1);
        if (parts.length < 4) {
          return Future.failedFuture(new IllegalStateException("unexpected docker inspect output: " + in.tail(200)));
        }
        return runner.run(command(docker.repoDigests(parts[0]), "unused")).map(d -> new Running(parts[0], parts[1],
            d.ok() ? ImageRefs.digestFor(parseList(d.output()), ImageRefs.repository(parts[1])) : null, parts[2], parts[3]));
      });
    });
  }

  private static List<String> parseList(String json) {
    try {
      List<String> out = JSON.readValue(json.trim(), new TypeReference<List<String>>() {});
      return out == null ? List.of() : out;
    } catch (Exception e) {
      return List.of();
    }
  }
}
