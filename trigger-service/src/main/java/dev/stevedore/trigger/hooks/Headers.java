package dev.stevedore.trigger.hooks;

/** Read access to request headers (case-insensitive), so the hook logic needs no HTTP types. */
@FunctionalInterface
public interface Headers {
  String get(String name);
}
