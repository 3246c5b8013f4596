package dev.stevedore.audit.api;

/** Invalid client input; the message is the reason given back with HTTP 400. */
public final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadRequest(String message) {
    super(message, null, false, false);
  }
}
