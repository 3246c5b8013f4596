package dev.stevedore.common.event;

import java.util.regex.Pattern;

/**
 * What a version may look like: an image tag, or a {@code sha256:} digest. Anything else is
 * refused before it gets near a command line.
 */
public final class Versions {
  private static final Pattern TAG = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$");
  private static final Pattern DIGEST = Pattern.compile("^sha256:[a-f0-9]{64}$");
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,62}$");

  private Versions() {}

  public static boolean isValid(String version) {
    return version != null && (TAG.matcher(version).matches() || DIGEST.matcher(version).matches());
  }

  public static boolean isDigest(String version) {
    return version != null && DIGEST.matcher(version).matches();
  }

  /** Service and environment names: lower case, digits, dot, dash, underscore. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }
}
