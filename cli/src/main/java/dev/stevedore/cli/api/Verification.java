package dev.stevedore.cli.api;

/** {@code GET /api/v1/audit/verify}. */
public record Verification(boolean ok, long checked, Long headSeq, String headHash, Long brokenAtSeq,
    String brokenEventId, String reason, long conflicts, long unverified) {}
