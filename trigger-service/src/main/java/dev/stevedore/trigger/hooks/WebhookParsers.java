package dev.stevedore.trigger.hooks;

/** The provider parsers that are enabled (null when the provider has no secret configured). */
public record WebhookParsers(Provider github, Provider gitlab) {
  /** A webhook request as the parsers see it. */
  public record Request(Headers headers, byte[] body) {}

  /** Turns an authenticated-or-not request into a decision; throws an
   * {@link dev.stevedore.common.runtime.HttpProblem} for bad input. */
  @FunctionalInterface
  public interface Provider {
    HookDecision decide(Request request);
  }
}
