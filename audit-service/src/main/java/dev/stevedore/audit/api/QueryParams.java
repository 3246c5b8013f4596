package dev.stevedore.audit.api;

import dev.stevedore.audit.store.DeploymentFilter;
import dev.stevedore.audit.store.DeploymentStatus;
import dev.stevedore.audit.store.RolloutFilter;
import dev.stevedore.audit.store.RolloutPhase;
import dev.stevedore.audit.store.Views;
import dev.stevedore.common.runtime.HttpProblem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates query strings into typed filters. Pure: every bad value becomes a {@link HttpProblem}
 * naming the parameter and the reason; nothing here touches the database.
 */
public final class QueryParams {
  public static final int MAX_NAME = 255;
  private static final int MAX_VALUE = 1024;
  private static final Pattern WINDOW = Pattern.compile("^([0-9]{1,4})([hd])$");
  private static final Pattern DIGITS = Pattern.compile("^[0-9]{1,9}$");
  private static final Duration MAX_WINDOW = Duration.ofDays(366);

  public static final Set<String> DEPLOYMENT_PARAMS =
      Set.of("service", "environment", "host", "status", "since", "until", "limit", "cursor");
  public static final Set<String> ROLLOUT_PARAMS = Set.of("environment", "service", "phase", "limit");
  public static final Set<String> HISTORY_PARAMS =
      Set.of("environment", "host", "status", "since", "until", "limit", "cursor");

  private final Map<String, List<String>> params;

  private QueryParams(Map<String, List<String>> params) {
    this.params = params;
  }

