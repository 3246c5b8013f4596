-- Pages of one host's deployments: the request time is copied onto each host row so that a
-- host-filtered page is one range scan of (host, requested_at, deployment_id), whatever the
-- fleet's size, instead of a walk over every deployment probing the host's rows.
ALTER TABLE deployment_hosts ADD COLUMN requested_at BIGINT;
UPDATE deployment_hosts SET requested_at =
  (SELECT d.requested_at FROM deployments d WHERE d.id = deployment_hosts.deployment_id);
CREATE INDEX deployment_hosts_host_time ON deployment_hosts (host, requested_at, deployment_id);
DROP INDEX deployment_hosts_host;
