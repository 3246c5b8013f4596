package dev.stevedore.audit.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** What the query side returns: plain records, serialized to JSON by the API. */
public final class Views {
  private Views() {}

  /** One deployment, as the list and the timeline show it. Times are RFC 3339 strings. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Deployment(String id, String service, String environment, String version, String commit,
                           String branch, String repository, String requestedBy, String trigger, String source,
                           String reason, String requestedAt, String status, String finishedAt,
                           String cancelledAt, boolean requestSeen, Integer attempts, Long waitedMs) {}

  /** The keyset position of a deployment in the list order (requested_at desc, id desc). */
  public record Position(long requestedAt, String id) {}

  public record Page<T>(List<T> items, Position next) {}

  public record Step(String name, boolean ok, long durationMs, Integer exitCode, String outputTail, String time) {}

  public record HostResult(String host, String service, String environment, String status, String fromVersion,
                           String version, String runningVersion, String restoredVersion, Boolean restoredHealthy,
                           String digest, String failedStep, Integer exitCode, String reason, String startedAt,
                           String finishedAt, Long durationMs, Integer attempts, Long waitedMs,
                           List<Step> steps) {}

  /** {@code unverified}: why the agent's signature did not verify (absent when it did, or was not checked). */
  public record TimelineEntry(long seq, String eventId, String type, String time, String host, String unverified) {}

  public record DeploymentDetail(Deployment deployment, List<HostResult> hosts, List<TimelineEntry> timeline) {}

  /**
   * A service as a heartbeat reported it. The stored JSON is the heartbeat's own entry, which newer
   * agents extend ({@code desiredVersion}, {@code waitingFor}): fields this view does not show are
   * ignored, never an error.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ServiceState(String name, String version, String digest, String state) {}

  public record Host(String host, String environment, String state, String agentVersion,
                     java.util.Map<String, String> labels, List<ServiceState> services, String lastSeen,
                     boolean stale) {}

  /** One raw event for export, in chain order. */
  public record RawEvent(long seq, String eventId, String type, long time, String deploymentId, String host,
                         String service, String environment, String payload, String hash) {}

  /**
   * An event that arrived under an already stored event id with different bytes: the stored one
   * (still the one in the chain, at {@code storedSeq}) and the newcomer, both verbatim.
   */
  public record UnverifiedEvent(long seq, String eventId, String type, String time, String deploymentId, String host,
                                String service, String environment, String reason, String payload) {}

  public record Conflict(String eventId, String type, String receivedAt, Long storedSeq, String storedPayload,
                         String payload) {}

  /** One rollout, as the list and the detail show it. Times are RFC 3339 strings. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Rollout(String id, String environment, String service, String version, String phase,
                        String strategy, String startedAt, String finishedAt, String updatedAt, String supersedes,
                        String supersededBy, String requestedBy, String reason, String haltReason,
                        Integer haltedWave, boolean blocked) {}

  /** A wave as planned, started and finished; the lists are null until the wave finished. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record RolloutWave(int index, boolean canary, List<String> hosts, String requestId, String startedAt,
                            String finishedAt, List<String> succeeded, List<String> failed, List<String> skipped,
                            List<String> unreached) {}

  /**
   * A host of a rollout: its wave and state from the rollout events, and the outcome its agent
   * reported for the rollout (deployment id = rollout id) and for the rollback a halt sent it.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record RolloutHost(String host, Integer wave, String state, String rollbackVersion, HostOutcome outcome,
                            HostOutcome rollbackOutcome) {}

  /** What an agent's outcome says, from the deployment projection. */
  public record HostOutcome(String deploymentId, String status, String version, String runningVersion,
                            String reason, String finishedAt) {}

  public record RolloutDetail(Rollout rollout, com.fasterxml.jackson.databind.JsonNode policy, List<String> unreached,
                              List<RolloutWave> waves, List<RolloutHost> hosts, List<TimelineEntry> timeline) {}

  /**
   * One bucket of the DORA series: the deployments requested in [{@code start}, start + bucket).
   * Means are null when the bucket has nothing to measure; {@code changeFailureRate} is failed over
   * finished (succeeded + failed), null when none finished.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record DoraBucket(String start, long deployments, long succeeded, long failed, Double changeFailureRate,
                           Long leadTimeMeanMs, long restored, Long timeToRestoreMeanMs) {}

  /**
   * A service on a host against what was last asked of it: {@code desired} is the version of the
   * newest verified request of the service and environment whose target takes in this host (or of
   * the active rollout that plans it), with the deployment that asked for it; null when no request
   * reached this host. {@code behind}: desired is known and the host runs something else.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record FleetVersion(String host, String environment, String service, String running, String state,
                             boolean stale, String desired, String desiredBy, String desiredAt, boolean behind) {}
}