  /** Checks that only {@code allowed} parameters appear, each at most once. */
  public static QueryParams of(Map<String, List<String>> params, Set<String> allowed) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw HttpProblem.badRequest("unknown query parameter '" + clip(e.getKey()) + "'; allowed: " + new java.util.TreeSet<>(allowed));
      }
      if (e.getValue().size() > 1) {
        throw HttpProblem.badRequest("query parameter '" + e.getKey() + "' given more than once");
      }
      if (e.getValue().get(0).length() > MAX_VALUE) {
        throw HttpProblem.badRequest("query parameter '" + e.getKey() + "' longer than " + MAX_VALUE + " characters");
      }
    }
    return new QueryParams(params);
  }

  public String raw(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** A service, environment or host name: 1-255 characters, no control characters. */
  public String name(String param) {
    String v = raw(param);
    return v == null ? null : validName(param, v);
  }

  public static String validName(String param, String v) {
    if (v.isEmpty() || v.length() > MAX_NAME) {
      throw HttpProblem.badRequest(param + " must be 1 to " + MAX_NAME + " characters");
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !validSurrogate(v, i)) {
        throw HttpProblem.badRequest(param + " contains a control or invalid character");
      }
    }
    return v;
  }

  private static boolean validSurrogate(String v, int i) {
    char c = v.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(v.charAt(i - 1));
  }

  public String status() {
    String v = raw("status");
    if (v != null && !DeploymentStatus.ALL.contains(v)) {
      throw HttpProblem.badRequest("status must be one of " + new java.util.TreeSet<>(DeploymentStatus.ALL));
    }
    return v;
  }

  /** The rollout list's filter: one of the phases {@link RolloutPhase#WORDS}. */
  public RolloutPhase phase() {
    String v = raw("phase");
    return v == null ? null : RolloutPhase.of(v).orElseThrow(() ->
        HttpProblem.badRequest("phase must be one of " + RolloutPhase.WORDS));
  }

  /** The rollout list filter. */
  public RolloutFilter rolloutFilter(int defaultLimit, int maxLimit) {
    return new RolloutFilter(name("environment"), name("service"), phase(), limit(defaultLimit, maxLimit));
  }

  /** An RFC 3339 instant, as epoch milliseconds. */
  public Long instant(String param) {
    String v = raw(param);
    if (v == null) {
      return null;
    }
    try {
      if (v.length() > 40) {
        throw new DateTimeParseException("too long", v, 0);
      }
      return Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw HttpProblem.badRequest(param + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
    }
  }

  /** {@code limit}: a positive integer; values above {@code max} are capped to it. */
  public int limit(int defaultLimit, int max) {
    String v = raw("limit");
    if (v == null) {
      return defaultLimit;
    }
    String digits = v.replaceFirst("^0+(?=[0-9])", "");
    if (digits.matches("^[0-9]{10,}$")) {
      return max; // larger than any int: capped like any other large value
    }
    if (!DIGITS.matcher(digits).matches() || Integer.parseInt(digits) < 1) {
      throw HttpProblem.badRequest("limit must be a positive integer (at most " + max + ")");
    }
    return Math.min(Integer.parseInt(digits), max);
  }

  public Views.Position cursor() {
    String v = raw("cursor");
    return v == null ? null : Cursors.decode(v);
  }

  /** The DORA window: {@code <n>d} or {@code <n>h}, up to 366 days; default 30 days. */
  public Duration window() {
    String v = raw("window");
    if (v == null) {
      return Duration.ofDays(30);
    }
    Matcher m = WINDOW.matcher(v);
    if (!m.matches()) {
      throw HttpProblem.badRequest("window must look like 30d or 12h");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = "d".equals(m.group(2)) ? Duration.ofDays(n) : Duration.ofHours(n);
    if (d.isZero() || d.compareTo(MAX_WINDOW) > 0) {
      throw HttpProblem.badRequest("window must be between 1h and 366d");
    }
    return d;
  }

  /**
   * The bucket of a DORA series: {@code 1h} or {@code 1d}; default one hour for windows up to two
   * days, else one day. At most {@value dev.stevedore.audit.store.QueryRepository#MAX_BUCKETS}
   * buckets per window.
   */
  public Duration bucket(Duration window) {
    String v = raw("bucket");
    Duration d;
    if (v == null) {
      d = window.compareTo(Duration.ofDays(2)) <= 0 ? Duration.ofHours(1) : Duration.ofDays(1);
    } else if (v.equals("1h")) {
      d = Duration.ofHours(1);
    } else if (v.equals("1d")) {
      d = Duration.ofDays(1);
    } else {
      throw HttpProblem.badRequest("bucket must be 1h or 1d");
    }
    if (window.toMillis() / d.toMillis() >= dev.stevedore.audit.store.QueryRepository.MAX_BUCKETS) {
      throw HttpProblem.badRequest("window " + raw("window") + " has too many " + v + " buckets; at most "
          + dev.stevedore.audit.store.QueryRepository.MAX_BUCKETS);
    }
    return d;
  }

  public String format() {
    String v = raw("format");
    if (v == null) {
      return "ndjson";
    }
    if (!v.equals("ndjson") && !v.equals("csv")) {
      throw HttpProblem.badRequest("format must be ndjson or csv");
    }
    return v;
  }

  /** The deployment list filter; {@code fixedService} is the path's service for the history route. */
  public DeploymentFilter deploymentFilter(String fixedService, int defaultLimit, int maxLimit) {
    Long since = instant("since");
    Long until = instant("until");
    if (since != null && until != null && since > until) {
      throw HttpProblem.badRequest("since must not be after until");
    }
    String service = fixedService != null ? validName("service", fixedService) : name("service");
    return new DeploymentFilter(service, name("environment"), name("host"), status(), since, until,
        limit(defaultLimit, maxLimit), cursor());
  }

  static String clip(String s) {
    String c = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    StringBuilder out = new StringBuilder();
    c.codePoints().forEach(cp -> out.appendCodePoint(cp < 0x20 || cp == 0x7f ? '?' : cp));
    return out.toString();
  }

  /** Opaque keyset cursors: base64url of {@code v1:<requested-at millis>:<deployment id>}. */
  public static final class Cursors {
    private Cursors() {}

    public static String encode(Views.Position p) {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(("v1:" + p.requestedAt() + ":" + p.id()).getBytes(StandardCharsets.UTF_8));
    }

    public static Views.Position decode(String cursor) {
      try {
        if (cursor.length() > 600) {
          throw new IllegalArgumentException("too long");
        }
        String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        String[] parts = text.split(":", 3);
        if (parts.length != 3 || !parts[0].equals("v1") || !parts[1].matches("^-?[0-9]{1,19}$")) {
          throw new IllegalArgumentException("bad shape");
        }
        return new Views.Position(Long.parseLong(parts[1]), validName("cursor", parts[2]));
      } catch (IllegalArgumentException e) {
        throw HttpProblem.badRequest("invalid cursor: pass back the 'next' value of a previous page");
      }
    }
  }
}
