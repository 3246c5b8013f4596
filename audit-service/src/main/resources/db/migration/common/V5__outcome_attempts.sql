-- Outcome events carry how many attempts a deployment took on a host and how long it waited
-- between them (an outage, a restart of the agent). Both stay NULL for outcomes that do not
-- say (skipped ones, events of older agents).
ALTER TABLE deployment_hosts ADD COLUMN attempts INTEGER;
ALTER TABLE deployment_hosts ADD COLUMN waited_ms BIGINT;
