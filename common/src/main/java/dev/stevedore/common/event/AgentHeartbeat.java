package dev.stevedore.common.event;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An agent's periodic "I am alive, and this is what runs here" (compacted topic, keyed by host).
 * What a fleet coordinator needs for membership: {@code environment}, {@code labels}, the managed
 * {@code services}, and liveness ({@code time}, {@code heartbeatInterval}: the next one is due
 * then; {@code startedAt}: a new value means the agent restarted). {@code heartbeatInterval} and
 * {@code startedAt} are absent in heartbeats of older agents.
 */
public record AgentHeartbeat(
    String id,
    String source,
    Instant time,
    String host,
    String environment,
    Map<String, String> labels,
    List<ServiceState> services,
    String state,
    String agentVersion,
    @JsonFormat(shape = JsonFormat.Shape.STRING) Duration heartbeatInterval,
    Instant startedAt,
    String keyId,
    String signature)
    implements StevedoreEvent, SignedByAgent<AgentHeartbeat> {

  /**
   * What one managed service runs now; {@code desiredVersion}: the version the agent works towards
   * while it differs from {@code version}; {@code waitingFor}: why it waits (state {@code waiting}).
   */
  public record ServiceState(String name, String version, String digest, String state, String desiredVersion,
      String waitingFor) {
    public ServiceState {
      name = Fields.required("services[].name", name);
      version = Fields.optional("services[].version", version);
      digest = Fields.optional("services[].digest", digest);
      state = Fields.optional("services[].state", state);
      desiredVersion = Fields.optional("services[].desiredVersion", desiredVersion);
      waitingFor = Fields.optional("services[].waitingFor", Fields.tail(waitingFor, Fields.MAX_TEXT));
    }

    public ServiceState(String name, String version, String digest, String state) {
      this(name, version, digest, state, null, null);
    }
  }

  public AgentHeartbeat {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    host = Fields.required("host", host);
    environment = Fields.required("environment", environment);
    labels = Fields.map(labels);
    services = Fields.list(services);
    state = Fields.required("state", state);
    agentVersion = Fields.optional("agentVersion", agentVersion);
    if (heartbeatInterval != null && (heartbeatInterval.isZero() || heartbeatInterval.isNegative())) {
      throw new IllegalArgumentException("heartbeatInterval must be positive, not " + heartbeatInterval);
    }
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public AgentHeartbeat(String id, String source, Instant time, String host, String environment,
      Map<String, String> labels, List<ServiceState> services, String state, String agentVersion) {
    this(id, source, time, host, environment, labels, services, state, agentVersion, null, null, null, null);
  }

  /** Unsigned, with liveness: as an agent builds it before signing. */
  public AgentHeartbeat(String id, String source, Instant time, String host, String environment,
      Map<String, String> labels, List<ServiceState> services, String state, String agentVersion,
      Duration heartbeatInterval, Instant startedAt) {
    this(id, source, time, host, environment, labels, services, state, agentVersion, heartbeatInterval, startedAt,
        null, null);
  }

  /**
   * When this host counts as silent: {@code missed} intervals after {@code time} (the interval of
   * the heartbeat, or {@code fallback} for agents that do not send one).
   */
  public Instant silentAfter(int missed, Duration fallback) {
    Duration every = heartbeatInterval == null ? fallback : heartbeatInterval;
    return time.plus(every.multipliedBy(Math.max(1, missed)));
  }

  @Override
  public AgentHeartbeat withSignature(String keyId, String signature) {
    return new AgentHeartbeat(id, source, time, host, environment, labels, services, state, agentVersion,
        heartbeatInterval, startedAt, keyId, signature);
  }

  @Override
  public EventType type() {
    return EventType.AGENT_HEARTBEAT;
  }

  @Override
  public String subject() {
    return host;
  }
}
