#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu programs (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER): runs
# the .exe under wine64 in OTPDesk's own headless prefix, the one scripts/windows-check.sh makes.
set -euo pipefail
export WINEPREFIX=${OTPDESK_WINEPREFIX:-$HOME/.cache/otpdesk-wine}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
exec /usr/lib/wine/wine64 "$@"
