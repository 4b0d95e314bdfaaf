#!/usr/bin/env bash
# Installs the voice-broadcast box on Raspberry Pi OS (bookworm, arm64) from a release tarball made by
# `npm run release`. Safe to run again: an upgrade or a repair leaves the same state as a first install.
#
#   sudo systemd/install.sh [--engine embedded|drachtio] [--no-start] appliance-X.Y.Z.tar.gz
#   systemd/install.sh --root /tmp/box appliance-X.Y.Z.tar.gz    # into a folder, the machine untouched
#   systemd/install.sh --dry-run appliance-X.Y.Z.tar.gz          # print what would be done
set -euo pipefail

ROOT=""
DRY_RUN=0
ENGINE=embedded
START=1
SKIP_DEPS=0
TARBALL=""

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "options: --root DIR  --dry-run  --engine embedded|drachtio  --no-start  --skip-deps" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a folder}"; shift 2 ;;
    --root=*) ROOT="${1#--root=}"; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --engine) ENGINE="${2:?--engine needs embedded or drachtio}"; shift 2 ;;
    --engine=*) ENGINE="${1#--engine=}"; shift ;;
    --no-start) START=0; shift ;;
    --skip-deps) SKIP_DEPS=1; shift ;;
    -h|--help) usage ;;
    -*) echo "install.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$TARBALL" ] || usage; TARBALL="$1"; shift ;;
  esac
done

[ -n "$TARBALL" ] || usage
[ -r "$TARBALL" ] || { echo "install.sh: cannot read $TARBALL" >&2; exit 1; }
case "$ENGINE" in embedded|drachtio) ;; *) echo "install.sh: --engine is embedded or drachtio" >&2; exit 2 ;; esac
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT="$(cd "$ROOT" && pwd)"
  [ "$ROOT" != "/" ] || ROOT=""
fi
LIVE=0   # 1 when installing onto this machine for real (not --root, not --dry-run)
[ -n "$ROOT" ] || [ "$DRY_RUN" = 1 ] || LIVE=1

say() { echo "install.sh: $*"; }
# Every change to the target goes through run, so --dry-run prints the plan and changes nothing.
run() {
  if [ "$DRY_RUN" = 1 ]; then echo "+ $*"; else "$@"; fi
}

if [ "$LIVE" = 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "install.sh: run as root (sudo), or use --root DIR / --dry-run" >&2; exit 1; }
  node_major="$(/usr/bin/node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$node_major" -lt 20 ]; then
    echo "install.sh: the box needs Node.js 20 or later at /usr/bin/node (found: ${node_major})." >&2
    echo "  Raspberry Pi OS ships an older one; install Node 20 (e.g. from NodeSource) first." >&2
    exit 1
  fi
  [ "$(uname -m)" = aarch64 ] || say "warning: this is $(uname -m), not arm64; continuing"
fi

# Unpack next to the target and swap at the end, so a failed install leaves the old release running.
OPT="$ROOT/opt/appliance"
# The staging folder sits beside /opt/appliance (same file system: the swap is two renames).
if [ "$DRY_RUN" = 1 ]; then
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/appliance-install.XXXXXX")"
else
  mkdir -p "$ROOT/opt"
  WORK="$(mktemp -d "$ROOT/opt/.appliance-install.XXXXXX")"
fi
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/release"
mkdir -p "$STAGE"
tar -xzf "$TARBALL" -C "$STAGE" --strip-components=1 --no-same-owner
for f in package.json bin/appliance.js systemd/appliance.service; do
  [ -e "$STAGE/$f" ] || { echo "install.sh: $TARBALL is not a release tarball (no $f)" >&2; exit 1; }
done
VERSION="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$STAGE/package.json" | head -n1)"
say "installing voice-broadcast appliance ${VERSION:-?} into ${ROOT:-/} (engine: $ENGINE)"

# --- users -------------------------------------------------------------------------------------
run install -D -m 0644 "$STAGE/systemd/appliance.sysusers" "$ROOT/etc/sysusers.d/appliance.conf"
if command -v systemd-sysusers >/dev/null 2>&1; then
  if [ -n "$ROOT" ]; then
    run systemd-sysusers --root="$ROOT" "$ROOT/etc/sysusers.d/appliance.conf"
  else
    run systemd-sysusers /etc/sysusers.d/appliance.conf
  fi
