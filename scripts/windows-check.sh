#!/usr/bin/env bash
# Windows, tested from Linux: checks the whole workspace for x86_64-pc-windows-gnu (the Tauri app
# crate included, all targets), then runs the Windows build of the core, providers, engine,
# simulator, CLI and secrets tests under wine (keyring on wine's Credential Manager), prints a
# per-crate table and each phase's wall time, and exits non-zero on any failure. Called by
# scripts/test.sh; installs only what is missing (mingw-w64, wine64, the Rust target, a wine prefix).
#
# What cannot run under wine, and so only on a real Windows machine: the app's window (WebView2),
# toasts, the tray, the autostart Run key, the NSIS installer and code signing; see docs/RELEASING.md.
# The app crate `otpdesk` is therefore compiled for Windows here (clippy, all targets), not run.
# One check of the run crates is replaced under wine: the simulator binary's clean stop on
# Ctrl+Break, since wine 8 delivers no console control event to a program started without a
# terminal; the binary is terminated instead (crates/otpdesk-sim/tests/common/mod.rs, stop_binary).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

TARGET=x86_64-pc-windows-gnu
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
export WINEPREFIX=${OTPDESK_WINEPREFIX:-$HOME/.cache/otpdesk-wine}
# Headless and quiet: no debug channels, no Mono/Gecko install prompts, no display.
export WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
# The crates whose tests run under wine; the app crate is compiled (clippy), not run (see above).
RUN_CRATES=(otpdesk-core otpdesk-providers otpdesk-engine otpdesk-sim otpdesk-cli otpdesk-secrets)
CHECK_ONLY=(otpdesk)
pkgs() { for c in "$@"; do printf -- '-p\n%s\n' "$c"; done; }
mapfile -t RUN_PKGS < <(pkgs "${RUN_CRATES[@]}")

t_all=$(date +%s)
declare -a PHASES=()
phase_start() { t_phase=$(date +%s); log "Windows: $1"; }
phase_end() { PHASES+=("$(printf '%-34s %4ds' "$1" $(($(date +%s) - t_phase)))"); }

phase_start "tools (Rust target, mingw-w64, wine64)"
ensure_toolchains
rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET" >/dev/null
# wine64 alone runs 64-bit console programs (no wine32, no /usr/bin/wine wrapper needed).
apt_ensure gcc-mingw-w64-x86-64 wine64 jq
phase_end "tools"

# Every workspace crate is either run under wine or checked: a new crate must be placed.
members=$(cargo metadata --no-deps --format-version 1 --locked | jq -r '.packages[].name' | sort)
placed=$(printf '%s\n' "${RUN_CRATES[@]}" "${CHECK_ONLY[@]}" | sort)
if [ "$members" != "$placed" ]; then
  echo "windows-check.sh: workspace crates ($(echo $members)) differ from RUN_CRATES + CHECK_ONLY ($(echo $placed)); add the new crate to one of them." >&2
  exit 1
fi

phase_start "wine prefix $WINEPREFIX"
# Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng every Rust program imports (exit status 53
# without it): scripts/wine/bcryptprimitives.c provides it.
shim_src="$ROOT/scripts/wine/bcryptprimitives.c"
shim_dll="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  mkdir -p "$WINEPREFIX"
  # 32-bit parts are missing on purpose (no wine32): wineboot says so once, harmlessly.
  "$WINE" wineboot --init >/dev/null 2>&1 || true
  "$WINESERVER" -w
  [ -f "$WINEPREFIX/system.reg" ] || { echo "wineboot did not create $WINEPREFIX" >&2; exit 1; }
