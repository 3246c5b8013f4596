# Shared by scripts/build-images.sh and scripts/build-compose-images.sh (sourced, not run).
# Before sourcing, set NAME (the log prefix) and ROOT (the repository root).
# Builds use /usr/bin/docker (the 20.10 client, which builds without buildx). Each image carries a
# label stevedore.build-hash of its inputs; FORCE=1 rebuilds what is up to date.

log() { printf '[%s] %s\n' "$NAME" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$NAME" "$*" >&2; exit 1; }

DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=0
CACHE=${STEVEDORE_CACHE:-/var/cache/stevedore}
LOGS=$CACHE/logs
FORCE=${FORCE:-0}

mkdir -p "$CACHE" "$LOGS"
[[ -x $DOCKER ]] || die "$DOCKER missing: run scripts/install-deps.sh"
"$DOCKER" info >/dev/null 2>&1 || die "docker API not answering: run scripts/start-docker.sh"

hash_of() {  # hash_of STRING... FILE... : short hash of strings and file contents
  local item
  for item in "$@"; do
    if [[ -f $item ]]; then printf '%s\n' "${item#"$ROOT"/}"; cat "$item"; else printf '%s\n' "$item"; fi
  done | sha256sum | cut -c1-16
}

image_hash() { "$DOCKER" image inspect -f '{{ index .Config.Labels "stevedore.build-hash" }}' "$1" 2>/dev/null || true; }
image_id() { "$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

run_logged() {  # run_logged NAME CMD... : output to a log file, shown when the command fails
  local name=$1; shift
  local logfile=$LOGS/$name.log
  if ! "$@" >"$logfile" 2>&1; then
    printf '[%s] %s failed; last lines of %s:\n' "$NAME" "$name" "$logfile" >&2
    tail -n 40 "$logfile" >&2
    return 1
  fi
}

# A root file system being changed in a chroot: unmounted and removed on exit, whatever happens.
ROOTFS=
cleanup_rootfs() {
  if [[ -n $ROOTFS && -d $ROOTFS ]]; then
    local m
    for m in proc sys dev/pts dev; do
      mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m"
    done
    # Never remove anything while a mount is still below the folder.
    if ! grep -q " $ROOTFS/" /proc/mounts; then rm -rf "$ROOTFS"; fi
  fi
  ROOTFS=
}
trap cleanup_rootfs EXIT
