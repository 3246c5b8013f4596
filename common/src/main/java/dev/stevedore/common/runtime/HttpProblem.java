package dev.stevedore.common.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request refused for what it is (not for a failure of ours): the HTTP status, a detail that is
 * safe to show the caller, and optional headers. Thrown by parsing and validation code and answered
 * by {@link Problems} as an RFC 9457 problem document; nothing else happens for it.
 */
public final class HttpProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> headers;

  private HttpProblem(int status, String detail, Map<String, String> headers) {
    super(detail, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("not an error status: " + status);
    }
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public static HttpProblem of(int status, String detail) {
    return new HttpProblem(status, detail, Map.of());
  }

  public static HttpProblem badRequest(String detail) {
    return of(400, detail);
  }

  public static HttpProblem unauthorized(String detail) {
    return of(401, detail);
  }

  public static HttpProblem notFound(String detail) {
    return of(404, detail);
  }

  /** The same problem with one more response header (for example {@code Retry-After}). */
  public HttpProblem withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new HttpProblem(status, getMessage(), more);
  }

  public int status() {
    return status;
  }

  public String detail() {
    return getMessage();
  }

  public Map<String, String> headers() {
    return headers;
  }
}
