#!/usr/bin/env bash
# `npm run release [-- --out DIR] [-- --bundle]`: the release tarball systemd/install.sh installs,
# appliance-<version>.tar.gz with one top folder, made from the committed tree (git archive HEAD).
# --bundle adds the production node_modules of this checkout (pruned of dev packages, offline); only
# useful when this machine has the box's architecture (native modules: better-sqlite3, argon2).
set -euo pipefail

OUT="dist"
BUNDLE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="${2:?--out needs a folder}"; shift 2 ;;
    --bundle) BUNDLE=1; shift ;;
    *) echo "make-release.sh: unknown argument $1 (use --out DIR, --bundle)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
VERSION="$(node -p 'require("./package.json").version')"
NAME="appliance-$VERSION"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "make-release.sh: note: uncommitted changes are not in the release (it is made from HEAD)" >&2
fi
if [ "$BUNDLE" = 0 ]; then
  git archive --format=tar.gz --prefix="$NAME/" -o "$OUT/$NAME.tar.gz" HEAD
else
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  git archive --format=tar --prefix="$NAME/" HEAD | tar -x -C "$WORK"
  cp -a node_modules "$WORK/$NAME/node_modules"
  (cd "$WORK/$NAME" && npm prune --omit=dev --no-audit --no-fund >/dev/null)
  # npm ci is not run on the box for a bundled release, so its postinstall (the media workers' native
  # module, the web UI build) runs here.
  [ ! -f "$WORK/$NAME/media/native/build.mjs" ] || (cd "$WORK/$NAME" && node media/native/build.mjs)
  [ ! -f "$WORK/$NAME/web-ui/postinstall.js" ] || (cd "$WORK/$NAME" && node web-ui/postinstall.js)
  tar -czf "$OUT/$NAME.tar.gz" -C "$WORK" "$NAME"
fi
echo "$OUT/$NAME.tar.gz"
