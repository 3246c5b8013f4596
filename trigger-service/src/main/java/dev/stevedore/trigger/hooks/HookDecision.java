package dev.stevedore.trigger.hooks;

import dev.stevedore.trigger.core.DeployIntent;
import java.util.List;

/** What a webhook amounts to: deployments to request, nothing (with the reason), or a ping. */
public sealed interface HookDecision {
  record Deploy(List<DeployIntent> intents) implements HookDecision {
    public Deploy {
      if (intents.isEmpty()) {
        throw new IllegalArgumentException("a deploy decision needs at least one intent");
      }
      intents = List.copyOf(intents);
    }
  }

  record Ignore(String reason) implements HookDecision {}

  record Pong() implements HookDecision {}

  static HookDecision deploy(List<DeployIntent> intents) {
    return new Deploy(intents);
  }

  static HookDecision ignore(String reason) {
    return new Ignore(reason);
  }
}
