package dev.stevedore.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every pointer into the documentation leads somewhere: a relative Markdown link in README.md or
 * docs/ names a file of the repository (and, with {@code #anchor}, a heading of that page, as
 * GitHub makes anchors), and a {@code docs/<page>.md} named in a Dockerfile, a script, a
 * configuration example or a source comment exists. A renamed page or heading fails here instead
 * of leaving a reader at a dead link.
 */
@DisplayName("links into the docs lead to pages and headings that exist")
class DocLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern MD_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern DOCS_MENTION = Pattern.compile("(?<![\\w/.-])docs/([\\w./-]+\\.md)(#[\\w-]+)?");
  private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");

  private final Map<Path, Set<String>> anchors = new HashMap<>();

  @Test
  void markdownLinksNameFilesAndHeadingsThatExist() throws IOException {
    List<String> broken = new ArrayList<>();
    List<Path> pages = markdownPages();
    assertThat(pages).as("README.md and docs/*.md").hasSizeGreaterThan(10);
    int checked = 0;
    for (Path page : pages) {
      for (String target : links(page)) {
        if (target.matches("^[a-z][a-z0-9+.-]*:.*") || target.startsWith("//")) {
          continue; // absolute URLs (https:, mailto:) are not checked here: nothing leaves this machine
        }
        checked++;
        String problem = problem(page.getParent(), target);
        if (problem != null) {
          broken.add(ROOT.relativize(page) + ": (" + target + ") " + problem);
        }
      }
    }
    assertThat(checked).as("relative links checked").isGreaterThan(50);
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void docsPagesNamedOutsideTheDocsExist() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : filesThatNameDocs()) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Matcher m = DOCS_MENTION.matcher(text);
      while (m.find()) {
        checked++;
        String target = m.group(1) + (m.group(2) == null ? "" : m.group(2));
        String problem = problem(ROOT.resolve("docs"), target);
        if (problem != null) {
          broken.add(ROOT.relativize(file) + ": docs/" + target + " " + problem);
        }
      }
    }
    assertThat(checked).as("mentions of docs/ pages checked").isGreaterThan(20);
    assertThat(broken).as("mentions of pages that do not exist").isEmpty();
  }

  @Test
  void anchorsFollowGitHubsRules() {
    assertThat(slug("Exit codes (`stevedore-agent deploy`, `ssh-gate` and `stevedore push`)"))
        .isEqualTo("exit-codes-stevedore-agent-deploy-ssh-gate-and-stevedore-push");
    assertThat(slug("Request signing (Ed25519)")).isEqualTo("request-signing-ed25519");
    assertThat(slug("`version.unblocked`")).isEqualTo("versionunblocked");
    assertThat(slug("Kafka authentication and ACLs")).isEqualTo("kafka-authentication-and-acls");
  }

  /** Why {@code target} (relative to {@code dir}) leads nowhere, or {@code null}. */
  private String problem(Path dir, String target) {
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = dir.resolve(file).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "points outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "names a file that does not exist";
    }
    if (anchor == null || anchor.isEmpty() || !resolved.toString().endsWith(".md")) {
      return null;
    }
    return anchorsOf(resolved).contains(anchor) ? null : "has no heading for #" + anchor;
  }

  /** The relative link targets of {@code page}, in-page anchors resolved to the page itself. */
  private List<String> links(Path page) throws IOException {
    List<String> out = new ArrayList<>();
    boolean inFence = false;
    for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
        continue;
      }
      if (inFence) {
        continue;
      }
      Matcher m = MD_LINK.matcher(line);
      while (m.find()) {
        String target = m.group(1);
        out.add(target.startsWith("#") ? page.getFileName() + target : target);
      }
    }
    return out;
  }

  private Set<String> anchorsOf(Path page) {
    return anchors.computeIfAbsent(page, p -> {
      Set<String> out = new HashSet<>();
      Map<String, Integer> seen = new HashMap<>();
      boolean inFence = false;
      try {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          if (FENCE.matcher(line).find()) {
            inFence = !inFence;
            continue;
          }
          if (!inFence && line.matches("^#{1,6} .*")) {
            String s = slug(line.replaceFirst("^#{1,6} ", ""));
            int n = seen.merge(s, 1, Integer::sum);
            out.add(n == 1 ? s : s + "-" + (n - 1));
          }
          Matcher html = Pattern.compile("<a (?:name|id)=\"([^\"]+)\"").matcher(line);
          while (html.find()) {
            out.add(html.group(1));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out;
    });
  }

  /** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
  static String slug(String heading) {
    String lower = heading.strip().toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder();
    lower.codePoints().forEach(c -> {
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        b.appendCodePoint(c);
      } else if (c == ' ') {
        b.append('-');
      }
    });
    return b.toString();
  }

  private static List<Path> markdownPages() throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(ROOT.resolve("README.md"));
    try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
    }
    return out;
  }

  /** Dockerfiles, scripts, configuration examples and main sources: where docs/ pages are named. */
  private static List<Path> filesThatNameDocs() throws IOException {
    try (Stream<Path> s = Files.walk(ROOT)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> {
            String rel = ROOT.relativize(p).toString().replace('\\', '/');
            if (rel.startsWith(".git/") || rel.contains("/target/") || rel.startsWith("target/")
                || rel.contains("node_modules/")) {
              return false;
            }
            String name = p.getFileName().toString();
            return name.startsWith("Dockerfile") || name.endsWith(".sh") || name.endsWith(".yml")
                || name.endsWith(".yaml") || name.endsWith(".service") || name.equals("run")
                || (name.endsWith(".java") && rel.contains("/src/main/"))
                || (name.endsWith(".md") && !rel.startsWith("docs/"));
          })
          .sorted()
          .toList();
    }
  }
}
