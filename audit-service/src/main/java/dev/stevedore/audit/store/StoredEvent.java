package dev.stevedore.audit.store;

import dev.stevedore.common.event.StevedoreEvent;

/** A decoded event and its canonical bytes (what the hash chain covers), ready to store. */
public record StoredEvent(StevedoreEvent event, byte[] canonical) {}
