package dev.stevedore.agent.driver;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A named step of a driver's plan. {@code switches}: once this step has started, what runs may
 * have changed, so a failure from here on needs a rollback.
 */
public record StepPlan(String name, boolean switches, Supplier<Future<StepResult>> action) {}
