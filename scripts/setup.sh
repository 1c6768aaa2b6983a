#!/usr/bin/env bash
# Installs what building and testing Min needs on a fresh Debian machine with
# Rust: the system libraries (libz3 for `minc verify`), Node.js and npm for
# the VS Code extension, and the Rust components for the quality gates.
# Safe to run again; it skips what is there.
set -euo pipefail

need_apt=()
dpkg -s libz3-dev >/dev/null 2>&1 || need_apt+=(libz3-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi
