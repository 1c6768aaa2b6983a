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

echo
echo "== minc build examples/bank.min: a contract, with each procedure's dependency set"
"$minc" build examples/bank.min --out-dir target/min
echo "== minc run examples/bank.min transfer (ada pays bob 4 of her 10)"
"$minc" run --backend wasm examples/bank.min transfer '{holder = "ada", balance = 10}' '{holder = "bob", balance = 0}' 4
