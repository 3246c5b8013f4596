package dev.stevedore.push;

import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.PushSignatures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Runs {@code deploy --service S --version V} on each host over SSH (Apache MINA SSHD; no
 * {@code ssh} process), in waves of {@link PushOptions#wave()} hosts, and stops after a wave in
 * which a host failed. Each host's lines are printed as they arrive, prefixed with the host. Host
 * keys are checked against the known_hosts file; an unknown host is refused unless
 * {@code --accept-new} (which then records it), a changed key always. The private key is read
 * once and never printed.
 */
public final class PushClient {
  private final PushOptions options;
  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  public PushClient(PushOptions options, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
    this.options = options;
    this.env = env;
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  /** Exit codes as the agent's one-shot deploy ({@code PushExit} in the agent, docs/push.md). */
  static final int SUCCEEDED = 0;
  static final int ERROR = 6;

  /** Pushes to every host; 0 only when every host succeeded. */
  public int run() {
    List<KeyPair> identity;
    PrivateKey signingKey;
    try {
      identity = identity();
      signingKey = signingKey();
    } catch (IllegalArgumentException e) {
      err.println("stevedore push: " + e.getMessage());
      return ERROR;
    }
    SshClient client = SshClient.setUpDefaultClient();
    client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    // only the key given: nothing from ~/.ssh, no agent, no password
    client.setKeyIdentityProvider(org.apache.sshd.common.keyprovider.KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.start();
    try {
      return inWaves(signingKey, (h, command) -> pushOne(client, h, identity, command));
    } finally {
      client.stop();
    }
  }

  /**
   * Runs {@code push} (host, command line) on every host, {@link PushOptions#wave()} at once, stops
   * after a wave in which a host failed, prints one summary line per host and returns the exit code.
   * Each wave's command is made, and signed, when that wave starts: the hosts check its time against
   * their {@code push.maxAge}, and the waves before it may have taken longer than that.
   */
  int inWaves(PrivateKey signingKey, BiFunction<HostTarget, String, Integer> push) {
    List<HostTarget> hosts = options.hosts();
    int[] codes = new int[hosts.size()];
    java.util.Arrays.fill(codes, -1);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.wave(), hosts.size()));
    try {
      for (int start = 0; start < hosts.size(); start += options.wave()) {
        int end = Math.min(hosts.size(), start + options.wave());
        String command = command(signingKey, clock.instant().getEpochSecond());
        List<Future<Integer>> wave = new ArrayList<>();
        for (int i = start; i < end; i++) {
          HostTarget h = hosts.get(i);
          wave.add(pool.submit(() -> push.apply(h, command)));
        }
        boolean failed = false;
        for (int i = start; i < end; i++) {
          try {
            codes[i] = wave.get(i - start).get();
          } catch (Exception e) {
            codes[i] = ERROR;
          }
          failed |= codes[i] != SUCCEEDED;
        }
        if (failed && end < hosts.size()) {
          err.println("stevedore push: a host failed in this wave; the remaining " + (hosts.size() - end)
              + " host(s) were not touched");
          break;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    int result = SUCCEEDED;
    for (int i = 0; i < hosts.size(); i++) {
      String what = codes[i] < 0 ? "not attempted" : codes[i] == SUCCEEDED ? "ok" : "failed (exit " + codes[i] + ")";
      out.println("[" + hosts.get(i).label() + "] " + what);
      if (result == SUCCEEDED && codes[i] != SUCCEEDED) {
        result = codes[i] < 0 ? ERROR : codes[i];
      }
    }
    out.flush();
    return result;
  }

  /** The command line the gate accepts, signed now when a signing key is given (also checks that key early). */
  String command() {
    return command(signingKey(), clock.instant().getEpochSecond());
  }

  /** The words joined by single spaces, every value already validated; with {@code key}, signed for time {@code at}. */
  String command(PrivateKey key, long at) {
    StringBuilder b = new StringBuilder("deploy --service ").append(options.service()).append(" --version ")
        .append(options.version());
    if (key != null) {
      b.append(" --at ").append(at).append(" --signature ")
          .append(PushSignatures.sign(key, options.service(), options.version(), at));
    }
    return b.toString();
  }

  /** The push signing key ({@code --signing-key}), or null without one. */
  private PrivateKey signingKey() {
    if (options.signingKey() == null) {
      return null;
    }
    try {
      return Ed25519Keys.privateKeyFromPem(Files.readString(options.signingKey()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read the signing key " + options.signingKey()
          + " (an Ed25519 private key in PKCS#8 PEM form is expected)");
    }
  }

  private int pushOne(SshClient client, HostTarget h, List<KeyPair> identity, String command) {
    String label = h.label();
    Verifier verifier = new Verifier(options.knownHosts(), options.acceptNew());
    try (LineSink stdout = new LineSink(label, out); LineSink stderr = new LineSink(label, err)) {
      ClientSession session;
      try {
        var connect = client.connect(h.user(), h.host(), h.port());
        session = connect.verify(options.connectTimeout()).getSession();
      } catch (IOException e) {
        err.println("[" + label + "] cannot connect: " + e.getMessage());
        return ERROR;
      }
      try (session) {
        session.setServerKeyVerifier(verifier);
        identity.forEach(session::addPublicKeyIdentity);
        try {
          session.auth().verify(options.connectTimeout());
        } catch (IOException e) {
          if (verifier.refusal != null) {
            err.println("[" + label + "] refused before anything ran: " + verifier.refusal);
          } else {
            err.println("[" + label + "] authentication failed: " + e.getMessage());
          }
          return ERROR;
        }
        try (ChannelExec channel = session.createExecChannel(command)) {
          channel.setOut(stdout);
          channel.setErr(stderr);
          channel.open().verify(options.connectTimeout());
          channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), 0L);
          channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 5_000L);
          Integer status = channel.getExitStatus();
          if (status == null) {
            err.println("[" + label + "] the connection ended without an exit status"
                + (channel.getExitSignal() == null ? "" : " (signal " + channel.getExitSignal() + ")"));
            return ERROR;
          }
          return status;
        }
      }
    } catch (IOException e) {
      err.println("[" + label + "] " + e.getMessage());
      return ERROR;
    }
  }

  /** known_hosts check that remembers why it refused, for a clear message. */
  static final class Verifier extends KnownHostsServerKeyVerifier {
    volatile String refusal;

    Verifier(Path knownHosts, boolean acceptNew) {
      super(acceptNew ? AcceptAllServerKeyVerifier.INSTANCE : RejectAllServerKeyVerifier.INSTANCE, knownHosts);
      setModifiedServerKeyAcceptor(null);
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
      boolean ok = super.acceptUnknownHostKey(session, remote, serverKey);
      if (!ok) {
        refusal = "host key " + KeyUtils.getFingerPrint(serverKey) + " of " + remote + " is not in " + getPath()
            + " (add it, or pass --accept-new to trust it on this first use)";
      }
      return ok;
    }

    @Override
    public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
        PublicKey expected, PublicKey actual) throws Exception {
      refusal = "host key of " + remote + " CHANGED: known_hosts has " + KeyUtils.getFingerPrint(expected)
          + ", the server offers " + KeyUtils.getFingerPrint(actual) + "; nothing was sent";
      return false;
    }
  }

  /** The private key: {@code --identity FILE}, or the variable (PEM text, or that text in base64). */
  private List<KeyPair> identity() {
    String passphrase = env.get("STEVEDORE_SSH_KEY_PASSPHRASE");
    FilePasswordProvider pp = passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase);
    String source;
    byte[] bytes;
    if (options.identity() != null) {
      source = options.identity().toString();
      try {
        bytes = Files.readAllBytes(options.identity());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the private key file " + source);
      }
    } else {
      source = "$" + PushOptions.KEY_VARIABLE;
      String text = env.get(PushOptions.KEY_VARIABLE).strip();
      if (!text.contains("-----BEGIN")) {
        try {
          text = new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(source + " holds neither a PEM private key nor one in base64");
        }
      }
      bytes = (text.strip() + "\n").getBytes(StandardCharsets.UTF_8);
    }
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(source), in, pp);
      List<KeyPair> list = new ArrayList<>();
      if (pairs != null) {
        pairs.forEach(list::add);
      }
      if (list.isEmpty()) {
        throw new IllegalArgumentException("no private key in " + source);
      }
      return list;
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      // the key's text is never part of the message
      throw new IllegalArgumentException("cannot read the private key in " + source + " ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
