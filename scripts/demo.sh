#!/usr/bin/env bash
# Sets up the machine, builds `minc`, and runs the main job: check the
# examples, run the two programs from the paper that introduced Min, then
# start a devnet, deploy the bank contract on it and call its procedures.
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
echo "== minc test examples/bank.min --gas-report: the bank's tests, and the gas of the calls they made"
"$minc" test examples/bank.min --gas-report

echo
echo "== minc devnet --ephemeral: 2 shards x 4 validators on loopback, in the background"
devnet_log=$(mktemp)
"$minc" devnet --ephemeral --port 0 >"$devnet_log" 2>&1 &
devnet=$!
trap 'kill -INT "$devnet" 2>/dev/null; wait "$devnet" 2>/dev/null; rm -f "$devnet_log"' EXIT
for _ in $(seq 100); do
  grep -q "Press Ctrl-C" "$devnet_log" && break
  kill -0 "$devnet" 2>/dev/null || { cat "$devnet_log"; exit 1; }
  sleep 0.1
done
head -n 4 "$devnet_log"
rpc=$(sed -n 's/^JSON-RPC: //p' "$devnet_log")

echo
echo "== minc deploy examples/bank.min (signed by the devnet's funded account 0)"
deployed=$("$minc" deploy examples/bank.min --rpc "$rpc" --account 0)
echo "$deployed"
package=$(echo "$deployed" | awk '$1 == "package" { print $2 }')
call() { "$minc" call examples/bank.min "$@" --package "$package" --rpc "$rpc"; }
created() { awk '$1 == "created" { print $2 }' | sed -n "${1}p"; }

echo
echo "== minc call: ada and bob open accounts on shard 0, ada deposits 10 and pays bob 4"
out=$(call open '"ada"' --shard 0 --account 0); echo "$out"; ada=$(echo "$out" | created 1)
out=$(call open '"bob"' --shard 0 --account 1); echo "$out"; bob=$(echo "$out" | created 1)
out=$(call deposit 10 --input "$ada" --account 0); echo "$out"; ada=$(echo "$out" | created 1)
call transfer 4 --input "$ada" --input "$bob" --account 0

echo
echo "== minc deploy examples/token.min: coins their owners hold, guarded by their signatures"
deployed=$("$minc" deploy examples/token.min --rpc "$rpc" --account 0)
echo "$deployed"
token=$(echo "$deployed" | awk '$1 == "package" { print $2 }')
token_call() { "$minc" call examples/token.min "$@" --package "$token" --rpc "$rpc"; }
address() { sed -n "s/^  ($1) address //p" "$devnet_log"; }

echo
echo "== minc call: account 0 starts a treasury and mints 10 for account 1, who pays 3 back"
out=$(token_call start --shard 0 --account 0); echo "$out"; treasury=$(echo "$out" | created 1)
out=$(token_call mint 10 "\"$(address 1)\"" --input "$treasury" --account 0); echo "$out"; coin=$(echo "$out" | created 2)
echo "== account 0 tries to spend account 1's coin: the procedure refuses, nothing is sent"
if token_call pay 3 "\"$(address 0)\"" --input "$coin" --account 0; then
  echo "error: a coin was spent without its owner's signature"
  exit 1
fi
out=$(token_call pay 3 "\"$(address 0)\"" --input "$coin" --account 1); echo "$out"; change=$(echo "$out" | created 1)
echo "== anyone reads account 1's change by reference: the coin is not consumed"
token_call balance --ref "$change" --account 2
token_call balance --ref "$change" --account 3
