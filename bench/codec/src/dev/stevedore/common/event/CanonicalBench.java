package dev.stevedore.common.event;

import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The canonical form in one pass against the older path, A B A B: time per event over every sample
 * event type (the envelope tree is built in both, so the difference is the writing), and the whole
 * sign (canonical form + Ed25519) and encode of a deploy request. Checks on the way that both give
 * the same bytes.
 */
public final class CanonicalBench {
  private CanonicalBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = 6;
    double seconds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    EventCodec codec = new EventCodec();
    List<StevedoreEvent> events = SampleEvents.all();
    for (StevedoreEvent e : events) {
      if (!java.util.Arrays.equals(older(codec, e), codec.canonicalBytes(e))) {
        throw new IllegalStateException("the two paths differ for " + e.type());
      }
    }
    RequestSigner signer = new RequestSigner(Ed25519Keys.generate(), codec);
    DeployRequested request = SampleEvents.requested();
    System.out.printf(Locale.ROOT, "%d sample events (every type); %d rounds of %.1f s per subject, A B A B%n",
        events.size(), rounds, seconds);
    double[][] perEvent = new double[2][rounds / 2 + 1];
    for (int r = 0; r < rounds; r++) {
      boolean onePass = r % 2 == 1;
      long n = 0;
      long t0 = System.nanoTime();
      long end = t0 + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        for (StevedoreEvent e : events) {
          if (onePass) {
            codec.canonicalBytes(e);
          } else {
            older(codec, e);
          }
          n++;
        }
      }
      double us = (System.nanoTime() - t0) / 1e3 / n;
      perEvent[onePass ? 1 : 0][r / 2] = us;
      System.out.printf(Locale.ROOT, "  round %d %-26s %7.2f us per event%n", r + 1,
          onePass ? "one pass (now)" : "tree -> maps -> bytes", us);
    }
    // The whole of what the trigger does per request after building it: sign (canonical form + Ed25519), encode.
    long n = 0;
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < (long) (seconds * 1e9)) {
      codec.encode(signer.sign(request));
      n++;
    }
    double signEncode = (System.nanoTime() - t0) / 1e3 / n;
    double older = median(perEvent[0], rounds - rounds / 2);
    double now = median(perEvent[1], rounds / 2);
    System.out.printf(Locale.ROOT, "RESULT canonical form per event: one pass %.2f us, older path %.2f us (median of "
        + "rounds, after the first): x%.2f; sign + encode of a request (now) %.1f us%n", now, older, now / older,
        signEncode);
  }

  private static byte[] older(EventCodec codec, StevedoreEvent e) throws IOException {
    return EventCodec.sortedThroughMaps(EventCodec.canonicalMapper(), codec.canonicalTree(e));
  }

  /** Median of the first {@code count} values, the first round left out when there are more (JIT warm-up). */
  private static double median(double[] values, int count) {
    double[] v = java.util.Arrays.copyOfRange(values, count > 1 ? 1 : 0, count);
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
