package dev.stevedore.agent.config;

import java.time.Duration;

/**
 * Test-only: makes a crash point deterministic. With {@code pauseAt: "after:down"} the agent,
 * right after the {@code down} step's process finished and before the step is recorded, writes the
 * marker file {@code <stateDirectory>/paused-at} (content: the pause point) and waits
 * {@code pauseFor} before it goes on. A test waits for the file and then kills the process with
 * SIGKILL. {@code before:<step>} pauses after the intent names the step but before it runs.
 * Never set in production: the defaults leave it empty.
 */
public record TestHooks(String pauseAt, Duration pauseFor) {
  public TestHooks {
    pauseAt = pauseAt == null || pauseAt.isBlank() ? null : pauseAt;
    pauseFor = pauseFor == null ? Duration.ofSeconds(60) : pauseFor;
  }

  public static TestHooks none() {
    return new TestHooks(null, null);
  }

  public boolean pausesAt(String when, String step) {
    return pauseAt != null && pauseAt.equals(when + ":" + step);
  }
}
