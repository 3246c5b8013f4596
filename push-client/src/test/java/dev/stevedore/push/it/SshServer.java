package dev.stevedore.push.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.awaitility.Awaitility;

/**
 * A real OpenSSH server (Debian's {@code openssh-server}) for the push tests: its own config, host
 * key and authorized_keys in a folder of the test's, on 127.0.0.1 and a free port, in the
 * foreground ({@code sshd -D -e}) with its log in {@code sshd.log}. Runs as the test's user (root
 * in CI: sshd needs it to switch users and it is what CI runs as).
 */
final class SshServer implements AutoCloseable {
  static final Path SSHD = Path.of("/usr/sbin/sshd");

  final Path dir;
  final int port;
  final Path hostKey;
  final Path authorizedKeys;
  final Path log;
  private Process process;

  SshServer(Path dir, int port) throws Exception {
    this.dir = dir;
    this.port = port;
    this.hostKey = dir.resolve("ssh_host_ed25519_key");
    this.authorizedKeys = dir.resolve("authorized_keys");
    this.log = dir.resolve("sshd.log");
    keygen(hostKey, "ed25519");
    Files.writeString(authorizedKeys, "");
  }

  static boolean available() {
    return Files.isExecutable(SSHD) && "root".equals(System.getProperty("user.name"));
  }

  /** {@code ssh-keygen -t TYPE -N '' -f FILE} (the private key in OpenSSH form, FILE.pub beside it). */
  static void keygen(Path file, String type) throws Exception {
    Files.deleteIfExists(file);
    Files.deleteIfExists(Path.of(file + ".pub"));
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "push-it", "-f", file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("ssh-keygen failed: " + out);
    }
  }

  /** The known_hosts line for this server, as OpenSSH writes it for a port other than 22. */
  String knownHostsLine() throws IOException {
    String[] pub = Files.readString(Path.of(hostKey + ".pub")).trim().split(" ");
    return "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n";
  }

  void start() throws Exception {
    Files.createDirectories(Path.of("/run/sshd"));
    Path config = dir.resolve("sshd_config");
    Files.writeString(config, String.join("\n", List.of(
        "Port " + port,
        "ListenAddress 127.0.0.1",
        "HostKey " + hostKey,
        "PidFile " + dir.resolve("sshd.pid"),
        "AuthorizedKeysFile " + authorizedKeys,
        "StrictModes no",
        "UsePAM no",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        // forwarding is allowed by the server: only the key's `restrict` keeps CI from it
        "AllowTcpForwarding yes",
        "PermitTunnel no",
        "LogLevel VERBOSE",
        "")));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("sshd exited: " + Files.readString(log));
      }
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** What a command run over SSH ended with. */
  record Exec(int code, String out, String err) {}

  /**
   * Runs {@code command} as root with the private key {@code key} through the MINA client directly
   * (no host key check: the tests that use it are about what the key may do, not about the host).
   */
  Exec exec(Path key, String command) throws Exception {
    try (SshClient client = SshClient.setUpDefaultClient()) {
      client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
      client.start();
      try (ClientSession session = client.connect("root", "127.0.0.1", port).verify(Duration.ofSeconds(90))
          .getSession()) {
        try (var in = Files.newInputStream(key)) {
          SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("ci"), in, null)
              .forEach(session::addPublicKeyIdentity);
        }
        session.auth().verify(Duration.ofSeconds(90));
        try (ChannelExec ch = session.createExecChannel(command)) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          ByteArrayOutputStream err = new ByteArrayOutputStream();
          ch.setOut(out);
          ch.setErr(err);
          ch.open().verify(Duration.ofSeconds(90));
          ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(90));
          return new Exec(ch.getExitStatus() == null ? -1 : ch.getExitStatus(), out.toString(StandardCharsets.UTF_8),
              err.toString(StandardCharsets.UTF_8));
        }
      }
    }
  }

  String logText() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
