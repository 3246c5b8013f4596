package dev.stevedore.trigger.it;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Payload files loaded once, for tables built in static methods. */
final class TestTriggerPayloads {
  private TestTriggerPayloads() {}

  static byte[] gitlabPush() {
    try {
      return TestTrigger.payload("gitlab-push.json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