fi
if [ ! -f "$shim_dll" ] || [ "$shim_src" -nt "$shim_dll" ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$shim_dll" "$shim_src" -ladvapi32
fi
# One wineserver for the whole run (each test program would otherwise start its own); it ends by
# itself a minute after the last program. Status 2: one already runs for this prefix.
"$WINESERVER" -p 60 || [ $? -eq 2 ]
phase_end "wine prefix"

# Clippy is the check: every crate of the workspace, every target (lib, bins, tests, benches,
# examples) compiled for Windows, warnings are errors. Its dependencies are checked once for all.
phase_start "clippy: the whole workspace, all targets"
cargo clippy --locked --target "$TARGET" --workspace --all-targets -- -D warnings
phase_end "clippy (check + lints)"

# The test programs of the crates run below; the artifact list maps each to its crate.
phase_start "build the tests"
artifacts=$(mktemp)
trap 'rm -f "$artifacts" "${run_log:-}"' EXIT
cargo test --no-run --locked --target "$TARGET" "${RUN_PKGS[@]}" \
  --message-format=json-render-diagnostics |
  jq -r 'select(.reason == "compiler-artifact" and .executable != null)
         | "\(.executable) \(.manifest_path | split("/") | .[-2])"' >"$artifacts"
phase_end "test build"

phase_start "tests under wine"
run_log=$(mktemp)
# Into a file, not a pipe: a program a failed test left running would hold a pipe open for ever.
# A hung test ends the run after OTPDESK_WINE_TEST_MINUTES (the table then shows what ran).
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$ROOT/scripts/wine/runner.sh" \
  timeout --kill-after=30s "${OTPDESK_WINE_TEST_MINUTES:-40}m" \
  cargo test --no-fail-fast --locked --target "$TARGET" "${RUN_PKGS[@]}" >"$run_log" 2>&1 &
cargo_pid=$!
tail -n +1 -f --pid="$cargo_pid" "$run_log"
status=0
wait "$cargo_pid" || status=$?
# Whatever a failed test left running in the prefix (the prefix is this script's own).
"$WINESERVER" -k 2>/dev/null || true
phase_end "tests under wine"

# Per crate: passed / failed / ignored, and test programs that ended without a result line
# (a crash, or wine refusing to start one).
awk -v artifacts="$artifacts" '
  BEGIN { while ((getline l < artifacts) > 0) { split(l, a, " "); crate[a[1]] = a[2] } }
  function note(c) { if (!(c in known)) { known[c] = 1; order[++n] = c } }
  function close_prog() { if (cur != "" && !seen) crashed[cur]++; cur = ""; seen = 0 }
  /^ *Running / { close_prog(); exe = $NF; gsub(/[()]/, "", exe); cur = (exe in crate) ? crate[exe] : exe; note(cur) }
  /^ *Doc-tests / { close_prog(); cur = $2; gsub(/_/, "-", cur); note(cur) }
  /^test result: / {
    seen = 1
    for (i = 1; i <= NF; i++) {
      if ($(i+1) ~ /^passed/) p[cur] += $i
      if ($(i+1) ~ /^failed/) f[cur] += $i
      if ($(i+1) ~ /^ignored/) g[cur] += $i
    }
  }
  END {
    close_prog()
    printf "\n%-20s %7s %7s %8s %8s\n", "crate (under wine)", "passed", "failed", "ignored", "crashed"
    for (k = 1; k <= n; k++) {
      c = order[k]
      printf "%-20s %7d %7d %8d %8d\n", c, p[c], f[c], g[c], crashed[c]
      tp += p[c]; tf += f[c]; tg += g[c]; tc += crashed[c]
    }
    printf "%-20s %7d %7d %8d %8d\n", "total", tp, tf, tg, tc
    exit (tf + tc > 0)
  }' "$run_log" || status=1

printf '\nWindows check, wall time per phase:\n'
printf '  %s\n' "${PHASES[@]}"
printf '  %-34s %4ds\n' "total" $(($(date +%s) - t_all))
if [ "$status" -ne 0 ]; then
  echo "Windows check FAILED (see the table and the log above)" >&2
  exit 1
fi
log "Windows check passed"
