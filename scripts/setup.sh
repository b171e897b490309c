#!/usr/bin/env bash
# Installs what OTPDesk needs on Debian/Ubuntu, only what is missing: system packages (apt), the
# UI's npm packages, and test tools. Sourced by start.sh and test.sh; safe to run again.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/otpdesk-target}
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-0}
TOOLS_DIR=${OTPDESK_TOOLS_DIR:-$HOME/.cache/otpdesk-tools}

BUILD_PACKAGES=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libgtk-3-dev file curl)
RUN_PACKAGES=(xvfb xauth dbus dbus-x11 gnome-keyring libnotify-bin)
TEST_PACKAGES=(imagemagick webkit2gtk-driver dunst xdotool openssl sqlite3
  rpm desktop-file-utils nsis minisign x11-utils postgresql)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_ensure PKG...: install the packages that dpkg does not report as installed.
apt_ensure() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing system packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || { echo "OTPDesk needs $1 ($2). Install it and run again." >&2; exit 1; }
}

# Rust from rustup (Debian's rustc is too old) and Node.js 20+ (Vite 8 needs it).
ensure_toolchains() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    log "Installing Rust (rustup)"
    apt_ensure curl ca-certificates
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt >/dev/null
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v node >/dev/null 2>&1; then
    apt_ensure nodejs npm
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then
    echo "OTPDesk's UI build needs Node.js 20 or newer (found $(node --version)); install it from https://nodejs.org and run again." >&2
    exit 1
  fi
  need_cmd npm "npm, comes with Node.js"
}

# npm ci: exactly what the lock file says. The lock carries every platform's @tauri-apps/cli
# binary (scripts/check-cli-lock.mjs checks it), so release machines get the same CLI.
ensure_ui_packages() {
  if [ ! -d "$ROOT/ui/node_modules/.bin" ] || [ "$ROOT/ui/package.json" -nt "$ROOT/ui/node_modules/.stamp" ] ||
    [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.stamp" ]; then
    log "Installing UI packages (npm ci)"
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
  fi
}

setup_for_app() {
  ensure_toolchains
  apt_ensure "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}"
  ensure_ui_packages
}

setup_for_tests() {
  setup_for_app
  apt_ensure "${TEST_PACKAGES[@]}"
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true
}
