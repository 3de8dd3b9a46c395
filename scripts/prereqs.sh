#!/usr/bin/env bash
# Machine prerequisites the test suite uses, on Debian/Ubuntu: Chromium (report rendering),
# PostgreSQL server binaries (ingest tests), Java 17 and Python 3 (Spark parity suite),
# actionlint (workflow check). Installs only what is missing. Needs root or sudo for apt.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "prereqs: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if ! command -v actionlint >/dev/null 2>&1 && [ ! -x "$HOME/go/bin/actionlint" ]; then
  if command -v go >/dev/null 2>&1; then
    echo "prereqs: go install actionlint"
    go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7
  else
    echo "prereqs: actionlint missing and no Go toolchain: install Go, then go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7" >&2
  fi
fi
echo "prereqs: ok"
