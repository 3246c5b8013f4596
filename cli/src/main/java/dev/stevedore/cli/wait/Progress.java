package dev.stevedore.cli.wait;

import dev.stevedore.cli.api.Deployment;

/** How {@link DeploymentWatch} shows what happens: lines per step, or one redrawn line per host. */
public interface Progress {
  /** The deployment as last seen (called whenever it changed). */
  void update(Deployment deployment);

  /** A note of our own (waiting, retrying). */
  void note(String text);
}
