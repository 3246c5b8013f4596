package dev.stevedore.local;

import dev.stevedore.common.security.Ed25519Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The local installation's secrets, made on first start and kept in {@code dataDir/secrets}
 * (mode 600) so the printed webhook URL stays the same across restarts.
 */
record LocalSecrets(Path privateKeyFile, Path publicKeyFile, Path webhookTokenFile, String webhookToken,
    String readerToken) {

  /** The files by path, the tokens never (they end up in logs and exception messages otherwise). */
  @Override
  public String toString() {
    return "LocalSecrets[privateKeyFile=" + privateKeyFile + ", publicKeyFile=" + publicKeyFile + ", webhookTokenFile="
        + webhookTokenFile + ", webhookToken=(hidden), readerToken=(hidden)]";
  }

  static LocalSecrets loadOrCreate(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path privateKey = dir.resolve("trigger-private.pem");
    Path publicKey = dir.resolve("trigger-public.pem");
    if (!Files.exists(privateKey) || !Files.exists(publicKey)) {
      KeyPair keys = Ed25519Keys.generate();
      writeSecret(privateKey, Ed25519Keys.toPem(keys.getPrivate()));
      Files.writeString(publicKey, Ed25519Keys.toPem(keys.getPublic()), StandardCharsets.UTF_8);
    }
    Path webhook = dir.resolve("webhook-token");
    Path reader = dir.resolve("reader-token");
    return new LocalSecrets(privateKey, publicKey, webhook, tokenIn(webhook), tokenIn(reader));
  }

  private static String tokenIn(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      writeSecret(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
    }
    return Files.readString(file, StandardCharsets.UTF_8).strip();
  }

  private static void writeSecret(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the folder's own permissions apply
    }
  }
}
