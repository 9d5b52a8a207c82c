# Shared bootstrap for ./scripts/demo and ./scripts/test (sourced, not run).
# It makes the two README commands work on a machine that has only Node.js (18+) and npm:
# Node 22 comes from the npm registry when the system Node is older, Yarn is the committed
# release, and dependencies are installed only when yarn.lock or the Node version changed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
YARN_RELEASE="$(ls "$ROOT"/.yarn/releases/yarn-*.cjs | head -n 1)"

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if ! command -v node >/dev/null 2>&1; then
    log "Node.js is not installed: install Node.js 18 or newer with npm, then run this again."
    return 1
  fi
  if [ "$(node_major)" -ge 22 ]; then
    # Native addons build against this Node's own headers when it ships them (node-gyp cannot
    # download headers where only the npm registry is reachable).
    local prefix
    prefix="$(dirname "$(dirname "$(command -v node)")")"
    if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node.h" ]; then
      export npm_config_nodedir="$prefix"
    fi
    return 0
  fi
  local os arch pkg dir
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "no Node 22 package for $(uname -m); install Node 22 yourself"; return 1 ;;
  esac
  pkg="node-$os-$arch"
  dir="$TOOLS/node22"
  if [ ! -x "$dir/node_modules/$pkg/bin/node" ]; then
    log "system Node is $(node --version); fetching Node 22 ($pkg) from the npm registry into .tools/"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$pkg@22" >&2 || return 1
  fi
  export PATH="$dir/node_modules/$pkg/bin:$PATH"
  # Headers for native addons (better-sqlite3): node-gyp cannot download them here.
  export npm_config_nodedir="$dir/node_modules/$pkg"
  log "using Node $(node --version) from .tools/"
}

ensure_yarn() {
  mkdir -p "$TOOLS/bin"
  # A launcher for the committed release, so that tools that spawn `yarn` find it.
  cat >"$TOOLS/bin/yarn" <<SHIM
#!/bin/sh
exec node "$YARN_RELEASE" "\$@"
SHIM
  chmod +x "$TOOLS/bin/yarn"
  export PATH="$TOOLS/bin:$PATH"
  export YARN_ENABLE_TELEMETRY=0
}

install_fingerprint() {
  {
    node --version
    cat "$ROOT/yarn.lock"
    find "$ROOT/package.json" "$ROOT/packages" "$ROOT/plugins" -maxdepth 2 -name package.json \
      -not -path '*/node_modules/*' | sort | xargs cat
  } | sha1sum | cut -d' ' -f1
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.bootstrap-fingerprint" want
  want="$(install_fingerprint)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "installing dependencies (first run takes a few minutes; later runs skip this)"
  local flags=()
  if [ -n "${CI:-}" ]; then flags+=(--immutable); fi
  (cd "$ROOT" && yarn install "${flags[@]}") >&2 || return 1
  # Native addons are compiled for the Node that installed them.
  if [ -f "$stamp.node" ] && [ "$(cat "$stamp.node")" != "$(node --version)" ]; then
    log "Node version changed: rebuilding native addons"
    (cd "$ROOT" && yarn rebuild) >&2 || return 1
  fi
  node --version >"$stamp.node"
  echo "$want" >"$stamp"
}

bootstrap() {
  ensure_node && ensure_yarn && ensure_deps
}
