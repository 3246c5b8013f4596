package dev.stevedore.trigger;

import dev.stevedore.trigger.TriggerConfig.ApiToken;
import dev.stevedore.trigger.TriggerConfig.GenericHook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code tokenFile} / {@code hmacSecretFile} of list entries (generic hooks, API tokens):
 * the common ConfigLoader resolves {@code *File} keys only in mappings, not inside lists. Blocking:
 * call it off the event loop. Also checks that every hook and token has a secret and a unique name.
 */
public final class ConfigSecrets {
  private ConfigSecrets() {}

  public static TriggerConfig resolve(TriggerConfig config) {
    List<GenericHook> hooks = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (GenericHook hook : config.generic()) {
      if (!names.add(hook.name())) {
        throw new IllegalStateException("generic hook name '" + hook.name() + "' is used twice");
      }
      String token = hook.tokenFile() != null ? read(hook.tokenFile(), "generic[" + hook.name() + "].tokenFile") : hook.token();
      String hmac = hook.hmacSecretFile() != null
          ? read(hook.hmacSecretFile(), "generic[" + hook.name() + "].hmacSecretFile") : hook.hmacSecret();
      if (token == null || token.length() < 16) {
        throw new IllegalStateException("generic hook '" + hook.name() + "' needs a token of at least 16 characters");
      }
      hooks.add(hook.withSecrets(token, hmac));
    }
    List<ApiToken> tokens = new ArrayList<>();
    names.clear();
    for (ApiToken t : config.api().tokens()) {
      if (!names.add(t.name())) {
        throw new IllegalStateException("API token name '" + t.name() + "' is used twice");
      }
      String value = t.tokenFile() != null ? read(t.tokenFile(), "api.tokens[" + t.name() + "].tokenFile") : t.token();
      if (value == null || value.length() < 16) {
        throw new IllegalStateException("API token '" + t.name() + "' needs a token of at least 16 characters");
      }
      tokens.add(t.withToken(value));
    }
    return new TriggerConfig(config.instanceId(), config.http(), config.kafka(), config.topics(), config.signing(), hooks,
        config.github(), config.gitlab(), config.repositories(), new TriggerConfig.Api(tokens), config.schedules(),
        config.limits(), config.history());
  }

  private static String read(String path, String key) {
    try {
      String text = Files.readString(Path.of(path), StandardCharsets.UTF_8);
      return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + key + " (" + path + "): " + e.getMessage(), e);
    }
  }
}
