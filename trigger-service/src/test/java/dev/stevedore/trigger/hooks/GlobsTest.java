package dev.stevedore.trigger.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobsTest {
  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
      "main, main, true",
      "main, main2, false",
      "release/*, release/1.2, true",
      "release/*, release/1.2/hotfix, false",
      "release/**, release/1.2/hotfix, true",
      "v*, v1.2.3, true",
      "v*, 1.2.3, false",
      "v?.0, v1.0, true",
      "v?.0, v10.0, false",
      "a.b, axb, false",
      "(x)+, (x)+, true",
  })
  void matchesLikeGitRefGlobs(String glob, String value, boolean expected) {
    assertThat(Globs.matches(glob, value)).isEqualTo(expected);
  }
}
