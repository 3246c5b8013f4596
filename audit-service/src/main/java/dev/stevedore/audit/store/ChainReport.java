package dev.stevedore.audit.store;

/**
 * What a walk of the hash chain found: {@code checked} rows verified in order; when
 * {@code ok} is false, {@code brokenAtSeq}/{@code brokenEventId} name the first broken link and
 * {@code reason} says what is wrong with it. {@code conflicts} counts the events that arrived
 * under an already stored event id with different bytes (kept outside the chain, listed by
 * {@code GET /api/v1/audit/conflicts}); the chain itself can be intact while conflicts exist.
 */
public record ChainReport(boolean ok, long checked, long headSeq, String headHash,
                          Long brokenAtSeq, String brokenEventId, String reason, long conflicts) {

  public static ChainReport intact(long checked, long headSeq, String headHash) {
    return new ChainReport(true, checked, headSeq, headHash, null, null, null, 0);
  }

  public static ChainReport broken(long checked, long headSeq, String headHash, long seq, String eventId, String reason) {
    return new ChainReport(false, checked, headSeq, headHash, seq, eventId, reason, 0);
  }

  public ChainReport withConflicts(long count) {
    return new ChainReport(ok, checked, headSeq, headHash, brokenAtSeq, brokenEventId, reason, count);
  }
}
