#!/usr/bin/env bash
# Builds, locally and without any container registry, the extra base images the root
# docker-compose.yml needs in CI (the service images themselves come from `docker-compose build`):
#   stevedore/postgres:15     Debian's postgresql-15 on the stevedore/jre:17 Debian base (JRE removed), with an
#                             entrypoint compatible with the official postgres image
#                             (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, initdb on first start)
#   stevedore/agent-base:17   stevedore/jre:17 + the docker CLI (client binary of Debian's docker.io)
#                             + docker-compose 1.29 (Debian), the base of the agent's image
# Recipes: deploy/images/<name>/install.sh, run in a chroot of the stevedore/jre:17 file system
# (from build-images.sh's rootfs cache when it matches, else `docker export`), `docker import`ed;
# deploy/images/<name>/Dockerfile (no RUN step) then adds the image settings.
# Needs stevedore/jre:17 (scripts/build-images.sh jre), root, and the Debian mirror. Each image carries a label
# stevedore.build-hash of its inputs and is skipped when up to date; FORCE=1 rebuilds.
# Usage: build-compose-images.sh [postgres|agent-base ...]   (default: both)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NAME=build-compose-images
# shellcheck source=lib/image-build.sh
. "$HERE/lib/image-build.sh"
RECIPES=$ROOT/deploy/images

JRE_IMAGE=${JRE_IMAGE:-stevedore/jre:17}
PG_MAJOR=${PG_MAJOR:-15}
POSTGRES_IMAGE=stevedore/postgres:$PG_MAJOR
AGENT_BASE_IMAGE=stevedore/agent-base:17


# ---- a root file system from stevedore/jre:17, changed in a chroot, imported as an image -------
# (A Dockerfile RUN step cannot reach the Debian mirror here: the engine gives containers the DNS
# server 127.0.0.1. The chroot uses this host's network and resolver, like build-images.sh.)


unpack_jre_rootfs() {  # unpack_jre_rootfs DIR: the JRE image's files, from build-images.sh's cache when it matches
  local dir=$1 jre_hash tarball cid
  jre_hash=$(image_hash "$JRE_IMAGE")
  tarball=$(ls -t "$CACHE"/jre-17-*-"$jre_hash".tar 2>/dev/null | head -n 1 || true)
  mkdir -p "$dir"
  if [[ -n $jre_hash && -s $tarball ]]; then
    log "unpacking the cached JRE rootfs $tarball"
    tar --numeric-owner -C "$dir" -xf "$tarball"
  else
    log "exporting the file system of $JRE_IMAGE"
    cid=$("$DOCKER" create "$JRE_IMAGE" /bin/true)
    "$DOCKER" export "$cid" | tar --numeric-owner -C "$dir" -x
    "$DOCKER" rm -f "$cid" >/dev/null
  fi
  mkdir -p "$dir"/{proc,sys,dev,tmp}
  # The device nodes apt and maintainer scripts need (the tarball has an empty /dev; the engine
  # provides /dev at run time, and ./dev/* is left out of the image).
  local spec
  for spec in "null 3" "zero 5" "full 7" "random 8" "urandom 9"; do
    set -- $spec
    [[ -e $dir/dev/$1 ]] || mknod -m 0666 "$dir/dev/$1" c 1 "$2"
  done
}

build_image() {  # build_image NAME TAG [VAR=VALUE...]: variables for install.sh, also build arguments
  local name=$1 tag=$2; shift 2
  local -a vars=("$@") bargs=()
  local ctx=$RECIPES/$name base_id h v rootfs_tag
  base_id=$(image_id "$JRE_IMAGE")
  [[ -n $base_id ]] || die "$JRE_IMAGE missing: run scripts/build-images.sh jre"
  h=$(hash_of "$name-recipe-2" "$base_id" "${vars[@]}" "$ctx"/*)
  if [[ $FORCE != 1 && $(image_hash "$tag") == "$h" ]]; then
    log "$tag is up to date"
    return
  fi

  ROOTFS=$CACHE/work/compose-$name-rootfs
  cleanup_rootfs
  ROOTFS=$CACHE/work/compose-$name-rootfs
  unpack_jre_rootfs "$ROOTFS"
  mkdir -p "$ROOTFS/tmp/recipe"
  cp "$ctx"/* "$ROOTFS/tmp/recipe/"
  printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
  cat /etc/resolv.conf > "$ROOTFS/etc/resolv.conf"
  mount -t proc proc "$ROOTFS/proc"
  log "running deploy/images/$name/install.sh in a chroot (log: $LOGS/compose-$name.log)"
  run_logged "compose-$name" chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root "${vars[@]}" /bin/bash /tmp/recipe/install.sh
  umount -l "$ROOTFS/proc"
  rm -f "$ROOTFS/usr/sbin/policy-rc.d"
  : > "$ROOTFS/etc/resolv.conf"
  rm -rf "$ROOTFS"/tmp/recipe "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
         "$ROOTFS"/var/log/*.log "$ROOTFS"/root/.cache

  # The tree becomes an intermediate image; deploy/images/NAME/Dockerfile (no RUN step) adds the
  # image settings (docker import --change knows no STOPSIGNAL).
  rootfs_tag=stevedore/$name-rootfs:$h
  tar --numeric-owner -C "$ROOTFS" --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -c . \
    | "$DOCKER" import - "$rootfs_tag" >/dev/null
  cleanup_rootfs
  for v in "${vars[@]}"; do bargs+=(--build-arg "$v"); done
  run_logged "compose-$name-settings" "$DOCKER" build --pull=false --build-arg ROOTFS_IMAGE="$rootfs_tag" \
    --build-arg BUILD_HASH="$h" "${bargs[@]}" -t "$tag" "$ctx"
  "$DOCKER" rmi "$rootfs_tag" >/dev/null   # only the tag: the layers belong to $tag now
  log "built $tag ($(( $("$DOCKER" image inspect -f '{{.Size}}' "$tag") / 1000000 )) MB)"
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(postgres agent-base)
for t in "${targets[@]}"; do
  start=$SECONDS
  case "$t" in
    postgres) build_image postgres "$POSTGRES_IMAGE" "PG_MAJOR=$PG_MAJOR" ;;
    agent-base)
      java_home=$("$DOCKER" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$JRE_IMAGE" | sed -n 's/^JAVA_HOME=//p')
      build_image agent-base "$AGENT_BASE_IMAGE" "JAVA_HOME=${java_home:-/usr/lib/jvm/java-17-openjdk-amd64}" ;;
    *) die "unknown target '$t' (postgres, agent-base)" ;;
  esac
  log "$t: $(( SECONDS - start )) s"
done
