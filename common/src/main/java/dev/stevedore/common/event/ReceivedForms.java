package dev.stevedore.common.event;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

/**
 * What the codec read beside a decoded event record and the record cannot hold: the CloudEvents
 * extension attributes and, when the document carried {@code data} fields this version does not
 * know (a newer writer's additions), the canonical form of what was signed. Keyed by the identity
 * of the decoded record and held weakly, so an entry lives as long as its record.
 */
final class ReceivedForms {
  /** @param signedForm the canonical unsigned form as received; {@code null}: the record's own is the same */
  record Received(Map<String, Object> extensions, byte[] signedForm) {}

  private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
  private static final Map<Key, Received> FORMS = new HashMap<>();

  private ReceivedForms() {}

  static synchronized void put(StevedoreEvent event, Received received) {
    expunge();
    FORMS.put(new Key(event, QUEUE), received);
  }

  static synchronized Received get(StevedoreEvent event) {
    expunge();
    return FORMS.get(new Key(event, null));
  }

  static synchronized int size() {
    expunge();
    return FORMS.size();
  }

  private static void expunge() {
    for (Object stale; (stale = QUEUE.poll()) != null; ) {
      FORMS.remove((Key) stale);
    }
  }

  /** A weak reference equal only to references to the same object. */
  private static final class Key extends WeakReference<Object> {
    private final int hash;

    Key(Object referent, ReferenceQueue<Object> queue) {
      super(referent, queue);
      this.hash = System.identityHashCode(referent);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (this == other) {
        return true;
      }
      Object mine = get();
      return other instanceof Key k && mine != null && mine == k.get();
    }
  }
}
