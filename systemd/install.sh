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

# --- engine secrets ----------------------------------------------------------------------------
# drachtio-server's admin secret and FreeSWITCH's event-socket password, unique to each box: made once
# into /etc/appliance/engine.env (appliance.service reads it) and put into the engine's configuration
# where the shipped files say CHANGE-ME-SECRET. They are never printed.
PLACEHOLDER=CHANGE-ME-SECRET
ENGINE_ENV="$ROOT/etc/appliance/engine.env"
new_secret() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }   # 32 hex characters
env_value() {   # the last value of $1 in engine.env, without surrounding quotes
  [ -r "$ENGINE_ENV" ] || return 0
  sed -n "s/^[[:space:]]*$1=//p" "$ENGINE_ENV" | tail -n1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}
# The group that may read engine.env: by name on a live install, by number from the folder's own
# /etc/group under --root (only root can give a file away).
env_owner() {
  if [ "$LIVE" = 1 ]; then
    if getent group appliance >/dev/null; then echo "-o root -g appliance"; else echo "-o root"; fi
    return
  fi
  [ "$(id -u)" = 0 ] && [ -r "$ROOT/etc/group" ] || return 0
  local gid; gid="$(awk -F: '$1 == "appliance" { print $3 }' "$ROOT/etc/group")"
  [ -z "$gid" ] || echo "-o 0 -g $gid"
}
DRACHTIO_SECRET="$(env_value APPLIANCE_DRACHTIO_SECRET)"
FREESWITCH_PASSWORD="$(env_value APPLIANCE_FREESWITCH_PASSWORD)"
missing=""
[ -n "$DRACHTIO_SECRET" ] || { DRACHTIO_SECRET="$(new_secret)"; missing="$missing APPLIANCE_DRACHTIO_SECRET"; }
[ -n "$FREESWITCH_PASSWORD" ] || { FREESWITCH_PASSWORD="$(new_secret)"; missing="$missing APPLIANCE_FREESWITCH_PASSWORD"; }
# They go into XML attributes and an awk replacement: refuse anything that would need escaping there.
for v in APPLIANCE_DRACHTIO_SECRET:"$DRACHTIO_SECRET" APPLIANCE_FREESWITCH_PASSWORD:"$FREESWITCH_PASSWORD"; do
  case "${v#*:}" in
    *[!A-Za-z0-9._~+/=-]*) echo "install.sh: ${v%%:*} in $ENGINE_ENV may hold only letters, digits and . _ ~ + / = -" >&2; exit 1 ;;
  esac
done
if [ -n "$missing" ]; then
  if [ "$DRY_RUN" = 1 ]; then
    echo "+ write$missing (new random values) to $ENGINE_ENV, mode 0640"
  else
    say "generating$missing into $ENGINE_ENV"
    (
      umask 077
      {
        if [ -s "$ENGINE_ENV" ]; then sed -e '$a\' "$ENGINE_ENV"; else
          echo "# Shared secrets of the production engine (drachtio-server, FreeSWITCH), made by install.sh."
          echo "# Read by appliance.service; keep them equal to /etc/appliance/drachtio and /etc/appliance/freeswitch."
        fi
        case "$missing" in *APPLIANCE_DRACHTIO_SECRET*) echo "APPLIANCE_DRACHTIO_SECRET=$DRACHTIO_SECRET" ;; esac
        case "$missing" in *APPLIANCE_FREESWITCH_PASSWORD*) echo "APPLIANCE_FREESWITCH_PASSWORD=$FREESWITCH_PASSWORD" ;; esac
      } > "$WORK/engine.env"
    )
    # shellcheck disable=SC2046 # env_owner gives zero or four words
    install -D -m 0640 $(env_owner) "$WORK/engine.env" "$ENGINE_ENV"
    rm -f "$WORK/engine.env"
  fi
fi

# Prints file $1 with the placeholder replaced by secret $2 (handed over in the environment, never
# on a command line where ps would show it).
with_secret() { SECRET="$2" awk -v p="$PLACEHOLDER" '{ gsub(p, ENVIRON["SECRET"]); print }' "$1"; }

# Configuration files are the admin's once installed (like Debian conffiles): an edited one is kept
# and the shipped version is put beside it as <name>.dist. A shipped file is compared with what it
# becomes once its placeholder holds the secret ($4), so a second run sees no edit.
install_config_dir() {
  local from="$1" to="$2" mode="$3" secret="$4"
  [ -d "$from" ] || return 0
  (cd "$from" && find . -type f) | while read -r rel; do
    local dest="$to/${rel#./}" src="$from/$rel"
    if grep -qF "$PLACEHOLDER" "$src"; then
      mkdir -p "$(dirname "$WORK/render/$rel")"
      with_secret "$src" "$secret" > "$WORK/render/$rel"
      src="$WORK/render/$rel"
    fi
    if [ -e "$dest" ] && ! cmp -s "$src" "$dest" && ! cmp -s "$from/$rel" "$dest"; then
      say "keeping the edited $dest; the shipped version is $dest.dist"
      run install -D -m "$mode" "$src" "$dest.dist"
      if grep -qF "$PLACEHOLDER" "$dest"; then
        say "putting the engine secret in place of $PLACEHOLDER in $dest"
        with_secret "$dest" "$secret" > "$WORK/edited"
        run install -D -m "$mode" "$WORK/edited" "$dest"
      elif [ "$src" != "$from/$rel" ] && ! SECRET="$secret" awk 'index($0, ENVIRON["SECRET"]) { f = 1 } END { exit !f }' "$dest"; then
        say "warning: the edited $dest holds another secret than $ENGINE_ENV; make them equal"
      fi
    else
      # New, unchanged, or still the shipped file with its placeholder (an earlier install).
      run install -D -m "$mode" "$src" "$dest"
    fi
  done
}
run install -d -m 0755 "$ROOT/etc/appliance"
install_config_dir "$SRC/drachtio" "$ROOT/etc/appliance/drachtio" 0640 "$DRACHTIO_SECRET"
install_config_dir "$SRC/freeswitch" "$ROOT/etc/appliance/freeswitch" 0640 "$FREESWITCH_PASSWORD"
rm -rf "$WORK/render" "$WORK/edited"
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
