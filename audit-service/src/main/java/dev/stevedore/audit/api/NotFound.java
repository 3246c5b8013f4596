package dev.stevedore.audit.api;

/** A resource that does not exist; HTTP 404. */
public final class NotFound extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NotFound(String message) {
    super(message, null, false, false);
  }
}
