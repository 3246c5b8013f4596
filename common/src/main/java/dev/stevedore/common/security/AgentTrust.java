package dev.stevedore.common.security;

import dev.stevedore.common.event.EventCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the agent keys a reader trusts ({@code agents.trusted} in the audit service's
 * and the trigger's config): each entry binds one host id to the public key its agent printed at
 * first start ({@code agent-key.pub.pem} in its state directory). Empty: agent events are not
 * checked.
 */
public record AgentTrust(List<Agent> trusted) {

  /** One agent: the host id it speaks for and its Ed25519 public key (PEM). */
  public record Agent(String host, String publicKey) {
    public Agent {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("agents.trusted: an entry without a host");
      }
      if (publicKey == null || publicKey.isBlank()) {
        throw new IllegalArgumentException("agents.trusted: host " + host + " has no publicKey (PEM)");
      }
    }
  }

  public AgentTrust {
    trusted = trusted == null ? List.of() : List.copyOf(trusted);
  }

  public static AgentTrust none() {
    return new AgentTrust(List.of());
  }

  /** The verifier for these keys; a clear {@link IllegalArgumentException} for a key that is not Ed25519 PEM. */
  public EventVerifier verifier(EventCodec codec) {
    List<EventVerifier.TrustedAgent> agents = new ArrayList<>();
    for (Agent agent : trusted) {
      try {
        agents.add(new EventVerifier.TrustedAgent(agent.host(), Ed25519Keys.publicKeyFromPem(agent.publicKey())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("agents.trusted: host " + agent.host() + ": " + e.getMessage(), e);
      }
    }
    return new EventVerifier(agents, codec);
  }
}
