package dev.stevedore.testing;

import java.util.ArrayList;
import java.util.List;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * Guards for integration tests on a machine that must never pull an image: fails fast, with the
 * fix in the message, when the Testcontainers settings that avoid helper-image pulls are missing.
 * {@code scripts/prepare-test-env.sh} and the failsafe configuration of the root pom provide them.
 */
public final class TestEnvironment {

  private TestEnvironment() {}

  /**
   * Throws {@link IllegalStateException} unless Ryuk is disabled, the Docker host is overridden
   * and Testcontainers' start-up checks are disabled (each of these would otherwise pull a
   * helper image from a public registry).
   */
  public static void assertNoImagePulls() {
    List<String> problems = new ArrayList<>();
    if (!"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
      problems.add("environment TESTCONTAINERS_RYUK_DISABLED=true is missing");
    }
    String host = System.getenv("TESTCONTAINERS_HOST_OVERRIDE");
    if (host == null || host.isBlank()) {
      problems.add("environment TESTCONTAINERS_HOST_OVERRIDE (e.g. localhost) is missing");
    }
    if (!TestcontainersConfiguration.getInstance().isDisableChecks()) {
      problems.add("checks.disable=true is missing from ~/.testcontainers.properties"
          + " (or environment TESTCONTAINERS_CHECKS_DISABLE=true)");
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("Testcontainers would pull helper images: "
          + String.join("; ", problems)
          + ". Run scripts/prepare-test-env.sh and the tests through Maven failsafe (mvn verify).");
    }
  }
}
