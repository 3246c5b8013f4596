-- Event-id collisions whose bytes differ from the stored event: the first event stays in the
-- chain, every distinct later one is kept here (once per distinct payload) and reported by
-- GET /api/v1/audit/verify and GET /api/v1/audit/conflicts. Identical redeliveries are not
-- conflicts and are not stored.
CREATE TABLE event_conflicts (
  event_id     TEXT   NOT NULL,
  payload_hash TEXT   NOT NULL,
  type         TEXT   NOT NULL,
  received_at  BIGINT NOT NULL,
  stored_seq   BIGINT,
  payload      TEXT   NOT NULL,
  PRIMARY KEY (event_id, payload_hash)
);
CREATE INDEX event_conflicts_received ON event_conflicts (received_at, event_id);
