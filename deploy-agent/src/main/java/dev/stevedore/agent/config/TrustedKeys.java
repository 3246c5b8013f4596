package dev.stevedore.agent.config;

import dev.stevedore.common.security.Ed25519Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the trusted trigger keys: each entry is PEM text (one or more blocks) or a path to a PEM file. */
public final class TrustedKeys {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", Pattern.DOTALL);

  private TrustedKeys() {}

  public static List<PublicKey> parse(List<String> entries) {
    List<PublicKey> keys = new ArrayList<>();
    for (String entry : entries) {
      if (entry == null || entry.isBlank()) {
        continue;
      }
      String text = entry.contains("-----BEGIN") ? entry : read(entry.trim());
      Matcher m = BLOCK.matcher(text);
      boolean any = false;
      while (m.find()) {
        keys.add(Ed25519Keys.publicKeyFromPem(m.group()));
        any = true;
      }
      if (!any) {
        throw new IllegalArgumentException("trustedKeys: no PEM public key in " + (entry.contains("-----BEGIN") ? "entry" : entry));
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("trustedKeys: at least one trigger public key is required");
    }
    return keys;
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("trustedKeys: cannot read " + path + ": " + e.getMessage(), e);
    }
  }
}
