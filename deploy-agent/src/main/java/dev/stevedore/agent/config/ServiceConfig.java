package dev.stevedore.agent.config;

import dev.stevedore.common.time.CronSchedule;
import dev.stevedore.agent.driver.AllowedImages;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One service the agent manages. The event names <em>what</em> (service, version); only this
 * config says <em>how</em>.
 *
 * @param driver {@code compose} (the default) or {@code git}
 * @param projectDirectory compose: the directory holding the compose files (the process's working directory)
 * @param composeFiles compose: files passed with {@code -f} (default {@code docker-compose.yml})
 * @param projectName compose: {@code -p} project name (default: the service name)
 * @param composeService compose: the compose service whose container carries the version (default: the service name)
 * @param versionVariable compose: the variable that carries the version into the compose file (default {@code VERSION})
 * @param imageVariable compose: optional variable set to the full image reference ({@code repo:tag} or
 *     {@code repo@sha256:...}); needed for {@code sha256:} versions; requires {@code image}
 * @param image the image repository ({@code 127.0.0.1:5000/stevedore-demo}); used for digests, polling
 *     and the allowed-repository check
 * @param environment extra variables for every process of this service (never from an event)
 * @param strategy {@code default} (pull, then {@code up -d}; the default), {@code recreate} (pull, down, up -d) or
 *     {@code blue-green}
 * @param rollback roll back to the previous version when the new one fails after the switch
 * @param allowedRepositories when not empty, {@code image} and every image the compose files name must
 *     start with one of these (at a {@code /}, {@code :} or {@code @} boundary; see {@link AllowedImages})
 * @param healthCheck how to tell the new version is healthy
 * @param hooks pre-deploy and post-deploy commands
 * @param git git driver settings
 * @param poll polling mode (the cron option of the pull model)
 * @param blueGreen settings of the {@code blue-green} strategy (required by it, refused without it)
 */
public record ServiceConfig(
    DriverKind driver,
    String projectDirectory,
    List<String> composeFiles,
    String projectName,
    String composeService,
    String versionVariable,
    String imageVariable,
    String image,
    Map<String, String> environment,
    Strategy strategy,
    Boolean rollback,
    List<String> allowedRepositories,
    HealthCheckConfig healthCheck,
    HooksConfig hooks,
    GitConfig git,
    PollConfig poll,
    BlueGreenConfig blueGreen) {

  /** Without blue-green settings (the shape before the blue-green strategy). */
  public ServiceConfig(DriverKind driver, String projectDirectory, List<String> composeFiles, String projectName,
      String composeService, String versionVariable, String imageVariable, String image, Map<String, String> environment,
      Strategy strategy, Boolean rollback, List<String> allowedRepositories, HealthCheckConfig healthCheck,
      HooksConfig hooks, GitConfig git, PollConfig poll) {
    this(driver, projectDirectory, composeFiles, projectName, composeService, versionVariable, imageVariable, image,
        environment, strategy, rollback, allowedRepositories, healthCheck, hooks, git, poll, null);
  }

  public ServiceConfig {
    driver = driver == null ? DriverKind.COMPOSE : driver;
    composeFiles = composeFiles == null || composeFiles.isEmpty() ? List.of("docker-compose.yml") : List.copyOf(composeFiles);
    versionVariable = versionVariable == null || versionVariable.isBlank() ? "VERSION" : versionVariable;
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    strategy = strategy == null ? Strategy.DEFAULT : strategy;
    if (strategy == Strategy.BLUE_GREEN && (blueGreen == null || driver != DriverKind.COMPOSE)) {
      throw new IllegalArgumentException("strategy blue-green needs the compose driver and the blueGreen settings");
    }
    if (blueGreen != null && strategy != Strategy.BLUE_GREEN) {
      throw new IllegalArgumentException("blueGreen settings are only for strategy blue-green");
    }
    rollback = rollback == null ? Boolean.TRUE : rollback;
    allowedRepositories = allowedRepositories == null ? List.of() : List.copyOf(allowedRepositories);
    healthCheck = healthCheck == null ? HealthCheckConfig.none() : healthCheck;
    if (strategy == Strategy.BLUE_GREEN && healthCheck.type() == HealthCheckType.NONE) {
      throw new IllegalArgumentException("strategy blue-green needs a health check (http or container): "
          + "the idle colour is checked before traffic moves to it");
    }
    hooks = hooks == null ? HooksConfig.none() : hooks;
    if (driver == DriverKind.COMPOSE && (projectDirectory == null || projectDirectory.isBlank())) {
      throw new IllegalArgumentException("a compose service needs projectDirectory");
    }
    if (driver == DriverKind.GIT && git == null) {
      throw new IllegalArgumentException("a git service needs the git settings");
    }
    if (imageVariable != null && (image == null || image.isBlank())) {
      throw new IllegalArgumentException("imageVariable needs image (the repository)");
    }
    if (image != null && !AllowedImages.allows(allowedRepositories, image)) {
      throw new IllegalArgumentException("image " + image + " is not in allowedRepositories " + allowedRepositories);
    }
  }

  public boolean recreate() {
    return strategy == Strategy.RECREATE;
  }

  public boolean blueGreenStrategy() {
    return strategy == Strategy.BLUE_GREEN;
  }

  /**
   * The plain compose settings of one colour of a blue-green service: its own project
   * ({@code <project>-<colour>}), the same compose service, its port in {@code portVariable}.
   */
  public ServiceConfig colour(String name, String colour, int port) {
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.put(blueGreen.portVariable(), String.valueOf(port));
    return new ServiceConfig(driver, projectDirectory, composeFiles, project(name) + "-" + colour,
        mainComposeService(name), versionVariable, imageVariable, image, env, Strategy.DEFAULT, rollback, allowedRepositories,
        healthCheck, hooks, null, null, null);
  }

  /** The compose project name for a service named {@code name}: lower case letters, digits, - and _. */
  public String project(String name) {
    String raw = projectName == null || projectName.isBlank() ? name : projectName;
    return raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "");
  }

  public String mainComposeService(String name) {
    return composeService == null || composeService.isBlank() ? name : composeService;
  }

  /** The environment by names only: its values may be secrets (a migration's database password). */
  @Override
  public String toString() {
    return "ServiceConfig[driver=" + driver + ", projectDirectory=" + projectDirectory + ", composeFiles=" + composeFiles
        + ", projectName=" + projectName + ", composeService=" + composeService + ", versionVariable=" + versionVariable
        + ", imageVariable=" + imageVariable + ", image=" + image + ", environment=" + Redacted.names(environment)
        + ", strategy=" + strategy + ", rollback=" + rollback + ", allowedRepositories=" + allowedRepositories
        + ", healthCheck=" + healthCheck + ", hooks=" + hooks + ", git=" + git + ", poll=" + poll
        + (blueGreen == null ? "" : ", blueGreen=" + blueGreen) + "]";
  }

  /** Settings of the git driver. */
  public record GitConfig(String repositoryDirectory, String remote, String branch, List<String> restartCommand) {
    public GitConfig {
      if (repositoryDirectory == null || repositoryDirectory.isBlank()) {
        throw new IllegalArgumentException("git.repositoryDirectory is required");
      }
      remote = remote == null || remote.isBlank() ? "origin" : remote;
      branch = branch == null || branch.isBlank() ? "main" : branch;
      restartCommand = restartCommand == null ? List.of() : List.copyOf(restartCommand);
    }

    @Override
    public String toString() {
      return "GitConfig[repositoryDirectory=" + repositoryDirectory + ", remote=" + remote + ", branch=" + branch
          + ", restartCommand=" + Redacted.command(restartCommand) + "]";
    }
  }

  /** Pre- and post-deploy hooks, each a list of commands run in order. */
  public record HooksConfig(List<HookConfig> preDeploy, List<HookConfig> postDeploy) {
    public HooksConfig {
      preDeploy = preDeploy == null ? List.of() : List.copyOf(preDeploy);
      postDeploy = postDeploy == null ? List.of() : List.copyOf(postDeploy);
    }

    public static HooksConfig none() {
      return new HooksConfig(null, null);
    }
  }

  /**
   * One hook: either {@code composeRun} (a compose service run with {@code run --rm}, with
   * {@code args}) or {@code command} (an argument list run as is in the project directory).
   */
  public record HookConfig(String composeRun, List<String> args, List<String> command, java.time.Duration timeout) {
    public HookConfig {
      args = args == null ? List.of() : List.copyOf(args);
      command = command == null ? List.of() : List.copyOf(command);
      if ((composeRun == null || composeRun.isBlank()) == command.isEmpty()) {
        throw new IllegalArgumentException("a hook needs exactly one of composeRun or command");
      }
    }

    /**
     * How events and logs name this hook: the compose service or the program's file name, never
     * its arguments (they may carry secrets).
     */
    public String label() {
      return composeRun != null && !composeRun.isBlank() ? "compose run " + composeRun : Redacted.program(command);
    }

    @Override
    public String toString() {
      return "HookConfig[composeRun=" + composeRun + ", args=" + (args.isEmpty() ? "[]" : "[" + args.size() + " hidden]")
          + ", command=" + Redacted.command(command) + ", timeout=" + timeout + "]";
    }
  }

  /**
   * Polling: every {@code interval}, or on the {@code cron} schedule (Vixie cron's five fields or a
   * nickname such as {@code @daily}, in {@code timeZone}, UTC when not set), compare the registry's
   * digest of {@code image:tag} with the running one and deploy on change. The schedule is read
   * here, so a bad expression or zone stops the agent at start, naming the service.
   */
  public record PollConfig(java.time.Duration interval, String cron, String tag, String timeZone) {
    public PollConfig {
      if ((interval == null) == (cron == null || cron.isBlank())) {
        throw new IllegalArgumentException("poll needs exactly one of interval or cron");
      }
      if (interval != null && (interval.isZero() || interval.isNegative())) {
        throw new IllegalArgumentException("poll.interval must be positive, not " + interval);
      }
      if (interval != null && timeZone != null && !timeZone.isBlank()) {
        throw new IllegalArgumentException("poll.timeZone is for cron; an interval needs none");
      }
      if (cron != null && !cron.isBlank()) {
        CronSchedule.parse(cron, timeZone);
      }
      tag = tag == null || tag.isBlank() ? "latest" : tag;
    }

    public PollConfig(java.time.Duration interval, String cron, String tag) {
      this(interval, cron, tag, null);
    }

    /** The cron schedule, or null for an interval. */
    public CronSchedule schedule() {
      return cron == null || cron.isBlank() ? null : CronSchedule.parse(cron, timeZone);
    }
  }
}
