#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu programs (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER): runs
# the .exe under wine64 in OTPDesk's own headless prefix (made by scripts/windows-check.sh), and sets
# OTPDESK_UNDER_WINE=1 so timing-sensitive tests stretch their timeouts (never their assertions).
set -euo pipefail
export WINEPREFIX=${OTPDESK_WINEPREFIX:-$HOME/.cache/otpdesk-wine}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
export OTPDESK_UNDER_WINE=1
exec /usr/lib/wine/wine64 "$@"
