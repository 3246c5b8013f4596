#!/bin/bash
# Runs inside the chroot of a copy of the stevedore/jre:17 root file system (Debian bookworm
# minbase) to make stevedore/postgres:<major>; called by scripts/build-compose-images.sh, which
# then imports the tree with the image settings listed there (entrypoint, PGDATA, STOPSIGNAL...).
set -euxo pipefail
PG_MAJOR=${PG_MAJOR:?}
# No cluster from the package's post-install script: the entrypoint runs initdb itself.
mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/stevedore.conf
apt-get update -q
apt-get install -y -q --no-install-recommends "postgresql-$PG_MAJOR"
# The base's JRE is of no use here.
apt-get purge -y -q 'openjdk-*' || true
apt-get autoremove -y -q --purge
apt-get clean
mkdir -p /var/run/postgresql /var/lib/postgresql/data /docker-entrypoint-initdb.d
chown -R postgres:postgres /var/run/postgresql /var/lib/postgresql
chmod 2777 /var/run/postgresql
chmod 700 /var/lib/postgresql/data
install -m 0755 /tmp/recipe/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
"/usr/lib/postgresql/$PG_MAJOR/bin/postgres" --version
