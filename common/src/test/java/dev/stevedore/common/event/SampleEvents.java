package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One valid example of every event type, for codec tests. */
public final class SampleEvents {
  public static final Instant T = Instant.parse("2026-11-26T10:15:30.123Z");
  public static final String DEPLOYMENT = DeploymentIds.of("generic:ci", "delivery-1");

  private SampleEvents() {}

  public static DeployRequested requested() {
    return new DeployRequested("11111111-1111-5111-8111-111111111111", "stevedore://trigger/t1", T, DEPLOYMENT,
        "web", "production", "v2", "0123456789abcdef0123456789abcdef01234567", "main", "acme/web", "ci-bot",
        "generic", "release", new Target("production", List.of("web-1"), Map.of("role", "frontend")), null, null);
  }

  public static VersionUnblocked unblocked() {
    return new VersionUnblocked("12121212-1212-5121-8121-121212121212", "stevedore://trigger/t1", T,
        DeploymentIds.of("unblock:alice", "delivery-2"), "web", "production", "broken",
        new Target("production", List.of("web-1"), Map.of()), "api:alice", "fixed by the new config map", null, null);
  }

  public static List<StevedoreEvent> all() {
    return List.of(
        requested(),
        new DeployCancelled("e2", "stevedore://trigger/t1", T, DEPLOYMENT, "web", "production", "alice", "changed my mind"),
        new DeployStarted("e3", "stevedore://agent/web-1", T, DEPLOYMENT, "web-1", "web", "production", "v1", "v2", "default"),
        new DeployStep("e4", "stevedore://agent/web-1", T, DEPLOYMENT, "web-1", "web", "pull", true, 812, 0, "Pulling web ... done"),
        new DeploySucceeded("e5", "stevedore://agent/web-1", T, DEPLOYMENT, "web-1", "web", "production", "v2",
            "sha256:" + "a".repeat(64), 4200),
        new DeployFailed("e6", "stevedore://agent/web-1", T, DEPLOYMENT, "web-1", "web", "production", "v9", "pull", 1,
            "manifest for v9 not found", "pull failed", "v1", 300),
        new DeployRolledBack("e7", "stevedore://agent/web-1", T, DEPLOYMENT, "web-1", "web", "production", "broken", "v1",
            "health-check", "GET /version answered 500", true, 9000),
        new DeploySkipped("e8", "stevedore://agent/web-1", T, DEPLOYMENT, "web-1", "web", "production", "v3", "superseded by v4"),
        new AgentHeartbeat("e9", "stevedore://agent/web-1", T, "web-1", "production", Map.of("role", "frontend"),
            List.of(new AgentHeartbeat.ServiceState("web", "v2", "sha256:" + "b".repeat(64), "healthy")), "idle", "0.1.0",
            java.time.Duration.ofSeconds(30), T.minusSeconds(3600)),
        unblocked());
  }
}
