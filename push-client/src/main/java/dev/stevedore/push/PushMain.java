package dev.stevedore.push;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * {@code stevedore push ...} (see {@link PushOptions}, docs/push.md). {@link #run} is what the
 * {@code stevedore} command line calls; {@link #main} exits with its code.
 */
public final class PushMain {
  private PushMain() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /** Returns the exit code: 0 only when every host succeeded, 2 for a usage error. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    PushOptions options;
    try {
      options = PushOptions.parse(args, env);
    } catch (IllegalArgumentException e) {
      err.println("stevedore push: " + e.getMessage());
      err.println(PushOptions.USAGE);
      return 2;
    }
    PushClient client = new PushClient(options, env, out, err, Clock.systemUTC());
    try {
      client.command();
    } catch (IllegalArgumentException e) {
      err.println("stevedore push: " + e.getMessage());
      return 2;
    }
    return client.run();
  }
}
