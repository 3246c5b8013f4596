package dev.stevedore.agent.driver;

/**
 * What runs now for a service: for compose the container's image id, its configured reference and
 * the registry digest; for git the checked-out commit (in {@code imageId} and {@code digest}).
 *
 * @param health the container's own healthcheck status ({@code healthy}, {@code starting},
 *     {@code unhealthy}) or {@code none}
 * @param status {@code running}, {@code exited}..., or {@code absent} when nothing runs
 */
public record Running(String imageId, String imageRef, String digest, String health, String status) {
  public static Running absent() {
    return new Running(null, null, null, "none", "absent");
  }

  public boolean present() {
    return imageId != null;
  }

  /** The version this looks like: the image's tag, or the commit for the git driver (no image). */
  public String versionGuess() {
    String tag = tag();
    if (tag != null) {
      return tag;
    }
    return imageRef == null ? imageId : null;
  }

  /** The tag of {@code imageRef} ({@code repo:tag}), or null. */
  public String tag() {
    return ImageRefs.tag(imageRef);
  }
}
