#!/usr/bin/env bash
# Creates <repo>/.venv with the pinned Python packages the Spark parity suite (and benchmarks)
# use. Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
req=packages/databricks/python/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
command -v python3 >/dev/null || { echo "python3 is missing: install Python 3.11 (apt-get install python3 python3-venv)" >&2; exit 1; }
echo "python-env: creating .venv with $(grep -v '^#' "$req" | tr '\n' ' ')" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
