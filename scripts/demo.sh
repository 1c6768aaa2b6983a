#!/usr/bin/env bash
# Sets up the machine, builds `minc`, and runs the main job: check the
# examples and run the two programs from the paper that introduced Min.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --locked -p minc
minc=target/release/minc

echo "== minc check examples/*.min"
"$minc" check examples/*.min
echo "ok: every example checks"

echo
echo "== minc run examples/black_scholes.min black_scholes 42 40 0.5 0.1 0.2"
"$minc" run examples/black_scholes.min black_scholes 42 40 0.5 0.1 0.2
echo "== … compiled by the Cranelift JIT, then as Wasm under wasmtime"
"$minc" run --backend jit examples/black_scholes.min black_scholes 42 40 0.5 0.1 0.2
"$minc" run --backend wasm examples/black_scholes.min black_scholes 42 40 0.5 0.1 0.2

echo
echo "== minc build examples/rewrite.min --out-dir target/min"
"$minc" build examples/rewrite.min --out-dir target/min

echo
echo "== minc run examples/rewrite.min rewrite 'Binary (Binary Nil \"&\" Nil) \"|\" (Apply Nil Nil)'"
"$minc" run examples/rewrite.min rewrite 'Binary (Binary Nil "&" Nil) "|" (Apply Nil Nil)'
