package dev.stevedore.agent.driver;

import dev.stevedore.agent.config.Redacted;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.config.ServiceConfig.HookConfig;
import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.process.ProcessResult;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The git driver (the lecture's {@code git pull}, made exact): {@code fetch}, checkout of the
 * exact commit the version names (a tag or a commit id, never a moving branch head), the
 * configured restart command, then the health check; rollback checks out the previous commit and
 * restarts again.
 */
public final class GitDriver implements Driver {
  private static final Pattern COMMIT_ID = Pattern.compile("^[0-9a-f]{7,40}$");

  private final ServiceConfig config;
  private final ServiceConfig.GitConfig git;
  private final GitCommands commands;
  private final CommandRunner runner;
  private final Duration timeout;

  public GitDriver(ServiceConfig config, CommandRunner runner, Duration timeout) {
    this.config = config;
    this.git = config.git();
    this.commands = new GitCommands("git");
    this.runner = runner;
    this.timeout = timeout;
  }

  private Command command(List<String> args, String version) {
    Map<String, String> env = new HashMap<>(config.environment());
    env.put(config.versionVariable(), version);
    env.put("GIT_TERMINAL_PROMPT", "0");
    return new Command(args, Path.of(git.repositoryDirectory()), env, timeout);
  }

  @Override
  public List<StepPlan> forward(String version) {
    List<StepPlan> steps = new ArrayList<>();
    String[] commit = new String[1];
    // fetch also resolves the version to a commit: an unknown version fails before anything switched
    steps.add(new StepPlan("fetch", false, () -> runner.run(command(commands.fetch(git.remote()), version))
        // the remote not answering is the environment's fault; an unknown version (below) the version's
        .map(r -> StepResult.of(r, "git fetch").withFault(StepResult.Fault.ENVIRONMENT))
        .compose(fetched -> !fetched.ok() ? Future.succeededFuture(fetched) : resolve(version).map(c -> {
          commit[0] = c;
          return c == null
              ? fetched.plus(StepResult.failed("version " + version + " is neither a tag nor a commit of the repository", 0))
              : fetched.plus(StepResult.ok(version + " is commit " + c, 0));
        }))));
    for (HookConfig hook : config.hooks().preDeploy()) {
      steps.add(new StepPlan("pre-deploy", false, () -> hook("pre-deploy", hook, version)));
    }
    steps.add(new StepPlan("checkout", true,
        () -> runner.run(command(commands.checkout(commit[0]), version)).map(r -> StepResult.of(r, "git checkout " + commit[0]))));
    steps.add(new StepPlan("restart", true, () -> restart(version)));
    for (HookConfig hook : config.hooks().postDeploy()) {
      steps.add(new StepPlan("post-deploy", true, () -> hook("post-deploy", hook, version)));
    }
    return steps;
  }

  @Override
  public List<StepPlan> rollback(String version, Running previous) {
    return List.of(new StepPlan("rollback", true, () -> {
      if (previous == null || previous.imageId() == null) {
        return Future.succeededFuture(StepResult.failed("no previous commit to roll back to", 0));
      }
      return runner.run(command(commands.checkout(previous.imageId()), version))
          .map(r -> StepResult.of(r, "git checkout " + previous.imageId()))
          .compose(c -> c.ok() ? restart(version).map(c::plus) : Future.succeededFuture(c));
    }));
  }

  /** A tag first (refs/tags/<v>), then a commit id; a branch name is never accepted. */
  Future<String> resolve(String version) {
    return runner.run(command(commands.resolveCommit(GitCommands.tagRef(version)), version)).compose(tag -> {
      if (tag.ok()) {
        return Future.succeededFuture(tag.output().trim());
      }
      if (!COMMIT_ID.matcher(version).matches()) {
        return Future.succeededFuture(null);
      }
      return runner.run(command(commands.resolveCommit(version), version))
          .map(c -> c.ok() && c.output().trim().startsWith(version) ? c.output().trim() : null);
    });
  }

  private Future<StepResult> restart(String version) {
    if (git.restartCommand().isEmpty()) {
      return Future.succeededFuture(StepResult.ok("no restart command configured", 0));
    }
    return runner.run(command(git.restartCommand(), version).withLabel("restart command " + Redacted.program(git.restartCommand()))
        .inOwnSession())
        .map(r -> StepResult.of(r, "restart command"));
  }

  /** Named by {@link HookConfig#label()} in logs and results: a hook's arguments may carry secrets. */
  private Future<StepResult> hook(String phase, HookConfig hook, String version) {
    if (hook.command().isEmpty()) {
      return Future.succeededFuture(StepResult.failed("the git driver runs command hooks only", 0));
    }
    String label = phase + " hook " + hook.label();
    Command c = command(hook.command(), version).withLabel(label).inOwnSession();
    return runner.run(hook.timeout() == null ? c : c.withTimeout(hook.timeout())).map(r -> StepResult.ofHook(r, label));
  }

  @Override
  public Future<Running> inspect() {
    return runner.run(command(commands.head(), "unused")).map((ProcessResult r) -> r.ok()
        ? new Running(r.output().trim(), null, r.output().trim(), "none", "running")
        : Running.absent());
  }
}
