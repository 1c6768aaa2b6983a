#!/usr/bin/env bash
# Sets up the machine and runs every test and quality gate of the project:
# formatting, clippy, the Rust test suite, `minc fmt --check` on the Min
# sources, and the VS Code extension's build, tests and packaging.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
cargo run --quiet --locked -p minc -- fmt --check examples/*.min examples/calls/*.min examples/attacks/*.min stdlib/*.min

echo "== VS Code extension (lsp/vscode)"
(
  cd lsp/vscode
  npm ci --no-audit --no-fund
  npm test
  npm run package
)
