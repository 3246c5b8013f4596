-- Agent events whose signature did not verify against the trusted agent keys (unsigned, unknown
-- key, another host's key, bad signature): stored and chained like any event, with the reason
-- here, and left out of the projections (deployments, steps, inventory). NULL: verified, or not
-- checked (no trusted agent keys configured, or a request, which agents do not sign).
ALTER TABLE events ADD COLUMN unverified TEXT;
