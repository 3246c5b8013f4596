package dev.stevedore.common.event;

/**
 * A record on a topic that is not a valid Stevedore event. The consumer sends it to the
 * dead-letter topic with {@link #getMessage()} as the reason and moves on.
 */
public final class EventDecodingException extends Exception {
  private static final long serialVersionUID = 1L;

  private EventDecodingException(String message, Throwable cause) {
    super(message, cause);
  }

  public static EventDecodingException of(String reason) {
    return new EventDecodingException(reason, null);
  }

  public static EventDecodingException of(String reason, Throwable cause) {
    return new EventDecodingException(reason, cause);
  }
}
