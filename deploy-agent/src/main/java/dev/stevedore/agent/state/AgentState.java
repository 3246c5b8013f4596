package dev.stevedore.agent.state;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stevedore.agent.deploy.DeployJob;
import dev.stevedore.agent.driver.StepResult;
import java.time.Instant;
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
    /** The newest request time this service has acted on (a maximum: older requests are superseded). */
    public String appliedRequestTime;
    /**
     * The newest admitted request not yet reached: the agent works until {@link #current} is its
     * version or the version fails on its own merits. Null when there is nothing to do.
     */
    public Desired desired;
    /** Versions that failed a rollout here and were rolled back: requests for them are skipped until the block ends. */
    public List<Block> blocked = new ArrayList<>();
    /** The attempt in progress (null when none runs): the step journal crash recovery reads. */
    public Intent intent;
    public Phase state = Phase.IDLE;

    public boolean isBlocked(String version, Instant now) {
      return blocked.stream().anyMatch(b -> b.version.equals(version) && b.activeAt(now));
    }

    /** Blocks {@code version} until {@code until}; never the version that runs. */
    public void block(String version, String reason, String deploymentId, Instant now, Instant until) {
      if (current != null && version.equals(current.version)) {
        return;
      }
      blocked.removeIf(b -> b.version.equals(version) || !b.activeAt(now));
      blocked.add(new Block(version, reason, deploymentId, now.toString(), until.toString()));
      while (blocked.size() > 50) {
        blocked.remove(0);
      }
    }

    public void unblock(String version) {
      blocked.removeIf(b -> b.version.equals(version));
    }

    /**
     * Lifts the blocks on {@code version} that began before {@code liftedAt} (a block that began
     * later is a newer failure, which an older unblock does not excuse); returns those lifted.
     */
    public List<Block> unblock(String version, Instant liftedAt) {
      List<Block> lifted = new ArrayList<>();
      blocked.removeIf(b -> {
        boolean lift = b.version.equals(version) && (b.since == null || Instant.parse(b.since).isBefore(liftedAt));
        if (lift) {
          lifted.add(b);
        }
        return lift;
      });
      return lifted;
    }

    /** Raises {@link #appliedRequestTime} to {@code time} (it never goes back). */
    public void applied(String deploymentId, Instant time) {
      if (time == null) {
        return;
      }
      if (appliedRequestTime == null || time.isAfter(Instant.parse(appliedRequestTime))) {
        appliedRequestTime = time.toString();
        appliedDeploymentId = deploymentId;
      }
    }
  }

  /** What a service is doing, as heartbeats and {@code /status} show it. */
  public enum Phase {
    @JsonProperty("idle") IDLE,
    @JsonProperty("deploying") DEPLOYING,
    /** A desired version waits for its dependencies (an open breaker, an outage) before the next attempt. */
    @JsonProperty("waiting") WAITING,
    /** The last deployment failed after the switch and nothing could be restored. */
    @JsonProperty("failed") FAILED;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A version refused on this host, why, and until when. */
  public static final class Block {
    public String version;
    public String reason;
    public String deploymentId;
    public String since;
    /** ISO-8601; null: no end (state files written before blocks expired). */
    public String until;

    public Block() {}

    /** A block from a state file of an older agent, which kept versions only. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public Block(String version) {
      this.version = version;
    }

    public Block(String version, String reason, String deploymentId, String since, String until) {
      this.version = version;
      this.reason = reason;
      this.deploymentId = deploymentId;
      this.since = since;
      this.until = until;
    }

    public boolean activeAt(Instant now) {
      return until == null || now.isBefore(Instant.parse(until));
    }
  }

  /**
   * The request the agent works towards for a service, with its progress across attempts: it
   * survives crashes and outages, and ends with exactly one terminal event.
   */
  public static final class Desired {
    public String deploymentId;
    public String version;
    public String environment;
    public String requestTime;
    public String trigger;
    public String eventSource;
    /** Deploy even if this version already runs. */
    public boolean force;
    /** Epoch millis when the request was admitted here. */
    public long admittedAt;
    /** True once {@code deploy.started} was queued (it is published once per deployment). */
    public boolean announced;
    /** Attempts started (each a run of the cycle from its first step). */
    public int attempts;
    /** Attempts cut short by the agent's own death. */
    public int restarts;
    /** Epoch millis of the first attempt's start (0 before it): the outcome's duration runs from it. */
    public long firstStartedAt;
    /** Total time spent waiting between attempts, ms. */
    public long waitedMs;
    /** Epoch millis since when it waits (null while not waiting), and for what. */
    public Long waitingSince;
    public String waitReason;
    /** The last step event number used ("step:<n>:<name>"), across attempts. */
    public int stepNumber;
    /**
     * The request's W3C trace context (null: none, and left out of the file, which an agent
     * before it then reads as it wrote it); the events of a resumed attempt carry it too.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public String traceparent;
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public String tracestate;

    public Desired() {}

    public static Desired of(DeployJob job) {
      Desired d = new Desired();
      d.deploymentId = job.deploymentId();
      d.version = job.version();
      d.environment = job.environment();
      d.requestTime = job.requestTime() == null ? null : job.requestTime().toString();
      d.trigger = job.trigger();
      d.eventSource = job.eventSource();
      d.force = job.force();
      d.traceparent = job.trace().map(dev.stevedore.common.event.TraceContext::traceparent).orElse(null);
      d.tracestate = job.trace().map(dev.stevedore.common.event.TraceContext::tracestate).orElse(null);
      return d;
    }

    /** The progress of an attempt an older agent left (its state had no desired version). */
    public static Desired of(Intent intent, String trigger, String defaultSource) {
      Desired d = new Desired();
      d.deploymentId = intent.deploymentId;
      d.version = intent.toVersion;
      d.environment = intent.environment;
      d.requestTime = intent.requestTime;
      d.trigger = trigger;
      d.eventSource = intent.eventSource == null ? defaultSource : intent.eventSource;
      d.attempts = 1;
      d.firstStartedAt = intent.startedAt;
      d.stepNumber = intent.stepNumber;
      d.announced = true;
      return d;
    }

    public DeployJob job(String service) {
      return new DeployJob(deploymentId, service, environment, version,
          requestTime == null ? null : Instant.parse(requestTime), trigger, eventSource, force,
          dev.stevedore.common.event.TraceContext.of(traceparent, tracestate));
    }
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
    /** The step that runs or ran last. */
    public String step;
    /** Number of the last step event id used ("step:<n>:<name>"); kept for state files of older agents. */
    public int stepNumber;
    /** Epoch millis of the attempt's start. */
    public long startedAt;
    public String requestTime;
    public String eventSource;
    /** True once a step that may change what runs has started: from here a failure needs a rollback. */
    public boolean switched;
    /** True once every forward step succeeded: only the health check remained. */
    public boolean forwardDone;
    /** True once a rollback started; then the step that failed, why, and whose fault it was. */
    public boolean rollingBack;
    public String failedStep;
    public String failReason;
    public StepResult.Fault failFault;

    /** Journals of older agents had no flags: derive them once from the step's name. */
    public void upgradeLegacy() {
      if (switched || rollingBack || forwardDone || step == null) {
        return;
      }
      rollingBack = step.startsWith("rollback");
      switched = rollingBack || !java.util.Set.of("started", "pull", "fetch", "pre-deploy").contains(step);
      forwardDone = step.equals("health-check");
    }
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
