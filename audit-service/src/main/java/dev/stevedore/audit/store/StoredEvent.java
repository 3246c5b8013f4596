package dev.stevedore.audit.store;

import dev.stevedore.common.event.StevedoreEvent;

/**
 * A decoded event and its canonical bytes (what the hash chain covers), ready to store;
 * {@code unverified} says why an agent event's signature did not verify (null: verified or not
 * checked). An unverified event is stored and chained, and left out of the projections.
 */
public record StoredEvent(StevedoreEvent event, byte[] canonical, String unverified) {
  public StoredEvent(StevedoreEvent event, byte[] canonical) {
    this(event, canonical, null);
  }
}
