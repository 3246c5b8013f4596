package dev.stevedore.agent.kafka;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Builds and sends {@code agent.heartbeat}: what a fleet coordinator needs for membership
 * (environment, labels, the managed services with running and desired version, state) and
 * liveness (time, the heartbeat interval, when this agent started).
 */
public final class Heartbeats {
  public static final String AGENT_VERSION = "0.1.0";

  private final AgentConfig config;
  private final AgentState state;
  private final Breakers breakers;
  private final EventPublisher publisher;
  private final UnaryOperator<AgentHeartbeat> sign;
  /** When this agent process started (a new value in a host's heartbeats means it restarted). */
  private final Instant startedAt = Instant.now();

  public Heartbeats(AgentConfig config, AgentState state, Breakers breakers, EventPublisher publisher) {
    this(config, state, breakers, publisher, UnaryOperator.identity());
  }

  /** @param sign the agent's signer, applied to every heartbeat it sends */
  public Heartbeats(AgentConfig config, AgentState state, Breakers breakers, EventPublisher publisher,
      UnaryOperator<AgentHeartbeat> sign) {
    this.sign = sign;
    this.config = config;
    this.state = state;
    this.breakers = breakers;
    this.publisher = publisher;
  }

  public AgentHeartbeat build() {
    List<AgentHeartbeat.ServiceState> services = new ArrayList<>();
    for (String name : config.services().keySet()) {
      AgentState.ServiceRecord r = state.services.get(name);
      String version = r == null || r.current == null ? null : r.current.version;
      String digest = r == null || r.current == null ? null : r.current.digest;
      String s = r == null ? "unknown" : r.state.word();
      String desired = r == null || r.desired == null ? null : r.desired.version;
      String waitingFor = r == null || r.desired == null ? null : r.desired.waitReason;
      services.add(new AgentHeartbeat.ServiceState(name, version, digest, s, desired, waitingFor));
    }
    Map<String, String> open = breakers.states().entrySet().stream()
        .filter(e -> !e.getValue().equals("CLOSED"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    String agentState = open.isEmpty() ? "ok" : "degraded: " + open;
    return new AgentHeartbeat(UUID.randomUUID().toString(), config.eventSource(), Instant.now(), config.hostId(),
        config.environment(), config.labels(), services, agentState, AGENT_VERSION, config.heartbeatInterval(), startedAt);
  }

  public Future<Void> send() {
    return publisher.publish(Topics.HEARTBEATS, config.hostId(), sign.apply(build())).mapEmpty();
  }
}
