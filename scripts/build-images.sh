#!/usr/bin/env bash
# Builds the test images locally (no registry on the internet is used):
#   stevedore/jre:17               debootstrap'ed Debian (minbase) + openjdk-17-jre-headless
#   stevedore/kafka:<version>      the JRE + Apache Kafka's jars, apache/kafka-compatible start script
#   stevedore/busybox:latest       static busybox with its applet links
#   <registry>/stevedore-demo:{v1,v2,v3,v4,broken}   demo service, pushed to the local registry
# Each image carries a label stevedore.build-hash of its inputs and is skipped when up to date.
# Usage: build-images.sh [jre|kafka|busybox|demo ...]   (default: all). FORCE=1 rebuilds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NAME=build-images
# shellcheck source=lib/image-build.sh
. "$HERE/lib/image-build.sh"
REGISTRY=${STEVEDORE_REGISTRY:-127.0.0.1:5000}
SUITE=${STEVEDORE_DEBIAN_SUITE:-bookworm}

KAFKA_VERSION=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.broker.version>\(.*\)</kafka.broker.version>.*:\1:p' "$ROOT/pom.xml" | head -1)}
[[ -n $KAFKA_VERSION ]] || die "kafka.broker.version not found in $ROOT/pom.xml"

JRE_IMAGE=stevedore/jre:17
JRE_PACKAGES=(openjdk-17-jre-headless)
KAFKA_IMAGE=stevedore/kafka:$KAFKA_VERSION
BUSYBOX_IMAGE=stevedore/busybox:latest
DEMO_REPO=$REGISTRY/stevedore-demo
DEMO_VERSIONS=(v1 v2 v3 v4 broken)

# ---- helpers ------------------------------------------------------------------------------------

drop_replaced() {  # drop_replaced OLD_ID IMAGE : remove the image a rebuild replaced, unless in use
  local old=$1 image=$2
  if [[ -n $old && $old != "$(image_id "$image")" ]]; then
    "$DOCKER" rmi "$old" >/dev/null 2>&1 || true
  fi
}

up_to_date() {  # up_to_date IMAGE HASH
  [[ $FORCE != 1 && $(image_hash "$1") == "$2" ]]
}


# URI of the first enabled Debian source (deb) for SUITE in this host's APT configuration.
apt_uri_for_suite() {
  local suite=$1 f
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f ]] || continue
      awk -v suite="$suite" '
        function flush() {
          if (!found && index(" " types " ", " deb ") && enabled != "no" &&
              index(" " suites " ", " " suite " ") && uri != "") { print uri; found = 1 }
          types = ""; suites = ""; uri = ""; enabled = ""
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        tolower($1) == "types:"   { $1 = ""; types = $0 }
        tolower($1) == "uris:"    { uri = $2 }
        tolower($1) == "suites:"  { $1 = ""; suites = $0 }
        tolower($1) == "enabled:" { enabled = tolower($2) }
        END { flush() }
      ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2 }'
    done
  } | head -n 1
}

# ---- stevedore/jre:17 ---------------------------------------------------------------------------


source_entry() {  # source_entry URI SUITES : one deb822 paragraph
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' "$1" "$2"
}

