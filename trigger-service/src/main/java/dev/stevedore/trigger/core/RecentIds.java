package dev.stevedore.trigger.core;

import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded, thread-safe memory of deployment ids (least recently seen dropped first). */
public final class RecentIds {
  private final Map<String, Boolean> ids;

  public RecentIds(int capacity) {
    this.ids = new LinkedHashMap<>(1024, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  public synchronized boolean contains(String id) {
    return ids.get(id) != null;
  }

  public synchronized void add(String id) {
    ids.put(id, Boolean.TRUE);
  }

  public synchronized void remove(String id) {
    ids.remove(id);
  }
}
