package dev.stevedore.trigger;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.security.AgentTrust;
import dev.stevedore.trigger.rollout.RolloutSettings;
import java.util.List;

/**
 * The trigger service's typed configuration (defaults in {@code trigger-defaults.yml}, then a YAML
 * file, then {@code STEVEDORE_*} environment variables). Every key is described in
 * {@code docs/configuration.md (trigger service)}. Records normalise blanks and nulls so the rest of the code
 * never checks for them.
 */
public record TriggerConfig(
    String instanceId,
    Http http,
    KafkaSettings kafka,
    TopicSetup topics,
    Signing signing,
    List<GenericHook> generic,
    GitHub github,
    GitLab gitlab,
    List<Repository> repositories,
    Api api,
    Schedules schedules,
    Limits limits,
    History history,
    AgentTrust agents,
    RolloutSettings rollouts,
    WarmUp warmUp) {
  /** Every secret (URL tokens, bearer tokens, the GitHub secret, the GitLab token, HMAC secrets) is at least this long. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** Without trusted agent keys: agent events are not checked. */
  public TriggerConfig(String instanceId, Http http, KafkaSettings kafka, TopicSetup topics, Signing signing,
      List<GenericHook> generic, GitHub github, GitLab gitlab, List<Repository> repositories, Api api,
      Schedules schedules, Limits limits, History history) {
    this(instanceId, http, kafka, topics, signing, generic, github, gitlab, repositories, api, schedules, limits,
        history, AgentTrust.none());
  }

  /** Without rollout settings: the defaults (rollouts on, every environment all-at-once). */
  public TriggerConfig(String instanceId, Http http, KafkaSettings kafka, TopicSetup topics, Signing signing,
      List<GenericHook> generic, GitHub github, GitLab gitlab, List<Repository> repositories, Api api,
      Schedules schedules, Limits limits, History history, AgentTrust agents) {
    this(instanceId, http, kafka, topics, signing, generic, github, gitlab, repositories, api, schedules, limits,
        history, agents, null);
  }

  /** Without a warm-up budget: no warm-up (a configuration built in code; the defaults file sets one). */
  public TriggerConfig(String instanceId, Http http, KafkaSettings kafka, TopicSetup topics, Signing signing,
      List<GenericHook> generic, GitHub github, GitLab gitlab, List<Repository> repositories, Api api,
      Schedules schedules, Limits limits, History history, AgentTrust agents, RolloutSettings rollouts) {
    this(instanceId, http, kafka, topics, signing, generic, github, gitlab, repositories, api, schedules, limits,
        history, agents, rollouts, null);
  }

  /** {@code c} with another warm-up budget. */
  public TriggerConfig withWarmUp(WarmUp budget) {
    return new TriggerConfig(instanceId, http, kafka, topics, signing, generic, github, gitlab, repositories, api,
        schedules, limits, history, agents, rollouts, budget);
  }

  public TriggerConfig {
    instanceId = blank(instanceId) ? "trigger" : instanceId;
    http = http == null ? new Http(null, 0, 0) : http;
    if (kafka == null) {
      throw new IllegalArgumentException("kafka.bootstrapServers is required");
    }
    topics = topics == null ? new TopicSetup(true, 0, 0) : topics;
    signing = signing == null ? new Signing(null, null, false, null) : signing;
    generic = generic == null ? List.of() : List.copyOf(generic);
    unique(generic.stream().map(GenericHook::name).toList(), "generic hook name");
    github = github == null ? new GitHub(null) : github;
    gitlab = gitlab == null ? new GitLab(null) : gitlab;
    repositories = repositories == null ? List.of() : List.copyOf(repositories);
    api = api == null ? new Api(null) : api;
    schedules = schedules == null ? new Schedules(null, 0, 0) : schedules;
    limits = limits == null ? new Limits(0, 0, 0, 0, 0, 0, 0) : limits;
    history = history == null ? new History(true, 0) : history;
    agents = agents == null ? AgentTrust.none() : agents;
    rollouts = rollouts == null ? RolloutSettings.defaults() : rollouts;
    warmUp = warmUp == null ? WarmUp.NONE : warmUp;
  }

  /**
   * The start-up warm-up (issue #14): before the webhook port listens and before {@code
   * /health/ready} says ready, synthetic webhooks go over loopback through a separate instance of
   * the real HTTP server, router, guards, parsers, branch rules, signing and encoding, into a sink
   * that discards them, so that the JIT has compiled that path before the first real delivery.
   * It ends at the first budget reached; a budget of 0 is not used; both 0: no warm-up.
   *
   * @param durationMs how long it may run (at most {@link #MAX_DURATION_MS}: the start must end
   *     within 90 s, {@code TriggerMain})
   * @param requests how many webhooks it may send
   * @param untilSteady end earlier, once its rate has stopped rising: the best second of the last
   *     {@link #STEADY_SECONDS} seconds is no more than 5 % above the best of the {@link
   *     #STEADY_SECONDS} before (the JIT has compiled what the path needs)
   */
  public record WarmUp(long durationMs, int requests, boolean untilSteady) {
    public static final long MAX_DURATION_MS = 45_000;
    public static final int STEADY_SECONDS = 5;
    public static final WarmUp NONE = new WarmUp(0, 0, false);

    public WarmUp {
      if (durationMs < 0 || durationMs > MAX_DURATION_MS) {
        throw new IllegalArgumentException("warmUp.durationMs must be from 0 (no time budget) to " + MAX_DURATION_MS
            + " (the start must end within 90 s), not " + durationMs);
      }
      if (requests < 0) {
        throw new IllegalArgumentException("warmUp.requests must be 0 (no count budget) or more, not " + requests);
      }
    }

    /** Exactly the budget given (not ended earlier when steady). */
    public WarmUp(long durationMs, int requests) {
      this(durationMs, requests, false);
    }

    public boolean enabled() {
      return durationMs > 0 || requests > 0;
    }

    /** The time bound: {@code durationMs}, or {@link #MAX_DURATION_MS} when only a count is set. */
    public long boundMs() {
      return durationMs > 0 ? durationMs : MAX_DURATION_MS;
    }
  }

  /**
   * @param host bind address; @param port 0 = ephemeral; @param instances HTTP verticle instances
   * @param maxConnections open connections beyond this are closed at once
   * @param requestTimeoutMs a request must arrive in full (headers and body) within this time of
   *     the connection opening or of the previous request, else its connection is closed
   * @param opsHost bind address of the management port ({@code /health/*}, {@code /metrics})
   * @param opsPort the management port, apart from the webhook port; 0 = ephemeral
   */
  public record Http(String host, int port, int instances, int maxConnections, long requestTimeoutMs,
      String opsHost, int opsPort) {
    public Http {
      host = blank(host) ? "0.0.0.0" : host;
      instances = instances <= 0 ? 1 : instances;
      maxConnections = maxConnections <= 0 ? 1_000 : maxConnections;
      requestTimeoutMs = requestTimeoutMs <= 0 ? 10_000 : requestTimeoutMs;
      opsHost = blank(opsHost) ? "127.0.0.1" : opsHost;
      if (opsPort < 0 || (opsPort != 0 && opsPort == port)) {
        throw new IllegalArgumentException("http.opsPort must be 0 (ephemeral) or a port other than http.port");
      }
    }

    /** Defaults, a management port on loopback picked by the system (tests, launchers). */
    public Http(String host, int port, int instances) {
      this(host, port, instances, 0, 0, null, 0);
    }
  }

  /**
   * Whether the trigger creates missing Stevedore topics at start (turn it off where topics are
   * managed elsewhere), with how many partitions and replicas; replication 0 (the default) is as
   * many replicas as the cluster has brokers, up to three.
   */
  public record TopicSetup(boolean create, int partitions, int replication) {
    public TopicSetup {
      partitions = partitions <= 0 ? 3 : partitions;
      replication = Math.max(0, replication);
    }
  }

  /**
   * The trigger's Ed25519 key pair (PKCS#8 and X.509 PEM). {@code privateKey} is a secret: set it
   * with {@code privateKeyFile} or {@code STEVEDORE_SIGNING_PRIVATE_KEY_FILE}.
   *
   * @param generateEphemeralKey local development and tests only: make a new key pair at start
   * @param publicKeyOut where to write the public key PEM (so agents can trust it); blank = nowhere
   */
  public record Signing(String privateKey, String publicKey, boolean generateEphemeralKey, String publicKeyOut) {
    public Signing {
      privateKey = blank(privateKey) ? null : privateKey;
      publicKey = blank(publicKey) ? null : publicKey;
      publicKeyOut = blank(publicKeyOut) ? null : publicKeyOut;
    }
  }

  /**
   * A generic secret-URL hook ({@code POST /hooks/generic/{token}}).
   *
   * @param services services it may deploy (empty = any)
   * @param environments environments it may deploy to (empty = any)
   * @param hmacSecret when set, requests must carry {@code X-Stevedore-Timestamp} and
   *     {@code X-Stevedore-Signature: sha256=HEX} over {@code timestamp + "." + body}
   */
  public record GenericHook(String name, String token, String hmacSecret, List<String> services,
      List<String> environments) {
    public GenericHook {
      if (blank(name)) {
        throw new IllegalArgumentException("generic hook without a name");
      }
      if (token == null || token.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException("generic hook '" + name + "' needs a token of at least "
            + MIN_TOKEN_LENGTH + " characters");
      }
      hmacSecret = blank(hmacSecret) ? null : hmacSecret;
      minLength(hmacSecret, "generic hook '" + name + "' hmacSecret");
      services = services == null ? List.of() : List.copyOf(services);
      environments = environments == null ? List.of() : List.copyOf(environments);
    }
  }

  /**
   * GitHub webhook secret (HMAC-SHA256 key); blank disables {@code /hooks/github} (404).
   *
   * @param workflows names ({@code workflow_run.name}) or files ({@code .github/workflows/build.yml})
   *     of the workflows whose successful runs may deploy; empty: any workflow
   */
  public record GitHub(String secret, List<String> workflows) {
    public GitHub {
      secret = blank(secret) ? null : secret;
      minLength(secret, "github.secret");
      workflows = workflows == null ? List.of() : List.copyOf(workflows);
    }

    public GitHub(String secret) {
      this(secret, List.of());
    }
  }

  /** GitLab webhook token ({@code X-Gitlab-Token}); blank disables {@code /hooks/gitlab} (404). */
  public record GitLab(String token) {
    public GitLab {
      token = blank(token) ? null : token;
      minLength(token, "gitlab.token");
    }
  }

  /**
   * Branch rules of one repository ({@code owner/name} on GitHub, {@code group/project} on GitLab).
   * Without rules, pushes to {@code main} or {@code master} deploy {@code services} to
   * {@code environment} with the commit sha as version.
   */
  public record Repository(String name, List<String> services, String environment, List<Rule> rules) {
    public Repository {
      if (blank(name)) {
        throw new IllegalArgumentException("repository without a name");
      }
      services = services == null ? List.of() : List.copyOf(services);
      environment = blank(environment) ? "production" : environment;
      rules = rules == null || rules.isEmpty()
          ? List.of(new Rule("main", null, null, null, null, null), new Rule("master", null, null, null, null, null))
          : List.copyOf(rules);
    }
  }

  /**
   * One rule: a glob on the branch ({@code branch}) or on the tag ({@code tag}), exactly one of
   * them; the services and environment it deploys (defaults: the repository's); where the version
   * comes from: {@code commit} (default for branches), {@code shortCommit} (12 hex digits),
   * {@code tag} (default for tags), or {@code field} with {@code versionField} a JSON pointer into
   * the webhook payload.
   */
  public record Rule(String branch, String tag, List<String> services, String environment, VersionFrom versionFrom,
      String versionField) {
    public Rule {
      branch = blank(branch) ? null : branch;
      tag = blank(tag) ? null : tag;
      if ((branch == null) == (tag == null)) {
        throw new IllegalArgumentException("a rule needs exactly one of 'branch' or 'tag'");
      }
      services = services == null ? List.of() : List.copyOf(services);
      environment = blank(environment) ? null : environment;
      versionFrom = versionFrom == null ? (tag != null ? VersionFrom.TAG : VersionFrom.COMMIT) : versionFrom;
      if (versionFrom == VersionFrom.FIELD && blank(versionField)) {
        throw new IllegalArgumentException("versionFrom: field needs versionField (a JSON pointer)");
      }
    }
  }

  /** Where a rule takes the version from; written {@code commit}, {@code shortCommit}, {@code tag}, {@code field}. */
  public enum VersionFrom {
    @JsonProperty("commit") COMMIT,
    @JsonProperty("shortCommit") SHORT_COMMIT,
    @JsonProperty("tag") TAG,
    @JsonProperty("field") FIELD
  }

  /** Bearer tokens of the manual API. */
  public record Api(List<ApiToken> tokens) {
    public Api {
      tokens = tokens == null ? List.of() : List.copyOf(tokens);
      unique(tokens.stream().map(ApiToken::name).toList(), "API token name");
    }
  }

  /** What an API token may do. */
  public enum Role {
    /** deploy, schedule, cancel, roll back; also read */
    DEPLOYER,
    /** read schedules */
    VIEWER;

    /** Whether a token with this role may do what {@code needed} allows (a deployer may read). */
    public boolean allows(Role needed) {
      return this == needed || (this == DEPLOYER && needed == VIEWER);
    }
  }

  /** @param roles {@code deployer} and/or {@code viewer} */
  public record ApiToken(String name, String token, List<Role> roles) {
    public ApiToken {
      if (blank(name)) {
        throw new IllegalArgumentException("API token without a name");
      }
      if (token == null || token.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException("API token '" + name + "' needs a token of at least "
            + MIN_TOKEN_LENGTH + " characters");
      }
      roles = roles == null ? List.of() : List.copyOf(roles);
    }

    public boolean may(Role needed) {
      return roles.stream().anyMatch(r -> r.allows(needed));
    }
  }

  /**
   * @param dataDir where the schedule journal lives (fsynced JSON lines)
   * @param tickMs how often due schedules are looked for
   * @param maxPending refuse new schedules beyond this many pending ones
   */
  /**
   * @param dataDir where an old schedule journal is looked for once, for migration to the topic
   * @param sessionTimeoutMs the schedule group's session timeout: how long a silent instance keeps
   *     the schedules it fires (see {@link dev.stevedore.common.kafka.PartitionOwnership.Settings})
   */
  public record Schedules(String dataDir, long tickMs, int maxPending, int sessionTimeoutMs, int heartbeatIntervalMs) {
    public Schedules {
      dataDir = blank(dataDir) ? "data/trigger" : dataDir;
      tickMs = tickMs <= 0 ? 1_000 : tickMs;
      maxPending = maxPending <= 0 ? 10_000 : maxPending;
      // Validated (heartbeat at most a third of the session) by PartitionOwnership.Settings.
      sessionTimeoutMs = sessionTimeoutMs <= 0 ? 6_000 : sessionTimeoutMs;
      heartbeatIntervalMs = heartbeatIntervalMs <= 0 ? Math.min(1_000, sessionTimeoutMs / 3) : heartbeatIntervalMs;
    }

    public Schedules(String dataDir, long tickMs, int maxPending) {
      this(dataDir, tickMs, maxPending, 0, 0);
    }
  }

  /**
   * @param bodyLimitBytes larger bodies get 413
   * @param ratePerSecond requests per second per source (github, gitlab, each generic hook, each
   *     API token); beyond it 429 with Retry-After
   * @param replayWindowSeconds how far a signed timestamp may be from now
   * @param publishTimeoutMs no request waits longer than this for Kafka; then 503
   * @param recentDeployments how many acknowledged deployment ids are remembered for duplicates
   * @param retryAfterSeconds the Retry-After of a 503 when the circuit is not open
   * @param failedAttemptsPerMinute failed authentications (wrong signature, token or secret URL) a
   *     client address may make per minute; beyond it 429 before anything is read or verified
   */
  public record Limits(int bodyLimitBytes, int ratePerSecond, int replayWindowSeconds, long publishTimeoutMs,
      int recentDeployments, int retryAfterSeconds, int failedAttemptsPerMinute) {
    public Limits(int bodyLimitBytes, int ratePerSecond, int replayWindowSeconds, long publishTimeoutMs,
        int recentDeployments, int retryAfterSeconds) {
      this(bodyLimitBytes, ratePerSecond, replayWindowSeconds, publishTimeoutMs, recentDeployments,
          retryAfterSeconds, 0);
    }

    public Limits {
      bodyLimitBytes = bodyLimitBytes <= 0 ? 1024 * 1024 : bodyLimitBytes;
      ratePerSecond = ratePerSecond <= 0 ? 100 : ratePerSecond;
      replayWindowSeconds = replayWindowSeconds <= 0 ? 300 : replayWindowSeconds;
      publishTimeoutMs = publishTimeoutMs <= 0 ? 5_000 : publishTimeoutMs;
      recentDeployments = recentDeployments <= 0 ? 100_000 : recentDeployments;
      retryAfterSeconds = retryAfterSeconds <= 0 ? 5 : retryAfterSeconds;
      failedAttemptsPerMinute = failedAttemptsPerMinute <= 0 ? 30 : failedAttemptsPerMinute;
    }
  }

  /**
   * The rollback endpoint's memory of what succeeded: read from the requests and events topics.
   *
   * @param perService how many succeeded deployments are kept per environment/service
   */
  public record History(boolean enabled, int perService) {
    public History {
      perService = perService <= 0 ? 100 : perService;
    }
  }

  private static void unique(List<String> names, String what) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String name : names) {
      if (!seen.add(name)) {
        throw new IllegalArgumentException(what + " '" + name + "' is used twice");
      }
    }
  }

  /** A set secret shorter than {@link #MIN_TOKEN_LENGTH} is a start-up error that names it (never its value). */
  private static void minLength(String secret, String what) {
    if (secret != null && secret.length() < MIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException(what + " is " + secret.length() + " characters long; a secret needs at least "
          + MIN_TOKEN_LENGTH + " (make one with: openssl rand -hex 32)");
    }
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
