package dev.stevedore.agent.driver;

import java.util.List;

/**
 * Pure builders of git argument lists. A version reaches git only after it matched the strict
 * version pattern (no leading dash), and always after {@code --end-of-options} where git parses
 * options.
 */
public final class GitCommands {
  private final String git;

  public GitCommands(String git) {
    this.git = git;
  }

  public List<String> fetch(String remote) {
    return List.of(git, "fetch", "--tags", "--prune", "--", remote);
  }

  /** Resolves a tag or a commit id to the full commit id (never a branch: see {@link #tagRef}). */
  public List<String> resolveCommit(String ref) {
    return List.of(git, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}");
  }

  public static String tagRef(String version) {
    return "refs/tags/" + version;
  }

  public List<String> head() {
    return List.of(git, "rev-parse", "--verify", "HEAD^{commit}");
  }

  public List<String> checkout(String commit) {
    return List.of(git, "checkout", "--quiet", "--force", "--detach", commit);
  }
}
