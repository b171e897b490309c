#!/usr/bin/env bash
# End-to-end test of the built desktop app: a real window under Xvfb, driven over WebDriver
# (tauri-driver + WebKitWebDriver), pointed at the provider simulator, with a real keyring
# (gnome-keyring in a private D-Bus session) and desktop notifications recorded by dbus-monitor.
#
#   tests/e2e/run.sh                 build what is needed, run the test, print node's summary
#   E2E_SKIP_BUILD=1 tests/e2e/run.sh   reuse the binaries already built
#
# Screenshots of every step go to tests/artifacts/e2e/ (gitignored), logs to tests/artifacts/e2e/logs/.
# Exit status: node's (0 when every test passed).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/otpdesk-target}
TOOLS=${OTPDESK_TOOLS:-$HOME/.cache/otpdesk-tools}
ARTIFACTS=${E2E_ARTIFACTS:-$ROOT/tests/artifacts/e2e}
LOGS=$ARTIFACTS/logs

say() { printf '\n\033[1m== e2e: %s\033[0m\n' "$*" >&2; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# ---------------------------------------------------------------------------------------------
# Inside the private D-Bus session (re-invoked by the outer part below).
# ---------------------------------------------------------------------------------------------
if [ "${1:-}" = "--in-session" ]; then
  pids=()
  cleanup_inner() {
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
    # gnome-keyring-daemon detaches itself: find ours by the keyring service name only we use.
    for env_file in /proc/[0-9]*/environ; do
      pid=${env_file#/proc/}; pid=${pid%/environ}
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = gnome-keyring-d ] || continue
      if tr '\0' '\n' <"$env_file" 2>/dev/null | grep -qx "OTPDESK_KEYRING_SERVICE=$OTPDESK_KEYRING_SERVICE"; then
        kill "$pid" 2>/dev/null || true
      fi
    done
    wait 2>/dev/null || true
  }
  trap cleanup_inner EXIT

  # Keyring: an unlocked Secret Service on this session bus only.
  echo -n otpdesk-e2e | gnome-keyring-daemon --unlock --components=secrets >"$LOGS/keyring.log" 2>&1

  # Notifications: record every Notify call; dunst shows them on the virtual screen (and answers
  # the call, as a desktop would).
  dbus-monitor --session "interface='org.freedesktop.Notifications',member='Notify'" >"$NOTIFY_LOG" 2>&1 &
  pids+=($!)
  if command -v dunst >/dev/null; then
    dunst >"$LOGS/dunst.log" 2>&1 &
    pids+=($!)
  fi

  export TAURI_DRIVER_PORT=$(free_port)
  native_port=$(free_port)
  # The app (started by tauri-driver) gets a HOME of its own: start at login writes
  # ~/.config/autostart there, never into the real one.
  HOME=$E2E_HOME "$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port "$native_port" >"$LOGS/tauri-driver.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$TAURI_DRIVER_PORT/status" >/dev/null 2>&1 && break
    sleep 0.1
  done

  cd "$HERE"
  set +e
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$LOGS/node-test.tap" app.test.mjs
  status=$?
  set -e
  exit $status
fi

# ---------------------------------------------------------------------------------------------
# Outer part: tools, build, Xvfb, simulator, then the session above.
# ---------------------------------------------------------------------------------------------
started=$(date +%s)
mkdir -p "$ARTIFACTS" "$LOGS"
rm -f "$ARTIFACTS"/*.png

for tool in Xvfb WebKitWebDriver dbus-run-session dbus-monitor gnome-keyring-daemon curl node cargo; do
  command -v "$tool" >/dev/null || { echo "e2e: missing $tool (see /work/shared/TAURI-LINUX.md: apt packages)" >&2; exit 2; }
done

TAURI_DRIVER=$TOOLS/bin/tauri-driver
if [ ! -x "$TAURI_DRIVER" ]; then
  say "installing tauri-driver 2.1.0 into $TOOLS"
  # Its own target dir: no lock contention with the shared one, nothing left behind.
  install_target=$(mktemp -d)
  CARGO_TARGET_DIR=$install_target cargo install tauri-driver@2.1.0 --locked --root "$TOOLS"
  rm -rf "$install_target"
fi

say "npm dependencies"
(cd "$HERE" && npm install --no-audit --no-fund --loglevel=error)
[ -d "$ROOT/ui/node_modules" ] || (cd "$ROOT/ui" && npm install --no-audit --no-fund --loglevel=error)

# The target dir is shared with other builds: a plain `cargo build` elsewhere overwrites
# debug/otpdesk-app with a binary that loads the dev server. Copy ours aside right after building.
E2E_BIN=$CARGO_TARGET_DIR/e2e
APP=$E2E_BIN/otpdesk-app
SIM=$E2E_BIN/otpdesk-sim
SEED=$E2E_BIN/otpdesk-seed
if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
  say "building the UI and the app (UI embedded) and the simulator"
  npm --prefix "$ROOT/ui" run --silent build
  mkdir -p "$E2E_BIN"
  (cd "$ROOT" && cargo build -p otpdesk --features custom-protocol --bin otpdesk-app)
  cp "$CARGO_TARGET_DIR/debug/otpdesk-app" "$APP.tmp" && mv "$APP.tmp" "$APP"
  (cd "$ROOT" && cargo build -p otpdesk-sim --bin otpdesk-sim)
  cp "$CARGO_TARGET_DIR/debug/otpdesk-sim" "$SIM.tmp" && mv "$SIM.tmp" "$SIM"
  # The history-at-volume step's seeding tool (engine feature `seed`, never in the app); a debug
  # build seeds 100,000 orders in ~15 s, a release build would cost CI a quarter of an hour.
  (cd "$ROOT" && cargo build -p otpdesk-engine --features seed --bin otpdesk-seed)
  cp "$CARGO_TARGET_DIR/debug/otpdesk-seed" "$SEED.tmp" && mv "$SEED.tmp" "$SEED"
  # The team step's other desktop (the owner): the command line on the same team store.
  (cd "$ROOT" && cargo build -p otpdesk-cli --bin otpdesk)
  cp "$CARGO_TARGET_DIR/debug/otpdesk" "$E2E_BIN/otpdesk.tmp" && mv "$E2E_BIN/otpdesk.tmp" "$E2E_BIN/otpdesk"
fi
if [ -x "$E2E_BIN/otpdesk" ]; then export OTPDESK_CLI_BIN=$E2E_BIN/otpdesk; fi
if [ -z "${OTPDESK_SEED_BIN:-}" ] && [ -x "$SEED" ]; then export OTPDESK_SEED_BIN=$SEED; fi
[ -x "$APP" ] || { echo "e2e: $APP is missing (run without E2E_SKIP_BUILD)" >&2; exit 2; }
[ -x "$SIM" ] || { echo "e2e: $SIM is missing (run without E2E_SKIP_BUILD)" >&2; exit 2; }
# A binary built without custom-protocol loads http://localhost:1420 and shows nothing useful.
if grep -q "localhost:1420" "$APP" && ! grep -q "tauri://localhost" "$APP"; then
  echo "e2e: $APP was built without --features custom-protocol" >&2
fi

WORK=$(mktemp -d)
outer_pids=()
# The team step's PostgreSQL (outside $WORK: the server's user must reach it).
PG_DIR=/tmp/otpdesk-e2e-pg-$$
cleanup() {
  for ((i = ${#outer_pids[@]} - 1; i >= 0; i--)); do kill "${outer_pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash "$HERE/pg.sh" stop "$PG_DIR" || true
  rm -rf "$WORK" "$PG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "virtual screen"
display=""
for n in $(seq 90 130); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "e2e: no free X display" >&2; exit 2; }
# A 1366×768 laptop, the smallest screen resellers use: the window must fit it.
Xvfb "$display" -screen 0 ${E2E_SCREEN:-1366x768}x24 -nolisten tcp >"$LOGS/xvfb.log" 2>&1 &
outer_pids+=($!)
export DISPLAY=$display
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

say "simulator"
"$SIM" --port 0 >"$LOGS/sim.log" 2>&1 &
outer_pids+=($!)
SIM_URL=""
for _ in $(seq 1 100); do
  SIM_URL=$(sed -n 's/^otpdesk-sim listening on \(http[^ ]*\).*/\1/p' "$LOGS/sim.log" | head -1)
  [ -n "$SIM_URL" ] && break
  sleep 0.1
done
[ -n "$SIM_URL" ] || { echo "e2e: the simulator did not start:" >&2; cat "$LOGS/sim.log" >&2; exit 2; }
SIM_URL=${SIM_URL%/}

# What the app and the test see. The app inherits this environment through tauri-driver.
export SIM_URL APP_BINARY=$APP ARTIFACTS NOTIFY_LOG=$LOGS/notifications.log TAURI_DRIVER LOGS
export OTPDESK_OTPZAP_URL=$SIM_URL/otpzap/api/v1
export OTPDESK_NUMBEROTP_URL=$SIM_URL/numberotp/v1
export OTPDESK_OOPPAY_URL=$SIM_URL/ooppay/api/v1
export OTPDESK_DATA_DIR=$WORK/data
export OTPDESK_KEYRING_SERVICE=otpdesk-e2e-$$
export XDG_DATA_HOME=$WORK/xdg-data XDG_CONFIG_HOME=$WORK/xdg-config XDG_CACHE_HOME=$WORK/xdg-cache
export E2E_HOME=$WORK/home E2E_SCREEN=${E2E_SCREEN:-1366x768}
export RUST_LOG=${RUST_LOG:-info}
export NO_AT_BRIDGE=1 # no accessibility bus: fewer processes, nothing left behind
mkdir -p "$OTPDESK_DATA_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$E2E_HOME"

# A file manager for Settings' "Open log folder" (this machine has none, xdg-open would fail):
# it writes down each folder it is asked to open, so the test checks which one.
export OPENED_FOLDERS=$LOGS/opened-folders.log
rm -f "$OPENED_FOLDERS"
mkdir -p "$XDG_DATA_HOME/applications"
printf '#!/bin/sh\necho "$1" >>"%s"\n' "$OPENED_FOLDERS" >"$WORK/open-folder.sh"
chmod +x "$WORK/open-folder.sh"
printf '[Desktop Entry]\nType=Application\nName=Files (e2e)\nExec=%s %%f\nMimeType=inode/directory;\nNoDisplay=true\n' \
  "$WORK/open-folder.sh" >"$XDG_DATA_HOME/applications/otpdesk-e2e-files.desktop"
# A browser for "Share" (wa.me / t.me links): it writes down each address it is asked to open.
export OPENED_URLS=$LOGS/opened-urls.log
rm -f "$OPENED_URLS"
printf '#!/bin/sh\necho "$1" >>"%s"\n' "$OPENED_URLS" >"$WORK/open-url.sh"
chmod +x "$WORK/open-url.sh"
printf '[Desktop Entry]\nType=Application\nName=Browser (e2e)\nExec=%s %%u\nMimeType=x-scheme-handler/https;\nNoDisplay=true\n' \
  "$WORK/open-url.sh" >"$XDG_DATA_HOME/applications/otpdesk-e2e-browser.desktop"
printf '[Default Applications]\ninode/directory=otpdesk-e2e-files.desktop\nx-scheme-handler/https=otpdesk-e2e-browser.desktop\n' >"$XDG_CONFIG_HOME/mimeapps.list"

say "PostgreSQL for the team step"
if E2E_PG_URL=$(bash "$HERE/pg.sh" start "$PG_DIR" 2>"$LOGS/pg.log"); then
  export E2E_PG_URL
else
  echo "e2e: no PostgreSQL (the team step fails): $(cat "$LOGS/pg.log")" >&2
fi

say "running the test (simulator at $SIM_URL, display $DISPLAY)"
set +e
dbus-run-session -- bash "$HERE/run.sh" --in-session
status=$?
set -e

echo "e2e: screenshots in ${ARTIFACTS#$ROOT/}/, logs in ${LOGS#$ROOT/}/; took $(( $(date +%s) - started )) s" >&2
exit $status
