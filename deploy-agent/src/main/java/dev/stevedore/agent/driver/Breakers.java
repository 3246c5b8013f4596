package dev.stevedore.agent.driver;

import dev.stevedore.agent.config.ResilienceConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.core.IntervalFunction;
import java.util.Map;
import java.util.TreeMap;

/** The agent's named circuit breakers: {@code docker}, {@code registry:<host>} (one per registry), {@code kafka}. */
public final class Breakers {
  private final CircuitBreakerRegistry registry;
  private final ResilienceConfig config;

  public Breakers(ResilienceConfig config) {
    this.config = config;
    this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(config.breakerWindow())
        .minimumNumberOfCalls(config.breakerMinimumCalls())
        .failureRateThreshold(config.breakerFailureRate())
        .waitDurationInOpenState(config.breakerOpenFor())
        .permittedNumberOfCallsInHalfOpenState(1)
        // an open breaker lets a probe through as soon as its time is up, and says so (see onRecovery)
        .automaticTransitionFromOpenToHalfOpenEnabled(true)
        // refused credentials or an unreadable challenge are not an outage: deployments that pull
        // from the registry with docker's own credentials must not wait for them
        .ignoreExceptions(dev.stevedore.agent.registry.RegistryAuthException.class)
        .build());
  }

  /** Resilience4j's breaker meters ({@code resilience4j_circuitbreaker_*{name}}) for every breaker, also ones made later. */
  public void bindTo(io.micrometer.core.instrument.MeterRegistry meters) {
    dev.stevedore.common.ops.ServiceMetrics.bindBreakers(meters, registry);
  }

  /**
   * Calls {@code listener} (on a Resilience4j thread) whenever a breaker stops refusing calls
   * (open to half-open, or closed again): work that waited for it may go on.
   */
  public void onRecovery(Runnable listener) {
    registry.getAllCircuitBreakers().forEach(b -> listen(b, listener));
    registry.getEventPublisher().onEntryAdded(e -> listen(e.getAddedEntry(), listener));
  }

  private static void listen(CircuitBreaker breaker, Runnable listener) {
    breaker.getEventPublisher().onStateTransition(e -> {
      CircuitBreaker.State to = e.getStateTransition().getToState();
      if (to == CircuitBreaker.State.HALF_OPEN || to == CircuitBreaker.State.CLOSED) {
        listener.run();
      }
    });
  }

  /** Null when {@code breaker} lets calls through, else why work that needs {@code what} must wait. */
  public static String waitingFor(CircuitBreaker breaker, String what) {
    return breaker.getState() == CircuitBreaker.State.OPEN || breaker.getState() == CircuitBreaker.State.FORCED_OPEN
        ? "waiting for " + what + " (its circuit breaker is open after repeated failures)" : null;
  }

  public CircuitBreaker docker() {
    return registry.circuitBreaker("docker");
  }

  public CircuitBreaker registry(String host) {
    return registry.circuitBreaker("registry:" + host);
  }

  /** Kafka publishing: the publisher's default breaker (the outbox keeps events while it is open). */
  public CircuitBreaker kafka() {
    return registry.circuitBreaker("kafka",
        dev.stevedore.common.kafka.EventPublisher.defaultBreaker("kafka").getCircuitBreakerConfig());
  }

  /** Retry of a pull: exponential back-off, only for failures marked transient. */
  public Retry pullRetry(String name) {
    return Retry.of("pull:" + name, RetryConfig.custom()
        .maxAttempts(config.pullAttempts())
        .intervalFunction(IntervalFunction.ofExponentialBackoff(config.pullBackoff().toMillis(), 2.0))
        .retryOnException(e -> e instanceof TransientFailure)
        .build());
  }

  /** Name -> state of every breaker, for heartbeats and logs. */
  public Map<String, String> states() {
    Map<String, String> out = new TreeMap<>();
    registry.getAllCircuitBreakers().forEach(b -> out.put(b.getName(), b.getState().name()));
    return out;
  }

  /** A failure worth another attempt (and counted by a breaker). */
  public static final class TransientFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient StepResult result;

    public TransientFailure(StepResult result) {
      super(result.reason(), null, false, false);
      this.result = result;
    }

    public StepResult result() {
      return result;
    }
  }
}