build_jre_rootfs() {  # build_jre_rootfs TARBALL
  local tarball=$1 mirror security updates
  mirror=$(apt_uri_for_suite "$SUITE")
  [[ -n $mirror ]] || die "no APT source for suite '$SUITE' in /etc/apt/sources.list(.d)"
  [[ $mirror =~ ^(https?|file):// ]] || die "APT source '$mirror' is not usable by debootstrap"
  updates=$(apt_uri_for_suite "$SUITE-updates")
  security=$(apt_uri_for_suite "$SUITE-security")

  ROOTFS=$CACHE/work/jre-rootfs
  cleanup_rootfs
  ROOTFS=$CACHE/work/jre-rootfs
  mkdir -p "$CACHE/work"
  log "debootstrap --variant=minbase $SUITE from this host's Debian mirror (log: $LOGS/debootstrap.log)"
  run_logged debootstrap debootstrap --variant=minbase --components=main "$SUITE" "$ROOTFS" "$mirror"

  # The same Debian sources as the host (main suite, updates, security), and the host's APT
  # settings for fetching (validity checks, proxies).
  local main_suites=$SUITE
  [[ -n $updates && $updates == "$mirror" ]] && main_suites+=" $SUITE-updates"
  {
    source_entry "$mirror" "$main_suites"
    [[ -n $updates && $updates != "$mirror" ]] && source_entry "$updates" "$SUITE-updates"
    [[ -n $security ]] && source_entry "$security" "$SUITE-security"
    true
  } > "$ROOTFS/etc/apt/sources.list.d/debian.sources"
  rm -f "$ROOTFS/etc/apt/sources.list"
  apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy|Retries) ' \
    > "$ROOTFS/etc/apt/apt.conf.d/90stevedore-host" || true
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$ROOTFS/etc/apt/apt.conf.d/90stevedore-norecommends"
  printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
  cat /etc/resolv.conf > "$ROOTFS/etc/resolv.conf"
  mount -t proc proc "$ROOTFS/proc"

  local -a in_chroot=(chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
                      DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root)
  log "installing ${JRE_PACKAGES[*]} in the rootfs (log: $LOGS/jre-apt.log)"
  run_logged jre-apt-update "${in_chroot[@]}" apt-get update -q
  run_logged jre-apt "${in_chroot[@]}" apt-get install -y -q "${JRE_PACKAGES[@]}"
  "${in_chroot[@]}" apt-get clean
  "${in_chroot[@]}" java -version 2>&1 | head -n 1 | sed 's/^/[build-images]   /'

  umount -l "$ROOTFS/proc"
  rm -f "$ROOTFS/usr/sbin/policy-rc.d"
  : > "$ROOTFS/etc/resolv.conf"
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/usr/share/man/* \
         "$ROOTFS"/var/log/*.log "$ROOTFS"/tmp/* "$ROOTFS"/root/.cache

  log "writing rootfs tarball $tarball"
  tar --numeric-owner -C "$ROOTFS" --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' \
      -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  cleanup_rootfs
}

build_jre() {
  local arch h tarball
  arch=$(dpkg --print-architecture)
  h=$(hash_of "jre-recipe-1" "$SUITE" "$arch" "${JRE_PACKAGES[*]}")
  if up_to_date "$JRE_IMAGE" "$h"; then
    log "$JRE_IMAGE is up to date"
    return
  fi
  tarball=$CACHE/jre-17-$SUITE-$arch-$h.tar
  local old; old=$(image_id "$JRE_IMAGE")
  if [[ -s $tarball && $FORCE != 1 ]]; then
    log "importing $JRE_IMAGE from cached rootfs $tarball"
  else
    build_jre_rootfs "$tarball"
    # Older tarballs of other recipes are of no further use.
    find "$CACHE" -maxdepth 1 -name 'jre-17-*.tar' ! -name "$(basename "$tarball")" -delete
  fi
  "$DOCKER" import \
    --change "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$arch" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL stevedore.build-hash=$h" \
    --change 'CMD ["/bin/bash"]' \
    "$tarball" "$JRE_IMAGE" >/dev/null
  drop_replaced "$old" "$JRE_IMAGE"
  log "built $JRE_IMAGE ($(du -m "$tarball" | cut -f1) MB rootfs)"
}

# ---- stevedore/kafka:<version> -------------------------------------------------------------------

build_kafka() {
  local ctx=$HERE/kafka-image h stage jre_id
  jre_id=$(image_id "$JRE_IMAGE")
  [[ -n $jre_id ]] || die "$JRE_IMAGE missing: build it first (build-images.sh jre)"
  h=$(hash_of "kafka-recipe-1" "$KAFKA_VERSION" "$jre_id" "$ctx/pom.xml" "$ctx/Dockerfile" "$ctx/run" "$ctx/stop" \
        "$ctx"/bin/* "$ctx"/config/*)
  if up_to_date "$KAFKA_IMAGE" "$h"; then
    log "$KAFKA_IMAGE is up to date"
    return
  fi
  local old; old=$(image_id "$KAFKA_IMAGE")
  stage=$CACHE/kafka-image-$KAFKA_VERSION
  rm -rf "$stage"
  mkdir -p "$stage"
  log "resolving the jars of org.apache.kafka:kafka_2.13:$KAFKA_VERSION with Maven (log: $LOGS/kafka-libs.log)"
  run_logged kafka-libs mvn -B -f "$ctx/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$stage/libs"
  cp -r "$ctx/Dockerfile" "$ctx/run" "$ctx/stop" "$ctx/bin" "$ctx/config" "$stage/"
  log "docker build $KAFKA_IMAGE ($(ls "$stage/libs" | wc -l) jars; log: $LOGS/kafka-build.log)"
  run_logged kafka-build "$DOCKER" build --build-arg BASE_IMAGE="$JRE_IMAGE" \
    --build-arg KAFKA_VERSION="$KAFKA_VERSION" --build-arg BUILD_HASH="$h" -t "$KAFKA_IMAGE" "$stage"
  rm -rf "$stage"
  drop_replaced "$old" "$KAFKA_IMAGE"
  log "built $KAFKA_IMAGE"
}

# ---- stevedore/busybox ----------------------------------------------------------------------------

build_busybox() {
  local bb=/bin/busybox h root p
  [[ -x $bb ]] || die "$bb missing: install busybox-static"
  if ldd "$bb" >/dev/null 2>&1; then die "$bb is dynamically linked: install busybox-static"; fi
  h=$(hash_of "busybox-recipe-1" "$(sha256sum "$bb" | cut -c1-64)")
  if up_to_date "$BUSYBOX_IMAGE" "$h"; then
    log "$BUSYBOX_IMAGE is up to date"
    return
  fi
  local old; old=$(image_id "$BUSYBOX_IMAGE")
  root=$(mktemp -d "$CACHE/busybox-rootfs.XXXXXX")
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/www}
  chmod 1777 "$root/tmp"
  cp "$bb" "$root/bin/busybox"
  while read -r p; do
    [[ -n $p && $p != bin/busybox ]] || continue
    mkdir -p "$root/$(dirname "$p")"
    ln -sf /bin/busybox "$root/$p"
  done < <("$bb" --list-full)
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL stevedore.build-hash=$h" \
    --change 'CMD ["/bin/sh"]' - "$BUSYBOX_IMAGE" >/dev/null
  rm -rf "$root"
  drop_replaced "$old" "$BUSYBOX_IMAGE"
  log "built $BUSYBOX_IMAGE"
}

# ---- <registry>/stevedore-demo:* -----------------------------------------------------------------

registry_digest() {  # digest the registry holds for REPO:TAG, empty when none
  local repo=$1 tag=$2
  curl -fsS -m 5 -o /dev/null -D - -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY/v2/$repo/manifests/$tag" 2>/dev/null \
    | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }' || true
}

build_demo() {
  local ctx=$HERE/demo-app base_id h v tag broken digest old
  curl -fsS -m 5 "http://$REGISTRY/v2/" >/dev/null 2>&1 || die "registry $REGISTRY not answering: run scripts/start-registry.sh"
  base_id=$(image_id "$BUSYBOX_IMAGE")
  [[ -n $base_id ]] || die "$BUSYBOX_IMAGE missing: build it first (build-images.sh busybox)"
  for v in "${DEMO_VERSIONS[@]}"; do
    tag=$DEMO_REPO:$v
    h=$(hash_of "demo-recipe-1" "$v" "$base_id" "$ctx/Dockerfile" "$ctx/start.sh" "$ctx/broken-handler.sh")
    digest=$(registry_digest stevedore-demo "$v")
    if up_to_date "$tag" "$h" && [[ -n $digest ]] \
       && "$DOCKER" image inspect -f '{{join .RepoDigests " "}}' "$tag" | grep -q "@$digest"; then
      log "$tag is up to date (built and pushed)"
      continue
    fi
    broken=false
    [[ $v == broken ]] && broken=true
    if ! up_to_date "$tag" "$h"; then
      old=$(image_id "$tag")
      run_logged "demo-build-$v" "$DOCKER" build --build-arg BASE_IMAGE="$BUSYBOX_IMAGE" \
        --build-arg VERSION="$v" --build-arg BROKEN="$broken" --build-arg BUILD_HASH="$h" -t "$tag" "$ctx"
      drop_replaced "$old" "$tag"
    fi
    run_logged "demo-push-$v" "$DOCKER" push "$tag"
    log "built and pushed $tag"
  done
}

# ---- main ---------------------------------------------------------------------------------------

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(jre kafka busybox demo)
for t in "${targets[@]}"; do
  start=$SECONDS
  case "$t" in
    jre) build_jre ;;
    kafka) build_kafka ;;
    busybox) build_busybox ;;
    demo) build_demo ;;
    *) die "unknown target '$t' (jre, kafka, busybox, demo)" ;;
  esac
  log "$t: $(( SECONDS - start )) s"
done
