package dev.stevedore.common.event;

import dev.stevedore.common.event.RolloutStrategy;
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

  public static RolloutPolicy canaryPolicy() {
    return new RolloutPolicy(RolloutStrategy.CANARY, 2, null, null, 30, 3, 1, null, 300, true, 600);
  }

  public static List<RolloutWave> waves() {
    return List.of(new RolloutWave(0, List.of("web-1", "web-2"), true),
        new RolloutWave(1, List.of("web-3", "web-4", "web-5"), false));
  }

  public static RolloutState rolloutState() {
    return new RolloutState("13131313-1313-5131-8131-131313131313", "stevedore://trigger/t1", T, DEPLOYMENT, "production",
        "web", "v2", 4, "baking", canaryPolicy(), T.minusSeconds(60), "generic", "ci-bot", "release",
        "0123456789abcdef0123456789abcdef01234567", "main", "acme/web", waves(), 0, T.minusSeconds(40),
        T.plusSeconds(260), false,
        List.of(new RolloutState.HostState("web-1", 0, "v1", "succeeded", null),
            new RolloutState.HostState("web-2", 0, "v1", "succeeded", null),
            new RolloutState.HostState("web-3", 1, "v1", "pending", null),
            new RolloutState.HostState("web-4", 1, "v1", "pending", null),
            new RolloutState.HostState("web-5", 1, "v1", "pending", null)),
        List.of("web-6"), "canary healthy, baking until promotion", null, null,
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=00f067aa0ba902b7", null, null);
  }

  public static List<StevedoreEvent> rolloutEvents() {
    String src = "stevedore://trigger/t1";
    return List.of(
        new RolloutStarted("r1", src, T, DEPLOYMENT, "production", "web", "v2", canaryPolicy(), waves(), List.of("web-6"),
            null, "ci-bot", "release", null, null),
        new RolloutWaveStarted("r2", src, T, DEPLOYMENT, "production", "web", "v2", 0, List.of("web-1", "web-2"), true,
            "14141414-1414-5141-8141-141414141414", null, null),
        new RolloutWaveFinished("r3", src, T, DEPLOYMENT, "production", "web", "v2", 0, List.of("web-1"),
            List.of("web-2"), List.of(), List.of(), null, null),
        new RolloutHalted("r4", src, T, DEPLOYMENT, "production", "web", "v2", 0,
            "1 of 2 hosts failed (threshold 1)", List.of("web-2"), List.of(new HostVersion("web-1", "v1")), true, null,
            null),
        new RolloutSucceeded("r5", src, T, DEPLOYMENT, "production", "web", "v2",
            List.of("web-1", "web-2", "web-3", "web-4"), List.of("web-5"), List.of(), List.of("web-6"), null, null),
        new RolloutRolledBack("r6", src, T, DEPLOYMENT, "production", "web", "v2", List.of(new HostVersion("web-1", "v1")),
            List.of(), null, null),
        new RolloutSuperseded("r7", src, T, DEPLOYMENT, "production", "web", "v2", DeploymentIds.of("generic:ci",
            "delivery-3"), "v3", null, null),
        rolloutState(),
        new VersionBlocked("r8", src, T, DEPLOYMENT, "production", "web", "v2", "1 of 2 hosts failed (threshold 1)",
            List.of("web-2"), null, null));
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
            List.of(new AgentHeartbeat.ServiceState("web", "v2", "sha256:" + "b".repeat(64), "idle")), "ok", "0.1.0",
            java.time.Duration.ofSeconds(30), T.minusSeconds(3600)),
        unblocked(),
        rolloutEvents().get(0), rolloutEvents().get(1), rolloutEvents().get(2), rolloutEvents().get(3),
        rolloutEvents().get(4), rolloutEvents().get(5), rolloutEvents().get(6), rolloutEvents().get(7),
        rolloutEvents().get(8));
  }
}
