package dev.stevedore.agent.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.stevedore.common.event.Versions;
import dev.stevedore.common.kafka.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's typed configuration (defaults in {@code agent-defaults.yml}, then a YAML file, then
 * {@code STEVEDORE_*} variables).
 *
 * @param hostId this host's id: consumer group {@code stevedore-agent-<hostId>}, heartbeat key
 * @param environment the environment this host belongs to (requests target an environment)
 * @param labels this host's labels, matched against a request's target labels and sent in heartbeats
 *     (fleet rollouts select hosts by them); keys {@value #LABEL_KEY}, values {@value #LABEL_VALUE},
 *     at most {@value #MAX_LABELS}
 * @param trustedKeys trigger public keys (PEM text, or a path to a PEM file); several for rotation
 * @param stateDirectory where the durable state file ({@code agent-state.json}) lives
 * @param composeCommand {@code auto} (detect at start-up), {@code v2} ({@code docker compose}) or {@code v1}
 * @param dockerCommand the docker CLI used for inspect and tag
 * @param httpHost address of the ops endpoints; {@code httpPort} 0 picks a free port, -1 disables them
 * @param heartbeatInterval how often an {@code agent.heartbeat} is published
 * @param processedLimit how many finished deployment ids are remembered for de-duplication
 * @param requests bounds on a request's time (clock skew, age)
 * @param registryAuth where polling finds registry credentials (Docker's {@code config.json})
 * @param push push mode over SSH (the gate's signature requirement, how long a push waits)
 */
public record AgentConfig(
    String hostId,
    String environment,
    Map<String, String> labels,
    KafkaSettings kafka,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> trustedKeys,
    String stateDirectory,
    String composeCommand,
    String dockerCommand,
    String httpHost,
    int httpPort,
    Duration heartbeatInterval,
    int processedLimit,
    ResilienceConfig resilience,
    TestHooks testHooks,
    Map<String, ServiceConfig> services,
    RequestPolicy requests,
    RegistryAuthConfig registryAuth,
    PushConfig push) {

  public static final String LABEL_KEY = "[A-Za-z0-9]([A-Za-z0-9._/-]{0,62})";
  public static final String LABEL_VALUE = "[A-Za-z0-9]([A-Za-z0-9._-]{0,62})";
  public static final int MAX_LABELS = 32;

  public AgentConfig {
    if (hostId == null || hostId.isBlank()) {
      throw new IllegalArgumentException("hostId is required");
    }
    if (!Versions.isValidName(hostId)) {
      throw new IllegalArgumentException("hostId '" + hostId + "' must match [a-z0-9][a-z0-9._-]{0,62}");
    }
    if (environment == null || !Versions.isValidName(environment)) {
      throw new IllegalArgumentException("environment is required and must match [a-z0-9][a-z0-9._-]{0,62}");
    }
    if (kafka == null) {
      throw new IllegalArgumentException("kafka.bootstrapServers is required");
    }
    int consumerRequestTimeout = consumerRequestTimeoutMs(kafka);
    if (kafka.fetchMaxWaitMs() >= consumerRequestTimeout) {
      // A fetch the broker may hold longer than the client waits for its answer times out while
      // idle: the client drops the connection and starts over, every fetch wait.
      throw new IllegalArgumentException("kafka.fetchMaxWaitMs (" + kafka.fetchMaxWaitMs()
          + ") must be below the consumers' request.timeout.ms (" + consumerRequestTimeout + ")");
    }
    labels = labels(labels);
    trustedKeys = trustedKeys == null ? List.of() : List.copyOf(trustedKeys);
    if (stateDirectory == null || stateDirectory.isBlank()) {
      throw new IllegalArgumentException("stateDirectory is required");
    }
    composeCommand = composeCommand == null || composeCommand.isBlank() ? "auto" : composeCommand;
    if (!List.of("auto", "v1", "v2").contains(composeCommand)) {
      throw new IllegalArgumentException("composeCommand must be auto, v1 or v2");
    }
    dockerCommand = dockerCommand == null || dockerCommand.isBlank() ? "docker" : dockerCommand;
    httpHost = httpHost == null || httpHost.isBlank() ? "127.0.0.1" : httpHost;
    heartbeatInterval = heartbeatInterval == null || heartbeatInterval.isZero() || heartbeatInterval.isNegative()
        ? Duration.ofSeconds(30) : heartbeatInterval;
    processedLimit = processedLimit <= 0 ? 1000 : processedLimit;
    resilience = resilience == null ? ResilienceConfig.defaults() : resilience;
    testHooks = testHooks == null ? TestHooks.none() : testHooks;
    services = services == null ? Map.of() : new TreeMap<>(services);
    for (Map.Entry<String, ServiceConfig> e : services.entrySet()) {
      if (!Versions.isValidName(e.getKey())) {
        throw new IllegalArgumentException("service name '" + e.getKey() + "' must match [a-z0-9][a-z0-9._-]{0,62}");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("services." + e.getKey() + " is empty");
      }
    }
    services = Map.copyOf(services);
    requests = requests == null ? RequestPolicy.defaults() : requests;
    registryAuth = registryAuth == null ? RegistryAuthConfig.defaults() : registryAuth;
    push = push == null ? PushConfig.defaults() : push;
  }

  /** The consumers' {@code request.timeout.ms}: {@code kafka.properties} may set it, Kafka's default is 30 s. */
  static int consumerRequestTimeoutMs(KafkaSettings kafka) {
    String set = kafka.properties().get("request.timeout.ms");
    try {
      return set == null ? 30_000 : Integer.parseInt(set.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("kafka.properties.request.timeout.ms must be a number of ms, not '" + set + "'");
    }
  }

  /** With the default registry credentials lookup and push settings. */
  public AgentConfig(String hostId, String environment, Map<String, String> labels, KafkaSettings kafka,
      List<String> trustedKeys, String stateDirectory, String composeCommand, String dockerCommand, String httpHost,
      int httpPort, Duration heartbeatInterval, int processedLimit, ResilienceConfig resilience, TestHooks testHooks,
      Map<String, ServiceConfig> services, RequestPolicy requests) {
    this(hostId, environment, labels, kafka, trustedKeys, stateDirectory, composeCommand, dockerCommand, httpHost,
        httpPort, heartbeatInterval, processedLimit, resilience, testHooks, services, requests, null, null);
  }

  /** With the default request policy. */
  public AgentConfig(String hostId, String environment, Map<String, String> labels, KafkaSettings kafka,
      List<String> trustedKeys, String stateDirectory, String composeCommand, String dockerCommand, String httpHost,
      int httpPort, Duration heartbeatInterval, int processedLimit, ResilienceConfig resilience, TestHooks testHooks,
      Map<String, ServiceConfig> services) {
    this(hostId, environment, labels, kafka, trustedKeys, stateDirectory, composeCommand, dockerCommand, httpHost,
        httpPort, heartbeatInterval, processedLimit, resilience, testHooks, services, null, null, null);
  }

  /** Checks every label: a label with a space or a quote would never match a target and only confuse. */
  private static Map<String, String> labels(Map<String, String> labels) {
    if (labels == null) {
      return Map.of();
    }
    if (labels.size() > MAX_LABELS) {
      throw new IllegalArgumentException("labels: at most " + MAX_LABELS + " labels, not " + labels.size());
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (e.getKey() == null || !e.getKey().matches(LABEL_KEY)) {
        throw new IllegalArgumentException("labels: key '" + e.getKey() + "' must match " + LABEL_KEY);
      }
      if (e.getValue() == null || !e.getValue().matches(LABEL_VALUE)) {
        throw new IllegalArgumentException("labels." + e.getKey() + ": value '" + e.getValue() + "' must match " + LABEL_VALUE);
      }
    }
    return Map.copyOf(labels);
  }

  public String consumerGroup() {
    return "stevedore-agent-" + hostId;
  }

  /** The CloudEvents source of this agent's events. */
  public String eventSource() {
    return "stevedore://agent/" + hostId;
  }
}
