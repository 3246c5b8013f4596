package dev.stevedore.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.event.TraceContext.Reading;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {
  static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aValidTraceparentIsTakenAsIs() {
    Reading r = TraceContext.read(PARENT, null);
    assertThat(r).isEqualTo(new Reading.Valid(new TraceContext(PARENT, null), Optional.empty()));
    assertThat(r.taken().orElseThrow().extensions()).containsExactly(Map.entry("traceparent", PARENT));
    assertThat(r.taken().orElseThrow().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void noHeaderIsAbsentNotInvalid() {
    assertThat(TraceContext.read((String) null, null)).isEqualTo(new Reading.Absent());
    assertThat(TraceContext.read(List.of(), List.of("a=b"))).isEqualTo(new Reading.Absent());
    assertThat(TraceContext.read((String) null, "a=b").taken()).isEmpty();
  }

  @Test
  void aValidTracestateIsNormalisedAndPassedOnBesideTheParent() {
    Reading r = TraceContext.read(List.of(PARENT), List.of("rojo=00f067aa0ba902b7 ,\t, congo=t61rcWkgMzE", "t@vendor=x y"));
    TraceContext c = r.taken().orElseThrow();
    assertThat(c.tracestate()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,t@vendor=x y");
    assertThat(c.extensions()).containsExactly(Map.entry("traceparent", PARENT),
        Map.entry("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,t@vendor=x y"));
    assertThat(((Reading.Valid) r).droppedTracestate()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",          // short flags
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",         // upper case
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",         // trace-id all zero
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",         // parent-id all zero
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",         // forbidden version
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",         // a version not understood
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",   // trailing data on version 00
      " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",         // white space
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",         // separators
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",         // not hex
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\n",        // control character
      "00-4bf92f3577b34da6a3ce929d0e0e4736\r\n00f067aa0ba902b701",       // header injection
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-\u00e901",   // not ASCII
  })
  void aWrongTraceparentIsInvalidAndGivesNothing(String header) {
    Reading r = TraceContext.read(header, "congo=t61rcWkgMzE");
    assertThat(r).isInstanceOf(Reading.Invalid.class);
    assertThat(r.taken()).isEmpty();
    if (!header.isEmpty()) {
      assertThat(((Reading.Invalid) r).why()).doesNotContain(header); // the reason never echoes the input
    }
  }

  @Test
  void twoTraceparentHeadersAreInvalid() {
    assertThat(TraceContext.read(List.of(PARENT, PARENT), List.of())).isEqualTo(
        new Reading.Invalid("2 traceparent headers (at most one)"));
  }

  @Test
  void anOversizedTraceparentIsRefusedOnItsLength() {
    String huge = PARENT + "-" + "a".repeat(1 << 20);
    assertThat(TraceContext.read(huge, null)).isInstanceOf(Reading.Invalid.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "novalue",                                  // no '='
      "UPPER=x",                                  // key not lower case
      "9start=x",                                 // simple key must start with a letter
      "a=",                                       // empty value
      "a=x,a=y",                                  // duplicate key
      "a=x\u0001",                                // control character
      "a=x\r\nx-injected: 1",                     // header injection
      "a=x=y",                                    // '=' inside a value
      "a=\u00e9",                                 // not ASCII
      "t@toolongsystemid=x",                      // system id longer than 14
      ",,,",                                      // no members at all
  })
  void aWrongTracestateIsDroppedButTheParentStays(String tracestate) {
    Reading r = TraceContext.read(PARENT, tracestate);
    assertThat(r.taken()).contains(new TraceContext(PARENT, null));
    assertThat(((Reading.Valid) r).droppedTracestate()).isPresent();
  }

  @Test
  void aTracestateOfMoreThan32MembersOrTooLongIsDropped() {
    String members33 = IntStream.range(0, 33).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
    assertThat(((Reading.Valid) TraceContext.read(PARENT, members33)).droppedTracestate())
        .contains("more than 32 tracestate members");
    String members32 = IntStream.range(0, 32).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
    assertThat(TraceContext.read(PARENT, members32).taken().orElseThrow().tracestate()).isEqualTo(members32);
    String long513 = "a=" + "x".repeat(TraceContext.MAX_TRACESTATE_CHARS - 1);
    assertThat(((Reading.Valid) TraceContext.read(PARENT, long513)).droppedTracestate())
        .contains("tracestate longer than 512 characters");
    assertThat(((Reading.Valid) TraceContext.read(List.of(PARENT), List.of("a=" + "x".repeat(300), "b=" + "y".repeat(300))))
        .droppedTracestate()).isPresent();
  }

  @Test
  void extensionsOfAReceivedEventAreReadJustAsStrictly() {
    assertThat(TraceContext.fromExtensions(Map.of("traceparent", PARENT, "tracestate", "a=b", "other", "x")))
        .contains(new TraceContext(PARENT, "a=b"));
    assertThat(TraceContext.fromExtensions(Map.of("traceparent", PARENT.toUpperCase()))).isEmpty();
    assertThat(TraceContext.fromExtensions(Map.of("traceparent", 7))).isEmpty();
    assertThat(TraceContext.fromExtensions(Map.of("other", PARENT))).isEmpty();
    assertThat(TraceContext.fromExtensions(Map.of("traceparent", PARENT, "tracestate", "BAD")))
        .contains(new TraceContext(PARENT, null));
  }

  @Test
  void theRecordRefusesWhatTheReaderWouldNotHaveMade() {
    assertThatThrownBy(() -> new TraceContext("00-x", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TraceContext(PARENT, "a=b, c=d")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new TraceContext(PARENT, "a=b,c=d").tracestate()).isEqualTo("a=b,c=d");
    assertThat(TraceContext.of(null, "a=b")).isEmpty();
    assertThat(TraceContext.of("junk", null)).isEmpty();
  }
}
