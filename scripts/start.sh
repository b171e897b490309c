#!/usr/bin/env bash
# Sets up what is missing and starts OTPDesk. With no API key set, the app starts in demo mode
# against its built-in provider simulator. Pass --release for an optimised build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_for_app

profile=debug; cargo_flags=()
if [ "${1:-}" = "--release" ]; then profile=release; cargo_flags=(--release); fi

log "Building the UI"
(cd "$ROOT/ui" && npm run --silent build)
log "Building OTPDesk ($profile)"
(cd "$ROOT" && cargo build "${cargo_flags[@]}" -p otpdesk --features custom-protocol)

app="$CARGO_TARGET_DIR/$profile/otpdesk-app"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  log "No display found: starting a virtual one (Xvfb :77)"
  Xvfb :77 -screen 0 1280x800x24 >/dev/null 2>&1 &
  export DISPLAY=:77
  sleep 1
fi
log "Starting OTPDesk (demo mode until you add an API key)"
exec "$app" --demo
