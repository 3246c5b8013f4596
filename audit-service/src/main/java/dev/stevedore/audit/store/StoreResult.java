package dev.stevedore.audit.store;

/**
 * The effect of one batch: events newly stored, duplicates (identical bytes already stored)
 * ignored, and conflicts (an event id already stored with different bytes) kept aside in the
 * conflicts table. Conflicts are counted in neither of the other two.
 */
public record StoreResult(int stored, int duplicates, long headSeq, int conflicts) {

  public StoreResult(int stored, int duplicates, long headSeq) {
    this(stored, duplicates, headSeq, 0);
  }
}
