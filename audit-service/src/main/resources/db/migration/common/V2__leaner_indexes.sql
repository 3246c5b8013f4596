-- Fewer random-key indexes on the ingest path (measured in bench/audit):
-- the export walks events by seq, so events_time is not needed; steps are keyed by their
-- deployment and host (their event id is unique in events already).
DROP INDEX events_time;

CREATE TABLE deployment_steps_v2 (
  deployment_id TEXT    NOT NULL,
  host          TEXT    NOT NULL,
  seq           BIGINT  NOT NULL,
  event_id      TEXT    NOT NULL,
  step          TEXT    NOT NULL,
  ok            INTEGER NOT NULL,
  duration_ms   BIGINT  NOT NULL,
  exit_code     INTEGER,
  output_tail   TEXT,
  step_time     BIGINT  NOT NULL,
  PRIMARY KEY (deployment_id, host, seq)
);
INSERT INTO deployment_steps_v2 (deployment_id, host, seq, event_id, step, ok, duration_ms, exit_code, output_tail, step_time)
  SELECT deployment_id, host, seq, event_id, step, ok, duration_ms, exit_code, output_tail, step_time FROM deployment_steps;
DROP TABLE deployment_steps;
ALTER TABLE deployment_steps_v2 RENAME TO deployment_steps;
