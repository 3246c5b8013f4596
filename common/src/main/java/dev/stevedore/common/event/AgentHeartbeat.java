package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An agent's periodic "I am alive, and this is what runs here" (compacted topic, keyed by host). */
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
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public AgentHeartbeat(String id, String source, Instant time, String host, String environment,
      Map<String, String> labels, List<ServiceState> services, String state, String agentVersion) {
    this(id, source, time, host, environment, labels, services, state, agentVersion, null, null);
  }

  @Override
  public AgentHeartbeat withSignature(String keyId, String signature) {
    return new AgentHeartbeat(id, source, time, host, environment, labels, services, state, agentVersion,
        keyId, signature);
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
