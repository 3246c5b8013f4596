package dev.stevedore.audit.store;

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
}
