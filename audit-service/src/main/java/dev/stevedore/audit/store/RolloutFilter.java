package dev.stevedore.audit.store;

/** The rollout list's filters (each optional) and page size. */
public record RolloutFilter(String environment, String service, RolloutPhase phase, int limit) {
  public RolloutFilter {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
  }
}
