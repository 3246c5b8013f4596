package dev.stevedore.audit.store;

/**
 * What a walk of the hash chain found: {@code checked} rows verified in order; when
 * {@code ok} is false, {@code brokenAtSeq}/{@code brokenEventId} name the first broken link and
 * {@code reason} says what is wrong with it. {@code conflicts} counts the events that arrived
 * under an already stored event id with different bytes (kept outside the chain, listed by
 * {@code GET /api/v1/audit/conflicts}); the chain itself can be intact while conflicts exist.
 * {@code unverified} counts stored agent events whose signature did not verify against the
 * trusted agent keys ({@code GET /api/v1/audit/unverified}): chained, but not believed.
 */
public record ChainReport(boolean ok, long checked, long headSeq, String headHash,
                          Long brokenAtSeq, String brokenEventId, String reason, long conflicts, long unverified) {

  public static ChainReport intact(long checked, long headSeq, String headHash) {
    return new ChainReport(true, checked, headSeq, headHash, null, null, null, 0, 0);
  }

  public static ChainReport broken(long checked, long headSeq, String headHash, long seq, String eventId, String reason) {
    return new ChainReport(false, checked, headSeq, headHash, seq, eventId, reason, 0, 0);
  }

  /** This report with the counts of conflicts and of stored events whose agent signature did not verify. */
  public ChainReport withFindings(long conflictCount, long unverifiedCount) {
    return new ChainReport(ok, checked, headSeq, headHash, brokenAtSeq, brokenEventId, reason, conflictCount,
        unverifiedCount);
  }
}
