package dev.stevedore.trigger.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed authentications per client address, counted in fixed one-minute windows. An address that
 * used its budget is refused before its next request is read or verified, so an unauthenticated
 * flood costs neither CPU for HMACs nor the rate of authenticated sources. IPv6 addresses count per
 * /64 (one host can use a whole /64). Bounded: the least recently seen addresses are forgotten.
 * Shared by every HTTP verticle instance (synchronised; held for a map lookup).
 */
final class FailureBudget {
  static final long WINDOW_MS = 60_000;
  private static final int MAX_ADDRESSES = 100_000;

  private static final class Window {
    long start;
    int failures;
  }

  private final int perWindow;
  private final LongSupplier clockMs;
  private final Map<String, Window> byAddress = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
      return size() > MAX_ADDRESSES;
    }
  };

  /** @param perWindow failed attempts an address may make per minute */
  FailureBudget(int perWindow, LongSupplier clockMs) {
    this.perWindow = perWindow;
    this.clockMs = clockMs;
  }

  /** True while {@code address} has failures left in the current window (nothing is counted). */
  synchronized boolean allows(String address) {
    Window w = byAddress.get(key(address));
    return w == null || expired(w) || w.failures < perWindow;
  }

  /** Counts one failed attempt of {@code address}. */
  synchronized void fail(String address) {
    Window w = byAddress.computeIfAbsent(key(address), k -> new Window());
    if (expired(w)) {
      w.start = clockMs.getAsLong();
      w.failures = 0;
    }
    w.failures++;
  }

  /** Whole seconds until the window of {@code address} ends (at least 1). */
  synchronized int retryAfterSeconds(String address) {
    Window w = byAddress.get(key(address));
    long left = w == null ? 0 : w.start + WINDOW_MS - clockMs.getAsLong();
    return (int) Math.max(1, (left + 999) / 1000);
  }

  private boolean expired(Window w) {
    return w.failures == 0 || clockMs.getAsLong() - w.start >= WINDOW_MS;
  }

  /** The address itself; for IPv6 its /64 prefix. */
  static String key(String address) {
    if (address == null) {
      return "unknown";
    }
    if (address.indexOf(':') < 0) {
      return address;
    }
    try {
      InetAddress parsed = InetAddress.getByName(address); // a literal: no lookup
      if (parsed instanceof Inet6Address) {
        byte[] b = parsed.getAddress();
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
          prefix.append(String.format("%02x%02x:", b[i], b[i + 1]));
        }
        return prefix.append(":/64").toString();
      }
      return parsed.getHostAddress();
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
