package dev.stevedore.trigger.core;

import java.util.Map;

/**
 * A request refused for what it is (not for a failure of ours): the HTTP status, a reason that is
 * safe to show the caller, and optional headers. Thrown by the pure parsing classes and turned into
 * a response by the HTTP layer; nothing is published for it.
 */
public final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> headers;

  private BadRequest(int status, String reason, Map<String, String> headers) {
    super(reason, null, false, false);
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public static BadRequest of(int status, String reason) {
    return new BadRequest(status, reason, Map.of());
  }

  public static BadRequest badRequest(String reason) {
    return of(400, reason);
  }

  public static BadRequest unauthorized(String reason) {
    return of(401, reason);
  }

  public int status() {
    return status;
  }

  public String reason() {
    return getMessage();
  }

  public Map<String, String> headers() {
    return headers;
  }
}
