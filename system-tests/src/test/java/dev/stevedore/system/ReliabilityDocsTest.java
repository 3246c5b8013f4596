package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.DockerTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/reliability.md honest about its evidence: every row of its fault table names the
 * test that injects the fault, and every test class the page names exists in some module's
 * src/test/java.
 */
class ReliabilityDocsTest {
  static final Pattern TEST_CLASS = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:IT|Test))`");

  final Path root = DockerTestSupport.repositoryRoot();

  @Test
  void everyFaultRowNamesItsTestInTheLastColumn() throws IOException {
    List<String> rows = faultRows();
    assertThat(rows).as("rows of the fault table").hasSizeGreaterThanOrEqualTo(10);
    for (String row : rows) {
      String[] cells = row.split("\\|");
      String last = cells[cells.length - 1].isBlank() ? cells[cells.length - 2] : cells[cells.length - 1];
      assertThat(TEST_CLASS.matcher(last).find()).as("the test column of: " + row).isTrue();
    }
  }

  @Test
  void everyTestClassThePageNamesExists() throws IOException {
    Set<String> named = new TreeSet<>();
    Matcher m = TEST_CLASS.matcher(Files.readString(root.resolve("docs/reliability.md")));
    while (m.find()) {
      named.add(m.group(1));
    }
    assertThat(named).contains("ClusterFaultIT", "ReliabilityDocsTest");
    Set<String> existing;
    try (Stream<Path> files = Files.walk(root, 12)) {
      existing = files.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith(".java"))
          .filter(p -> !p.toString().contains("/target/"))
          .map(p -> p.getFileName().toString().replaceFirst("\\.java$", "")).collect(Collectors.toSet());
    }
    assertThat(existing).as("test classes in */src/test/java").containsAll(named);
  }

  /** The rows of the table under "## The faults" (numbered rows, header and rule excluded). */
  List<String> faultRows() throws IOException {
    List<String> rows = new ArrayList<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(root.resolve("docs/reliability.md"))) {
      if (line.startsWith("## ")) {
        inSection = line.equals("## The faults");
      } else if (inSection && line.matches("\\| \\d+ \\|.*")) {
        rows.add(line);
      }
    }
    return rows;
  }
}
