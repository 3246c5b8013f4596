package dev.stevedore.common.event;

/**
 * An event the trigger's fleet coordinator publishes about one rollout (a deployment that reaches
 * the hosts of an environment in waves), signed with the trigger's key like a request. Travels on
 * {@code stevedore.rollout.events}, keyed {@code environment/service}; {@code rolloutId} is the
 * deployment id of the request that started it and of every per-wave request.
 */
public sealed interface RolloutEvent extends StevedoreEvent
    permits RolloutStarted, RolloutWaveStarted, RolloutWaveFinished, RolloutHalted, RolloutSucceeded,
        RolloutRolledBack, RolloutSuperseded, RolloutState {

  /** The rollout: the deployment id its per-wave requests carry. */
  String rolloutId();

  String environment();

  String service();

  /** The version the rollout is heading to. */
  String version();

  String keyId();

  String signature();

  @Override
  default String subject() {
    return rolloutId();
  }

  /** The Kafka key: one service of one environment, in order. */
  default String partitionKey() {
    return environment() + "/" + service();
  }
}
