package dev.stevedore.trigger.core;

import dev.stevedore.common.event.Versions;
import dev.stevedore.common.runtime.HttpProblem;
import java.util.regex.Pattern;

/** Checks on every value that goes into a request; each failure is a 400 with the reason. */
public final class Validation {
  private static final Pattern COMMIT = Pattern.compile("^[0-9a-f]{7,64}$");
  private static final Pattern DELIVERY = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
  private static final int MAX_TEXT = 1024;

  private Validation() {}

  public static String name(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw HttpProblem.badRequest("missing " + what);
    }
    if (!Versions.isValidName(value)) {
      throw HttpProblem.badRequest(what + " must match [a-z0-9][a-z0-9._-]{0,62}");
    }
    return value;
  }

  public static String version(String value) {
    if (value == null || value.isEmpty()) {
      throw HttpProblem.badRequest("missing version");
    }
    if (!Versions.isValid(value)) {
      throw HttpProblem.badRequest("version must be an image tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}) or a sha256: digest");
    }
    return value;
  }

  /** Whether {@code value} is a commit sha: lower-case hex, 7 to 64 digits. */
  public static boolean isCommit(String value) {
    return value != null && COMMIT.matcher(value).matches();
  }

  /** An optional commit sha: lower-case hex, 7 to 64 digits. */
  public static String commit(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (!isCommit(value)) {
      throw HttpProblem.badRequest("commit must be 7 to 64 lower-case hex digits");
    }
    return value;
  }

  /** Free text (a branch, a reason, a user name): bounded, printable, one line. */
  public static String text(String what, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > MAX_TEXT) {
      throw HttpProblem.badRequest(what + " is longer than " + MAX_TEXT + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw HttpProblem.badRequest(what + " contains control characters");
      }
    }
    return value;
  }

  /** A delivery id from a header: it becomes part of the deployment id, so it is kept plain. */
  public static String deliveryId(String header, String value) {
    if (value == null) {
      return null;
    }
    if (!DELIVERY.matcher(value).matches()) {
      throw HttpProblem.badRequest(header + " must match [A-Za-z0-9._:-]{1,128}");
    }
    return value;
  }
}
