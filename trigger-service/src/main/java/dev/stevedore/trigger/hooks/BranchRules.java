package dev.stevedore.trigger.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.Versions;
import dev.stevedore.trigger.TriggerConfig.Repository;
import dev.stevedore.trigger.TriggerConfig.Rule;
import dev.stevedore.trigger.core.DeployIntent;
import dev.stevedore.trigger.core.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Maps a repository's branch or tag to services, an environment and a version. The first rule whose
 * kind and glob match wins; no match (or an unconfigured repository) is an {@link HookDecision.Ignore}
 * with the reason. Without rules a repository deploys {@code main} and {@code master} only.
 */
public final class BranchRules {
  private record Compiled(Rule rule, Pattern pattern) {}

  private final Map<String, Repository> repositories = new TreeMap<>();
  private final Map<String, List<Compiled>> rules = new TreeMap<>();

  public BranchRules(List<Repository> configured) {
    for (Repository repo : configured) {
      String key = repo.name().toLowerCase(Locale.ROOT);
      if (repositories.put(key, repo) != null) {
        throw new IllegalStateException("repository " + repo.name() + " is configured twice");
      }
      List<Compiled> compiled = new ArrayList<>();
      for (Rule rule : repo.rules()) {
        List<String> services = rule.services().isEmpty() ? repo.services() : rule.services();
        if (services.isEmpty()) {
          throw new IllegalStateException("repository " + repo.name() + ": a rule has no services (and the repository none)");
        }
        for (String service : services) {
          if (!Versions.isValidName(service)) {
            throw new IllegalStateException("repository " + repo.name() + ": invalid service name " + service);
          }
        }
        String env = rule.environment() == null ? repo.environment() : rule.environment();
        if (!Versions.isValidName(env)) {
          throw new IllegalStateException("repository " + repo.name() + ": invalid environment name " + env);
        }
        compiled.add(new Compiled(rule, Globs.compile(rule.branch() != null ? rule.branch() : rule.tag())));
      }
      rules.put(key, compiled);
    }
  }

  public HookDecision decide(RefEvent event) {
    String key = event.repository() == null ? "" : event.repository().toLowerCase(Locale.ROOT);
    Repository repo = repositories.get(key);
    if (repo == null) {
      return HookDecision.ignore("repository " + printable(event.repository()) + " is not configured");
    }
    String kind = event.kind() == RefEvent.Kind.BRANCH ? "branch" : "tag";
    for (Compiled c : rules.get(key)) {
      boolean kindMatches = (event.kind() == RefEvent.Kind.BRANCH) == (c.rule().branch() != null);
      if (kindMatches && c.pattern().matcher(event.ref()).matches()) {
        return apply(repo, c.rule(), event);
      }
    }
    return HookDecision.ignore("no rule of " + repo.name() + " matches " + kind + " " + printable(event.ref()));
  }

  private static HookDecision apply(Repository repo, Rule rule, RefEvent event) {
    String version;
    switch (rule.versionFrom()) {
      case TAG -> {
        if (event.kind() != RefEvent.Kind.TAG) {
          return HookDecision.ignore("the rule takes the version from a tag, but " + event.event() + " is on a branch");
        }
        version = event.ref();
      }
      case SHORT_COMMIT -> version = event.commit() == null ? null
          : event.commit().substring(0, Math.min(12, event.commit().length()));
      case FIELD -> {
        JsonNode value = event.payload().at(rule.versionField());
        version = value.isTextual() || value.isIntegralNumber() ? value.asText() : null;
      }
      case COMMIT -> version = event.commit();
      default -> throw new IllegalStateException("unknown versionFrom " + rule.versionFrom());
    }
    if (version == null) {
      return HookDecision.ignore("no version in the " + event.event() + " event (versionFrom " + rule.versionFrom().name() + ")");
    }
    if (!Versions.isValid(version)) {
      return HookDecision.ignore("'" + printable(version) + "' is not a valid version");
    }
    String commit = Validation.isCommit(event.commit()) ? event.commit() : null;
    String environment = rule.environment() == null ? repo.environment() : rule.environment();
    List<String> services = rule.services().isEmpty() ? repo.services() : rule.services();
    List<DeployIntent> intents = new ArrayList<>();
    for (String service : services) {
      String deploymentId = DeploymentIds.of(event.provider().word(), event.deliveryId() + "/" + environment + "/" + service);
      intents.add(new DeployIntent(event.provider(), deploymentId, service, environment, version, commit,
          event.kind() == RefEvent.Kind.BRANCH ? bounded(event.ref()) : null, repo.name(),
          event.actor() == null ? event.provider().word() : bounded(event.actor()),
          event.event() + " of " + (event.kind() == RefEvent.Kind.BRANCH ? "branch " : "tag ") + bounded(event.ref())));
    }
    return HookDecision.deploy(intents);
  }

  private static String bounded(String s) {
    String p = printable(s);
    return p.length() > 255 ? p.substring(0, 255) : p;
  }

  /** Text from a payload, safe for a log line or a JSON answer: control characters replaced, bounded. */
  static String printable(String s) {
    if (s == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.toString();
  }
}
