package dev.stevedore.audit.store;

/** The effect of one batch: events newly stored, and duplicates (already stored) ignored. */
public record StoreResult(int stored, int duplicates, long headSeq) {}
