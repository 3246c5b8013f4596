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

  /**
   * Ids of the running-or-stopped containers compose made for one service of a project (not the
   * one-off {@code run} containers): the labels compose v1 and v2 both set. Much cheaper than
   * {@code docker-compose ps} (a Python start-up).
   */
  public List<String> composeContainers(String project, String service) {
    return List.of(docker, "ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + project,
        "--filter", "label=com.docker.compose.service=" + service, "--filter", "label=com.docker.compose.oneoff=False");
  }

  public List<String> inspectContainer(String containerId) {
    return List.of(docker, "inspect", "-f", CONTAINER_FORMAT, containerId);
  }

  public List<String> repoDigests(String imageId) {
    return List.of(docker, "image", "inspect", "-f", "{{json .RepoDigests}}", imageId);
  }

  /** Image id and repository digests of a local image: {@code <id>|<json list>}. */
  public List<String> imageIdAndDigests(String reference) {
    return List.of(docker, "image", "inspect", "-f", "{{.Id}}|{{json .RepoDigests}}", reference);
  }

  /** Points {@code reference} at an image id again (the rollback target, even if the tag moved). */
  public List<String> tag(String imageId, String reference) {
    return List.of(docker, "tag", imageId, reference);
  }
}
