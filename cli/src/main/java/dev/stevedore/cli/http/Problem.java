package dev.stevedore.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.out.Json;

/**
 * An RFC 9457 problem document as far as the CLI shows it: title and detail. A body that is not
 * one (a proxy's HTML page) leaves only the status's reason phrase.
 */
public record Problem(int status, String title, String detail) {
  /** The longest detail shown; the rest is cut (a server cannot flood the terminal). */
  static final int MAX_DETAIL = 500;

  public static Problem parse(int status, String body) {
    String title = null;
    String detail = null;
    try {
      JsonNode json = Json.MAPPER.readTree(body);
      if (json != null && json.isObject()) {
        title = text(json.get("title"));
        detail = text(json.get("detail"));
      }
    } catch (Exception e) {
      // not JSON: only the status is known
    }
    if (detail != null && detail.length() > MAX_DETAIL) {
      detail = detail.substring(0, MAX_DETAIL) + "...";
    }
    return new Problem(status, title == null ? reason(status) : title, detail);
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() && !node.textValue().isBlank() ? node.textValue() : null;
  }

  static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "HTTP " + status;
    };
  }
}
