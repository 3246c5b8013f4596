package dev.stevedore.audit.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SameOriginTest {
  @ParameterizedTest
  @CsvSource({
      "http://127.0.0.1:8083, 127.0.0.1:8083, false",
      "http://audit.example, audit.example, false",
      "http://audit.example:80, audit.example, false",
      "https://audit.example, audit.example:443, true",
      "HTTP://Audit.Example:8083, audit.example:8083, false",
      "http://[::1]:8083, [::1]:8083, false",
  })
  void allowsTheSameSchemeHostAndPort(String origin, String host, boolean tls) {
    assertThat(SameOrigin.allows(origin, host, tls)).isTrue();
  }

  @ParameterizedTest
  @CsvSource(value = {
      "null | 127.0.0.1:8083 | false",
      "'' | 127.0.0.1:8083 | false",
      "http://evil.example | 127.0.0.1:8083 | false",
      "http://127.0.0.1:8084 | 127.0.0.1:8083 | false",
      "https://127.0.0.1:8083 | 127.0.0.1:8083 | false",
      "http://127.0.0.1:8083 | 127.0.0.1:8083 | true",
      "http://127.0.0.1.evil.example:8083 | 127.0.0.1:8083 | false",
      "http://user@127.0.0.1:8083 | 127.0.0.1:8083 | false",
      "http://127.0.0.1:8083/path | 127.0.0.1:8083 | false",
      "http://127.0.0.1:8083 | evil.example@127.0.0.1:8083 | false",
      "not a url | 127.0.0.1:8083 | false",
      "http://127.0.0.1:8083 | '' | false",
  }, delimiter = '|', nullValues = "NULL")
  void refusesAnyOtherOrigin(String origin, String host, boolean tls) {
    assertThat(SameOrigin.allows(origin, host, tls)).isFalse();
  }

  @Test
  void refusesAMissingOrigin() {
    assertThat(SameOrigin.allows(null, "127.0.0.1:8083", false)).isFalse();
    assertThat(SameOrigin.allows("http://127.0.0.1:8083", null, false)).isFalse();
  }
}
