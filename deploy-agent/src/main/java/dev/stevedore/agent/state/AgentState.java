package dev.stevedore.agent.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the agent must not forget across a crash, in one JSON file ({@code agent-state.json}).
 * Mutable and confined to the agent's event loop; {@link StateStore} writes snapshots of it.
 */
public final class AgentState {
  /**
   * When this agent first started on this host (ISO-8601). Requests older than that are history
   * from before the host joined the fleet: a fresh agent does not replay them.
   */
  public String joinedAt;
  /** Per managed service. */
  public Map<String, ServiceRecord> services = new TreeMap<>();
  /** Deployment ids that reached their terminal event here (oldest first, bounded). */
  public List<String> processed = new ArrayList<>();
  /** Events not yet acknowledged by Kafka, oldest first. */
  public List<OutboxEntry> outbox = new ArrayList<>();

  public ServiceRecord service(String name) {
    return services.computeIfAbsent(name, n -> new ServiceRecord());
  }

  public boolean processed(String deploymentId) {
    return processed.contains(deploymentId);
  }

  public void markProcessed(String deploymentId, int limit) {
    if (!processed.contains(deploymentId)) {
      processed.add(deploymentId);
    }
    while (processed.size() > limit) {
      processed.remove(0);
    }
  }

  /** One managed service's durable state. */
  public static final class ServiceRecord {
    /** What runs (after the last successful or rolled-back deployment). */
    public Release current;
    /** The rollback target: what ran before {@link #current}. */
    public Release previous;
    /** The deployment that put {@link #current} in place, and the time its request was made. */
    public String appliedDeploymentId;
    public String appliedRequestTime;
    /** Versions that failed a rollout and were rolled back: requests for them are skipped. */
    public List<String> blocked = new ArrayList<>();
    /** The deployment in progress (null when idle). */
    public Intent intent;
    /** {@code idle}, {@code deploying}, {@code failed}, {@code rolled-back}. */
    public String state = "idle";
  }

  /** A release of a service: version, image id (or commit), image reference, registry digest. */
  public static final class Release {
    public String version;
    public String imageId;
    public String imageRef;
    public String digest;

    public Release() {}

    public Release(String version, String imageId, String imageRef, String digest) {
      this.version = version;
      this.imageId = imageId;
      this.imageRef = imageRef;
      this.digest = digest;
    }
  }

  /** The intent of the deployment in progress: written before anything changes, cleared at the end. */
  public static final class Intent {
    public String deploymentId;
    public String environment;
    public String toVersion;
    public Release from;
    public String step;
    /** Number of the last step event id used ("step:<n>:<name>"). */
    public int stepNumber;
    /** Epoch millis of the start, for the outcome's duration. */
    public long startedAt;
    public String requestTime;
    public String eventSource;
    /** Set when a rollback started: the step that failed and why. */
    public String failedStep;
    public String failReason;
  }

  /** An event waiting for Kafka's acknowledgement. */
  public static final class OutboxEntry {
    public String eventId;
    public String topic;
    public String key;
    /** The CloudEvents JSON of the event. */
    public String payload;

    public OutboxEntry() {}

    public OutboxEntry(String eventId, String topic, String key, String payload) {
      this.eventId = eventId;
      this.topic = topic;
      this.key = key;
      this.payload = payload;
    }
  }
}
