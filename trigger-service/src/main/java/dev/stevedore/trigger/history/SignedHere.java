package dev.stevedore.trigger.history;

import dev.stevedore.common.event.DeployRequested;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deploy requests this process signed and published, remembered until the history reads them
 * back from the requests topic (bounded: the oldest are forgotten first). A request read back that
 * is equal, field by field and signature included, to one signed here is the very request this
 * process signed: verifying its signature again proves nothing new. Anything else (another
 * instance's request, a record written by someone else with a copied signature and changed fields,
 * one forgotten because the history lagged) is verified as before.
 *
 * <p>Why: verifying every request it had just published was about a quarter of the trigger's CPU
 * per accepted webhook (issue #14, JFR profile in docs/benchmarks.md).
 */
public final class SignedHere {
  private final Map<String, DeployRequested> bySignature;

  /** @param capacity how many unread requests to remember (each about 1 kB) */
  public SignedHere(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.bySignature = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, DeployRequested> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Remembers a signed request about to be published (unsigned ones are ignored). */
  public void remember(DeployRequested request) {
    if (request.signature() != null) {
      synchronized (bySignature) {
        bySignature.put(request.signature(), request);
      }
    }
  }

  /**
   * Whether {@code read} is exactly a request signed here; forgets it either way (each published
   * request is read back once per start).
   */
  public boolean vouches(DeployRequested read) {
    if (read.signature() == null) {
      return false;
    }
    DeployRequested mine;
    synchronized (bySignature) {
      mine = bySignature.remove(read.signature());
    }
    return mine != null && mine.equals(read);
  }

  /** How many are remembered (for tests and metrics). */
  public int size() {
    synchronized (bySignature) {
      return bySignature.size();
    }
  }
}
