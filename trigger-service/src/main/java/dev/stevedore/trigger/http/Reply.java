package dev.stevedore.trigger.http;

import io.vertx.core.json.JsonObject;

/**
 * A successful answer: its status, its JSON body, and the outcome counted in
 * {@code stevedore_trigger_requests_total} (the status, or a word such as {@code accepted}).
 */
record Reply(int status, JsonObject body, String outcome) {
  static Reply of(int status, JsonObject body) {
    return new Reply(status, body, String.valueOf(status));
  }
}
