package dev.stevedore.agent.driver;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure builders of compose argument lists for one project. Nothing here runs anything, and
 * nothing from an event appears in an argument: the version reaches compose only as an
 * environment variable of the child process.
 */
public final class ComposeCommands {
  private final List<String> base;

  public ComposeCommands(ComposeFlavor flavor, String dockerCommand, String project, List<String> files) {
    List<String> b = new ArrayList<>(flavor.prefix(dockerCommand));
    b.add("-p");
    b.add(project);
    for (String f : files) {
      b.add("-f");
      b.add(f);
    }
    this.base = List.copyOf(b);
  }

  public List<String> pull() {
    return with("pull");
  }

  /** The compose model as compose resolves it (files merged, variables interpolated), as YAML on stdout. */
  public List<String> config() {
    return with("config");
  }

  public List<String> down() {
    return with("down");
  }

  /** Stops the project's containers and keeps them (a blue-green rollback starts them again). */
  public List<String> stop() {
    return with("stop");
  }

  public List<String> upDetached() {
    return with("up", "-d");
  }

  /** Container ids of one compose service (all of the project when {@code service} is null). */
  public List<String> containerIds(String service) {
    return service == null ? with("ps", "-q") : with("ps", "-q", service);
  }

  /** A one-off container of {@code service} (a migration), removed afterwards. */
  public List<String> runOnce(String service, List<String> args) {
    List<String> out = new ArrayList<>(base);
    out.add("run");
    out.add("--rm");
    out.add("-T");
    out.add(service);
    out.addAll(args);
    return List.copyOf(out);
  }

  private List<String> with(String... tail) {
    List<String> out = new ArrayList<>(base);
    out.addAll(List.of(tail));
    return List.copyOf(out);
  }
}
