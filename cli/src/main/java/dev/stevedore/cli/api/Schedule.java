package dev.stevedore.cli.api;

/** A held deployment on the trigger ({@code GET /api/v1/schedules[/{id}]}). */
public record Schedule(String id, String service, String environment, String version, String notBefore,
    String reason, String requestedBy, String createdAt, String state, String changedAt, String changedBy) {}
