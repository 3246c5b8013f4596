package dev.stevedore.agent.driver;

import java.util.List;

/** Parsing of image references ({@code host:port/name:tag}, {@code name@sha256:...}). */
public final class ImageRefs {
  private ImageRefs() {}

  /** The repository part: everything before the tag or digest. */
  public static String repository(String ref) {
    if (ref == null) {
      return null;
    }
    int at = ref.indexOf('@');
    String noDigest = at >= 0 ? ref.substring(0, at) : ref;
    int slash = noDigest.lastIndexOf('/');
    int colon = noDigest.lastIndexOf(':');
    return colon > slash ? noDigest.substring(0, colon) : noDigest;
  }

  public static String tag(String ref) {
    if (ref == null || ref.contains("@")) {
      return null;
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    return colon > slash ? ref.substring(colon + 1) : null;
  }

  /** The registry host of a repository ({@code docker.io} when the first part is not a host). */
  public static String registry(String repository) {
    if (repository == null) {
      return "default";
    }
    int slash = repository.indexOf('/');
    if (slash < 0) {
      return "docker.io";
    }
    String first = repository.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "docker.io";
  }

  /** The path of a repository in its registry ({@code 127.0.0.1:5000/a/b} -> {@code a/b}). */
  public static String path(String repository) {
    String registry = registry(repository);
    if (registry.equals("docker.io") && !repository.startsWith("docker.io/")) {
      return repository.contains("/") ? repository : "library/" + repository;
    }
    return repository.substring(registry.length() + 1);
  }

  /** The reference for a version: {@code repo:tag} or {@code repo@sha256:...}. */
  public static String reference(String repository, String version) {
    return version.startsWith("sha256:") ? repository + "@" + version : repository + ":" + version;
  }

  /** Picks the {@code repo@sha256:...} entry of {@code docker image inspect .RepoDigests} for a repository. */
  public static String digestFor(List<String> repoDigests, String repository) {
    for (String d : repoDigests) {
      if (repository != null && d.startsWith(repository + "@")) {
        return d.substring(d.indexOf('@') + 1);
      }
    }
    return repoDigests.isEmpty() ? null : repoDigests.get(0).substring(repoDigests.get(0).indexOf('@') + 1);
  }
}
