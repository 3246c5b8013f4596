package dev.stevedore.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.out.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

/**
 * One of the two APIs (trigger or audit) over plain {@link HttpClient}: bearer token, JSON in and
 * out, every refusal turned into a {@link CliException} with the problem document's words and the
 * matching {@link ExitCode}. Answers are read up to {@link #MAX_BODY} bytes (a hostile or broken
 * server cannot fill the memory).
 */
public final class Api {
  /** The largest answer read, in bytes. */
  public static final int MAX_BODY = 32 * 1024 * 1024;

  private final String name;
  private final URI base;
  private final Supplier<String> token;
  private final HttpClient client;
  private final Duration timeout;

  /**
   * @param name what the user calls it in messages ({@code trigger}, {@code audit})
   * @param token read when the first request is made (a command that fails earlier needs none)
   */
  public Api(String name, URI base, Supplier<String> token, HttpClient client, Duration timeout) {
    this.name = name;
    this.base = base;
    this.token = token;
    this.client = client;
    this.timeout = timeout;
  }

  public String name() {
    return name;
  }

  public URI base() {
    return base;
  }

  public JsonNode get(String path, Map<String, String> query) {
    return send(request(path, query).GET(), false).orElseThrow();
  }

  /** Like {@link #get}, but empty for a 404 (a deployment the audit has not stored yet). */
  public Optional<JsonNode> find(String path) {
    return send(request(path, Map.of()).GET(), true);
  }

  public JsonNode send(String method, String path, JsonNode body, Map<String, String> headers) {
    HttpRequest.Builder request = request(path, Map.of());
    headers.forEach(request::header);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }
    return send(request, false).orElseThrow();
  }

  /** A streamed answer, line by line (the export's NDJSON); the caller closes the stream. */
  public Stream<String> lines(String path, Map<String, String> query) {
    HttpResponse<Stream<String>> response = exchange(request(path, query).GET(), HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() >= 300) {
      String body;
      try (Stream<String> lines = response.body()) {
        body = String.join("\n", lines.limit(200).toList());
      }
      throw refusal(response.statusCode(), response.headers().firstValue("Retry-After"), body);
    }
    return response.body();
  }

  private HttpRequest.Builder request(String path, Map<String, String> query) {
    String secret = token.get();
    return HttpRequest.newBuilder(uri(path, query))
        .timeout(timeout)
        .header("Accept", "application/json, application/problem+json")
        .header("Authorization", "Bearer " + secret);
  }

  URI uri(String path, Map<String, String> query) {
    StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
    new LinkedHashMap<>(query).forEach((k, v) -> {
      if (v != null) {
        q.add(encode(k) + "=" + encode(v));
      }
    });
    String root = base.toString().replaceAll("/+$", "");
    return URI.create(root + path + q);
  }

  /** One path segment, percent-encoded (a name can never add a segment or a query). */
  public static String segment(String value) {
    return encode(value);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Optional<JsonNode> send(HttpRequest.Builder request, boolean notFoundIsEmpty) {
    HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(MAX_BODY + 1);
    } catch (IOException e) {
      throw unreachable(e);
    }
    if (body.length > MAX_BODY) {
      throw new CliException(ExitCode.SERVER_ERROR, name + " answered more than " + MAX_BODY + " bytes; refusing to read it");
    }
    int status = response.statusCode();
    String text = new String(body, StandardCharsets.UTF_8);
    if (status == 404 && notFoundIsEmpty) {
      return Optional.empty();
    }
    if (status < 200 || status >= 300) {
      throw refusal(status, response.headers().firstValue("Retry-After"), text);
    }
    try {
      return Optional.of(Json.MAPPER.readTree(text));
    } catch (IOException e) {
      throw new CliException(ExitCode.SERVER_ERROR, name + " at " + base + " answered " + status
          + " with something that is not JSON (is the URL right?)");
    }
  }

  private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
    try {
      return client.send(request.build(), handler);
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.UNREACHABLE, "interrupted while waiting for the " + name);
    }
  }

  CliException refusal(int status, Optional<String> retryAfter, String body) {
    Problem problem = Problem.parse(status, body);
    String message = name + " refused (" + status + " " + problem.title() + ")"
        + (problem.detail() == null ? "" : ": " + problem.detail())
        + retryAfter.map(s -> "; retry after " + s + " s").orElse("")
        + hint(status);
    return new CliException(ExitCode.forStatus(status), message);
  }

  private String hint(int status) {
    return switch (status) {
      case 401 -> " (check the " + name + " token of this context: stevedore config view)";
      case 403 -> " (this token's role does not allow it)";
      default -> "";
    };
  }

  private static boolean unresolved(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private CliException unreachable(IOException e) {
    String why;
    if (e instanceof HttpConnectTimeoutException) {
      why = "the connection timed out";
    } else if (e instanceof HttpTimeoutException) {
      why = "no answer within " + timeout.toSeconds() + " s";
    } else if (unresolved(e)) {
      why = "unknown host " + base.getHost();
    } else if (e instanceof ConnectException) {
      why = "connection refused";
    } else if (e instanceof SSLException) {
      why = "TLS failed: " + e.getMessage();
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new CliException(ExitCode.UNREACHABLE, "cannot reach the " + name + " at " + base + ": " + why);
  }
}