else
  say "warning: systemd-sysusers not found; create the users appliance, drachtio and freeswitch by hand"
fi

# --- the release -------------------------------------------------------------------------------
if [ -d "$STAGE/node_modules" ]; then
  say "using the node_modules bundled in the release"
elif [ "$SKIP_DEPS" = 1 ]; then
  say "skipping dependencies (--skip-deps)"
elif [ -d "$OPT/node_modules" ] && cmp -s "$OPT/package-lock.json" "$STAGE/package-lock.json"; then
  # Same lock file: the installed modules are exactly what npm ci would fetch again.
  say "dependencies unchanged: keeping the installed node_modules"
  run mv "$OPT/node_modules" "$STAGE/node_modules"
else
  say "installing dependencies with npm ci --omit=dev (needs the network)"
  (cd "$STAGE" && run npm ci --omit=dev --no-audit --no-fund)
fi
run chmod -R u+rwX,go+rX,go-w "$STAGE"
if [ -e "$OPT" ]; then run rm -rf "$OPT.old"; run mv "$OPT" "$OPT.old"; fi
run mv "$STAGE" "$OPT"
run rm -rf "$OPT.old"

# --- units, kernel settings, configuration -----------------------------------------------------
UNITS="appliance.service appliance-provision.service drachtio.service freeswitch.service"
SRC="$OPT/systemd"
[ "$DRY_RUN" = 0 ] || SRC="$STAGE/systemd"
for u in $UNITS; do
  run install -D -m 0644 "$SRC/$u" "$ROOT/etc/systemd/system/$u"
done
run install -D -m 0644 "$SRC/60-appliance-udp-buffers.conf" "$ROOT/etc/sysctl.d/60-appliance-udp-buffers.conf"

# Configuration files are the admin's once installed (like Debian conffiles): an edited one is kept
# and the shipped version is put beside it as <name>.dist.
install_config_dir() {
  local from="$1" to="$2" mode="$3"
  [ -d "$from" ] || return 0
  (cd "$from" && find . -type f) | while read -r rel; do
    local dest="$to/${rel#./}"
    if [ -e "$dest" ] && ! cmp -s "$from/$rel" "$dest"; then
      say "keeping the edited $dest; the shipped version is $dest.dist"
      run install -D -m "$mode" "$from/$rel" "$dest.dist"
    else
      run install -D -m "$mode" "$from/$rel" "$dest"
    fi
  done
}
run install -d -m 0755 "$ROOT/etc/appliance"
install_config_dir "$SRC/drachtio" "$ROOT/etc/appliance/drachtio" 0640
install_config_dir "$SRC/freeswitch" "$ROOT/etc/appliance/freeswitch" 0640
# Group ownership by name resolves against this machine's users, so only on a live install.
if [ "$LIVE" = 1 ]; then
  [ ! -d /etc/appliance/drachtio ] || chgrp -R drachtio /etc/appliance/drachtio
  [ ! -d /etc/appliance/freeswitch ] || chgrp -R freeswitch /etc/appliance/freeswitch
  sysctl -q -p /etc/sysctl.d/60-appliance-udp-buffers.conf
fi

# --- enable ------------------------------------------------------------------------------------
ENABLE="appliance.service appliance-provision.service"
if [ "$ENGINE" = drachtio ]; then
  ENABLE="$ENABLE drachtio.service freeswitch.service"
  for b in /usr/local/bin/drachtio /usr/local/freeswitch/bin/freeswitch; do
    [ -x "$ROOT$b" ] || say "warning: $b is missing; build drachtio-server and FreeSWITCH first (see systemd/README.md)"
  done
fi
if [ -n "$ROOT" ]; then
  # systemctl works offline on a folder: it only writes the .wants symlinks.
  run systemctl --root="$ROOT" enable $ENABLE
else
  run systemctl daemon-reload
  run systemctl enable $ENABLE
  if [ "$START" = 1 ]; then
    [ "$ENGINE" != drachtio ] || run systemctl restart drachtio.service freeswitch.service
    run systemctl restart appliance.service
  fi
fi

if [ "$LIVE" = 1 ] && [ "$START" = 1 ]; then
  say "done. Open http://$(hostname -I 2>/dev/null | awk '{print $1}'):8080 ; the first admin password is in: journalctl -u appliance | grep 'first start'"
else
  say "done."
fi
