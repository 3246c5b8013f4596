package dev.stevedore.audit.store;

/**
 * What a walk of the hash chain found: {@code checked} rows verified in order; when
 * {@code ok} is false, {@code brokenAtSeq}/{@code brokenEventId} name the first broken link and
 * {@code reason} says what is wrong with it.
 */
public record ChainReport(boolean ok, long checked, long headSeq, String headHash,
                          Long brokenAtSeq, String brokenEventId, String reason) {

  public static ChainReport intact(long checked, long headSeq, String headHash) {
    return new ChainReport(true, checked, headSeq, headHash, null, null, null);
  }

  public static ChainReport broken(long checked, long headSeq, String headHash, long seq, String eventId, String reason) {
    return new ChainReport(false, checked, headSeq, headHash, seq, eventId, reason);
  }
}
