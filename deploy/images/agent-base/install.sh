#!/bin/bash
# Runs inside the chroot of a copy of the stevedore/jre:17 root file system to make
# stevedore/agent-base:17: the JRE plus the docker CLI and docker-compose 1.29 (v1), which the
# deploy agent runs (argument lists, no shell) against the host's engine through the mounted
# socket. Only the client binary of Debian's docker.io package is kept: no engine, containerd or
# runc. Called by scripts/build-compose-images.sh.
set -euxo pipefail
apt-get update -q
apt-get install -y -q --no-install-recommends docker-compose ca-certificates
tmp=$(mktemp -d)
cd "$tmp"
apt-get download docker.io
dpkg-deb -x docker.io_*.deb x
install -m 0755 x/usr/bin/docker /usr/local/bin/docker
cd /
rm -rf "$tmp"
apt-get clean
/usr/local/bin/docker --version
docker-compose version
