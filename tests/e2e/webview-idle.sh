#!/usr/bin/env bash
# End-to-end test of the all-day footprint: the built app under Xvfb with
# OTPDESK_WEBVIEW_IDLE_SECS=3 (demo mode, a private D-Bus session with a real keyring). Over
# WebDriver it sets a History filter; the window is closed as a window manager would
# (WM_DELETE_WINDOW) and hides to the tray; after the idle time the WebKit web process must be
# gone while the app lives on; a second launch (single instance) brings the window back, and the
# History screen must show the same filter. A minimal StatusNotifierWatcher stands in for the
# desktop's tray host (scripts/sni-watcher.py). Prints PASS or FAIL (exit status 0 / 1).
#
#   tests/e2e/webview-idle.sh          uses the app tests/e2e/run.sh built ($CARGO_TARGET_DIR/e2e)
#   APP_BINARY=path tests/e2e/webview-idle.sh   another build (e.g. release, with custom-protocol)
#
# Screenshots go to tests/artifacts/webview-idle/, logs to tests/artifacts/webview-idle/logs/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/otpdesk-target}
TOOLS=${OTPDESK_TOOLS:-$HOME/.cache/otpdesk-tools}
export ARTIFACTS=${WEBVIEW_IDLE_ARTIFACTS:-$ROOT/tests/artifacts/webview-idle}
export LOGS=$ARTIFACTS/logs

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

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
  echo -n otpdesk-e2e | gnome-keyring-daemon --unlock --components=secrets >"$LOGS/keyring.log" 2>&1
  # A tray host, as on KDE, XFCE or Ubuntu: closing the window then hides it to the tray.
  /usr/bin/python3 "$ROOT/scripts/sni-watcher.py" >"$LOGS/sni-watcher.log" 2>&1 &
  pids+=($!)
  export TAURI_DRIVER_PORT=$(free_port)
  native_port=$(free_port)
  "$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port "$native_port" >"$LOGS/tauri-driver.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$TAURI_DRIVER_PORT/status" >/dev/null 2>&1 && break
    sleep 0.1
  done
  cd "$HERE"
  set +e
  node --test --test-reporter=spec webview-idle.mjs
  status=$?
  set -e
  exit $status
fi

mkdir -p "$ARTIFACTS" "$LOGS"
rm -f "$ARTIFACTS"/*.png
for tool in Xvfb WebKitWebDriver dbus-run-session gnome-keyring-daemon xdotool python3 node curl; do
  command -v "$tool" >/dev/null || { echo "webview-idle: missing $tool (see /work/shared/TAURI-LINUX.md)" >&2; echo FAIL; exit 1; }
done
/usr/bin/python3 -c 'import dbus, gi' 2>/dev/null || { echo "webview-idle: needs python3-dbus and python3-gi (apt)" >&2; echo FAIL; exit 1; }
export TAURI_DRIVER=$TOOLS/bin/tauri-driver
[ -x "$TAURI_DRIVER" ] || { echo "webview-idle: $TAURI_DRIVER is missing: run tests/e2e/run.sh first" >&2; echo FAIL; exit 1; }
export APP_BINARY=${APP_BINARY:-$CARGO_TARGET_DIR/e2e/otpdesk-app}
[ -x "$APP_BINARY" ] || { echo "webview-idle: $APP_BINARY is missing: run tests/e2e/run.sh first" >&2; echo FAIL; exit 1; }
(cd "$HERE" && [ -d node_modules/webdriverio ] || npm install --no-audit --no-fund --loglevel=error)

WORK=$(mktemp -d)
xvfb=""
cleanup() {
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

display=""
for n in $(seq 131 170); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "webview-idle: no free X display" >&2; echo FAIL; exit 1; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$LOGS/xvfb.log" 2>&1 &
xvfb=$!
export DISPLAY=$display
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

# The app (and its second launch) see this environment; tauri-driver passes it on.
export OTPDESK_WEBVIEW_IDLE_SECS=3
export OTPDESK_DEMO=1
export OTPDESK_DATA_DIR=$WORK/data
export OTPDESK_KEYRING_SERVICE=otpdesk-idle-$$
export XDG_DATA_HOME=$WORK/xdg-data XDG_CONFIG_HOME=$WORK/xdg-config XDG_CACHE_HOME=$WORK/xdg-cache
export RUST_LOG=${RUST_LOG:-info}
export NO_AT_BRIDGE=1
export WM_CLOSE=$ROOT/scripts/wm-close.py
mkdir -p "$OTPDESK_DATA_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"

set +e
dbus-run-session -- bash "$HERE/webview-idle.sh" --in-session
status=$?
set -e
if [ $status -eq 0 ]; then echo PASS; else echo FAIL; fi
exit $status
