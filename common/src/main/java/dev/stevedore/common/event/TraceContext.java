package dev.stevedore.common.event;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * W3C Trace Context (the {@code traceparent} and {@code tracestate} HTTP headers) as the
 * CloudEvents distributed-tracing extension attributes of the same names. Reading is a pure
 * decision with a reason ({@link #read}): only a version {@code 00} {@code traceparent} that is
 * exactly right is taken; anything else is ignored, never an error, since a tracing header must
 * never make a deployment fail. A {@code tracestate} is read only beside a valid
 * {@code traceparent} (as the W3C recommendation says), and dropped alone when it is wrong.
 *
 * @param traceparent {@code 00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>}, lower case
 * @param tracestate the list members, normalised (joined by {@code ,}, empty members left out);
 *     {@code null}: none
 */
public record TraceContext(String traceparent, String tracestate) {
  /** The extension attribute names (CloudEvents distributed-tracing extension). */
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  /** Longest {@code tracestate} taken (the combined header); a longer one is dropped. */
  public static final int MAX_TRACESTATE_CHARS = 512;
  /** Most {@code tracestate} list members (the W3C limit). */
  public static final int MAX_TRACESTATE_MEMBERS = 32;
  /** Length of a version {@code 00} {@code traceparent}. */
  public static final int TRACEPARENT_CHARS = 55;

  private static final Pattern TRACEPARENT_00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  private static final String KEY_CHARS = "[a-z0-9_\\-*/]";
  private static final Pattern KEY = Pattern.compile(
      "[a-z]" + KEY_CHARS + "{0,255}|[a-z0-9]" + KEY_CHARS + "{0,240}@[a-z]" + KEY_CHARS + "{0,13}");
  /** 0-255 of space or a printable character but {@code ,} and {@code =}, ending in a non-space one. */
  private static final Pattern VALUE = Pattern.compile("[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");

  public TraceContext {
    String why = traceparentRejection(traceparent);
    if (why != null) {
      throw new IllegalArgumentException("traceparent: " + why);
    }
    if (tracestate != null) {
      Members state = readTracestate(List.of(tracestate));
      if (state.why() != null || !tracestate.equals(state.joined())) {
        throw new IllegalArgumentException("tracestate is not a normalised W3C tracestate");
      }
    }
  }

  /** What the headers say. */
  public sealed interface Reading {
    /** No {@code traceparent}: nothing to pass on. */
    record Absent() implements Reading {}

    /** A valid {@code traceparent}; {@code droppedTracestate} says why a {@code tracestate} beside it was left out. */
    record Valid(TraceContext context, Optional<String> droppedTracestate) implements Reading {}

    /** The {@code traceparent} is wrong: nothing is passed on. */
    record Invalid(String why) implements Reading {}

    /** The context to pass on, if any. */
    default Optional<TraceContext> taken() {
      return this instanceof Valid v ? Optional.of(v.context()) : Optional.empty();
    }
  }

  /**
   * Reads the header values as received: every {@code traceparent} header (more than one is
   * invalid) and every {@code tracestate} header (several are one list, in order).
   */
  public static Reading read(List<String> traceparents, List<String> tracestates) {
    if (traceparents == null || traceparents.isEmpty()) {
      return new Reading.Absent();
    }
    if (traceparents.size() > 1) {
      return new Reading.Invalid(traceparents.size() + " traceparent headers (at most one)");
    }
    String traceparent = traceparents.get(0);
    String why = traceparentRejection(traceparent);
    if (why != null) {
      return new Reading.Invalid(why);
    }
    if (tracestates == null || tracestates.isEmpty()) {
      return new Reading.Valid(new TraceContext(traceparent, null), Optional.empty());
    }
    Members state = readTracestate(tracestates);
    if (state.why() != null) {
      return new Reading.Valid(new TraceContext(traceparent, null), Optional.of(state.why()));
    }
    return new Reading.Valid(new TraceContext(traceparent, state.joined()), Optional.empty());
  }

  /** One header of each (either may be {@code null}). */
  public static Reading read(String traceparent, String tracestate) {
    return read(traceparent == null ? List.of() : List.of(traceparent), tracestate == null ? List.of() : List.of(tracestate));
  }

  /**
   * The context among CloudEvents extension attributes (of an event received from Kafka), read as
   * strictly as from HTTP: a wrong one (a forged or damaged record) gives none.
   */
  public static Optional<TraceContext> fromExtensions(Map<String, ?> extensions) {
    Object parent = extensions.get(TRACEPARENT);
    Object state = extensions.get(TRACESTATE);
    if (!(parent instanceof String p)) {
      return Optional.empty();
    }
    return read(p, state instanceof String s ? s : null).taken();
  }

  /** The stored form (a state file, a rollout state): either field {@code null}; a wrong one gives none. */
  public static Optional<TraceContext> of(String traceparent, String tracestate) {
    return traceparent == null ? Optional.empty() : read(traceparent, tracestate).taken();
  }

  /** The CloudEvents extension attributes: {@code traceparent}, and {@code tracestate} when there is one. */
  public Map<String, String> extensions() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(TRACEPARENT, traceparent);
    if (tracestate != null) {
      out.put(TRACESTATE, tracestate);
    }
    return out;
  }

  /** The extension attributes of an optional context (none: empty). */
  public static Map<String, String> extensions(Optional<TraceContext> trace) {
    return trace.map(TraceContext::extensions).orElse(Map.of());
  }

  /** The 32-hex trace id. */
  public String traceId() {
    return traceparent.substring(3, 35);
  }

  private static String traceparentRejection(String value) {
    if (value == null) {
      return "missing";
    }
    if (value.length() != TRACEPARENT_CHARS) {
      // Longer is how a future version looks; only version 00 is understood here, where it is exactly 55.
      return "length " + value.length() + ", not " + TRACEPARENT_CHARS + " (only version 00 is taken)";
    }
    var m = TRACEPARENT_00.matcher(value);
    if (!m.matches()) {
      return "not 00-<32 lower-case hex>-<16 lower-case hex>-<2 lower-case hex>";
    }
    if (m.group(1).chars().allMatch(c -> c == '0')) {
      return "trace-id is all zero";
    }
    if (m.group(2).chars().allMatch(c -> c == '0')) {
      return "parent-id is all zero";
    }
    return null;
  }

  /** A tracestate read: the members joined by {@code ,}, or why not. */
  private record Members(String joined, String why) {
    static Members invalid(String why) {
      return new Members(null, why);
    }
  }

  private static Members readTracestate(List<String> headers) {
    int total = headers.stream().mapToInt(h -> h == null ? 0 : h.length() + 1).sum();
    if (total - 1 > MAX_TRACESTATE_CHARS) {
      return Members.invalid("tracestate longer than " + MAX_TRACESTATE_CHARS + " characters");
    }
    List<String> members = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (String header : headers) {
      if (header == null) {
        continue;
      }
      for (String raw : header.split(",", -1)) {
        String member = trimOws(raw);
        if (member.isEmpty()) {
          continue; // empty list members are allowed and mean nothing
        }
        int eq = member.indexOf('=');
        if (eq < 0) {
          return Members.invalid("tracestate member without '='");
        }
        String key = member.substring(0, eq);
        String value = member.substring(eq + 1);
        if (!KEY.matcher(key).matches()) {
          return Members.invalid("tracestate key is not a W3C key");
        }
        if (!VALUE.matcher(value).matches()) {
          return Members.invalid("tracestate value of '" + key + "' is not 1-256 printable characters but ',' and '='");
        }
        if (!keys.add(key)) {
          return Members.invalid("tracestate key '" + key + "' twice");
        }
        if (members.size() == MAX_TRACESTATE_MEMBERS) {
          return Members.invalid("more than " + MAX_TRACESTATE_MEMBERS + " tracestate members");
        }
        members.add(member);
      }
    }
    if (members.isEmpty()) {
      return Members.invalid("tracestate has no members");
    }
    return new Members(String.join(",", members), null);
  }

  private static String trimOws(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }
}
