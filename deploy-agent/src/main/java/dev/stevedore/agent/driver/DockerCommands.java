package dev.stevedore.agent.driver;

import java.util.List;

/** Pure builders of docker CLI argument lists (inspect, tag). */
public final class DockerCommands {
  /** Output of {@link #inspectContainer}: image id, configured image reference, health status. */
  static final String CONTAINER_FORMAT =
      "{{.Image}}|{{.Config.Image}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}|{{.State.Status}}";

  private final String docker;

  public DockerCommands(String docker) {
    this.docker = docker;
  }

  public List<String> inspectContainer(String containerId) {
    return List.of(docker, "inspect", "-f", CONTAINER_FORMAT, containerId);
  }

  public List<String> repoDigests(String imageId) {
    return List.of(docker, "image", "inspect", "-f", "{{json .RepoDigests}}", imageId);
  }

  public List<String> imageId(String reference) {
    return List.of(docker, "image", "inspect", "-f", "{{.Id}}", reference);
  }

  /** Points {@code reference} at an image id again (the rollback target, even if the tag moved). */
  public List<String> tag(String imageId, String reference) {
    return List.of(docker, "tag", imageId, reference);
  }

  public List<String> info() {
    return List.of(docker, "info", "-f", "{{.ServerVersion}}");
  }
}
