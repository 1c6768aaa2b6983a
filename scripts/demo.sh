#!/usr/bin/env bash
# Sets up the machine, builds `minc`, and runs the main job on the examples.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --locked -p minc
minc=target/release/minc

echo "== minc check examples/*.min"
"$minc" check examples/*.min
echo "ok: every example checks"
