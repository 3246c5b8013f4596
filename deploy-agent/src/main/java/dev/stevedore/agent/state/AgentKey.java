package dev.stevedore.agent.state;

import dev.stevedore.common.security.Ed25519Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * The agent's own Ed25519 key, with which it signs every event it publishes. Made at the first
 * start in the state directory: {@value #PRIVATE_FILE} (PKCS#8 PEM, mode 0600, created with that
 * mode so it is never readable by others) and {@value #PUBLIC_FILE} (the public half, for the
 * trusted-agent lists of the audit service and the trigger); read back on every later start.
 * Blocking; call it on a worker thread.
 */
public final class AgentKey {
  public static final String PRIVATE_FILE = "agent-key.pem";
  public static final String PUBLIC_FILE = "agent-key.pub.pem";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final byte[] X509_ED25519_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private AgentKey() {}

  /** The key in {@code directory}, made there first when there is none. */
  public static KeyPair loadOrCreate(Path directory) {
    Path privateFile = directory.resolve(PRIVATE_FILE);
    try {
      Files.createDirectories(directory);
      KeyPair keys;
      if (Files.exists(privateFile)) {
        keys = load(privateFile);
      } else {
        keys = Ed25519Keys.generate();
        writeOwnerOnly(privateFile, Ed25519Keys.toPem(keys.getPrivate()));
      }
      Path publicFile = directory.resolve(PUBLIC_FILE);
      String publicPem = Ed25519Keys.toPem(keys.getPublic());
      if (!Files.exists(publicFile) || !Files.readString(publicFile, StandardCharsets.US_ASCII).equals(publicPem)) {
        Path tmp = directory.resolve(PUBLIC_FILE + ".tmp");
        Files.writeString(tmp, publicPem, StandardCharsets.US_ASCII);
        Files.move(tmp, publicFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the agent key in " + directory + ": " + e.getMessage(), e);
    }
  }

  private static KeyPair load(Path privateFile) throws IOException {
    if (isPosix(privateFile) && !Files.getPosixFilePermissions(privateFile).equals(OWNER_ONLY)) {
      throw new IllegalStateException(privateFile + " must be readable by its owner only (chmod 600 " + privateFile
          + ")");
    }
    PrivateKey privateKey;
    try {
      privateKey = Ed25519Keys.privateKeyFromPem(Files.readString(privateFile, StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(privateFile + ": " + e.getMessage(), e);
    }
    return new KeyPair(publicOf(privateKey), privateKey);
  }

  /** The public half of an Ed25519 private key with its seed. */
  static PublicKey publicOf(PrivateKey privateKey) {
    if (!(privateKey instanceof EdECPrivateKey edec) || edec.getBytes().isEmpty()) {
      throw new IllegalStateException("not an Ed25519 private key with its seed");
    }
    byte[] raw = new Ed25519PrivateKeyParameters(edec.getBytes().get(), 0).generatePublicKey().getEncoded();
    byte[] der = new byte[X509_ED25519_PREFIX.length + raw.length];
    System.arraycopy(X509_ED25519_PREFIX, 0, der, 0, X509_ED25519_PREFIX.length);
    System.arraycopy(raw, 0, der, X509_ED25519_PREFIX.length, raw.length);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      if (isPosix(file.getParent())) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } else {
        Files.createFile(tmp);
      }
    } catch (FileAlreadyExistsException e) {
      throw new IOException("another process is creating " + file, e);
    }
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean isPosix(Path path) {
    return path != null && path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
