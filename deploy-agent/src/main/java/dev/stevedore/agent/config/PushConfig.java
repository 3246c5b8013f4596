package dev.stevedore.agent.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Duration;
import java.util.List;

/**
 * Push mode over SSH ({@code stevedore-agent deploy} and {@code ssh-gate}, see docs/push.md).
 *
 * @param requireSignature the SSH gate refuses a request that is not signed by one of {@code keys}
 * @param keys Ed25519 public keys (PEM text, or a path to a PEM file) whose signed push requests the gate accepts
 * @param maxAge how far a signed request's time may lie from this host's clock (either way)
 * @param lockWait how long a push waits for a deployment of the same service that runs on this host
 */
public record PushConfig(
    boolean requireSignature,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> keys,
    Duration maxAge,
    Duration lockWait) {

  public PushConfig {
    keys = keys == null ? List.of() : List.copyOf(keys);
    maxAge = ResilienceConfig.positive(maxAge, Duration.ofMinutes(5));
    lockWait = ResilienceConfig.positive(lockWait, Duration.ofMinutes(10));
    if (requireSignature && keys.stream().allMatch(k -> k == null || k.isBlank())) {
      throw new IllegalArgumentException("push.requireSignature needs at least one key in push.keys");
    }
  }

  public static PushConfig defaults() {
    return new PushConfig(false, null, null, null);
  }
}
