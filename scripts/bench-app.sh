#!/usr/bin/env bash
# Benchmark of the built desktop app under Xvfb: cold start (process start → window mapped →
# first painted content) and idle memory of every app process (the app and its WebKit
# children) after it settles. Runs N times (default 5) in demo mode with fresh data, prints each
# run and the median. Needs the app built with the UI embedded:
#   npm --prefix ui run build && cargo build --release -p otpdesk --features custom-protocol
# then: scripts/bench-app.sh [release|debug] [runs]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/otpdesk-target}
profile=${1:-release}
runs=${2:-5}
app="$CARGO_TARGET_DIR/$profile/otpdesk-app"
[ -x "$app" ] || { echo "build $app first (see the header of this script)" >&2; exit 2; }

display=:93
Xvfb $display -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
export DISPLAY=$display NO_AT_BRIDGE=1
sleep 1

now_ms() { date +%s%3N; }
# The app's pid and all its descendants (WebKit's web and network processes).
tree_pids() {
  local pids=("$1") i=0
  while [ $i -lt ${#pids[@]} ]; do
    for c in $(pgrep -P "${pids[$i]}" || true); do pids+=("$c"); done
    i=$((i + 1))
  done
  echo "${pids[@]}"
}
# kB summed over pids: VmRSS from status, Pss from smaps_rollup.
sum_kb() {
  local field=$1 total=0 v; shift
  for p in "$@"; do
    if [ "$field" = Pss ]; then v=$(awk '$1=="Pss:" {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
    else v=$(awk -v f="$field:" '$1==f {print $2}' "/proc/$p/status" 2>/dev/null); fi
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

maps=(); paints=(); rss=(); pss=()
for run in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  t0=$(now_ms)
  OTPDESK_DATA_DIR=$data OTPDESK_KEYRING_SERVICE=otpdesk-bench-$$ "$app" --demo >/dev/null 2>&1 &
  pid=$!
  wid=$(xdotool search --sync --onlyvisible --name '^OTPDesk$' | head -1)
  t_map=$(now_ms)
  # First paint: the window shows more than a blank background (the UI has rendered).
  t_paint=""
  for _ in $(seq 1 400); do
    colors=$(import -window "$wid" -colors 256 -format '%k' info: 2>/dev/null || echo 0)
    if [ "${colors:-0}" -gt 8 ]; then t_paint=$(now_ms); break; fi
    sleep 0.02
  done
  sleep 10 # settle: demo session open, catalog loaded, idle
  read -ra procs < <(tree_pids $pid)
  nprocs=${#procs[@]}
  kb_rss=$(sum_kb VmRSS "${procs[@]}")
  kb_pss=$(sum_kb Pss "${procs[@]}")
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$data"
  maps+=($((t_map - t0))); paints+=($((${t_paint:-0} - t0))); rss+=($((kb_rss / 1024))); pss+=($((kb_pss / 1024)))
  echo "run $run: window mapped ${maps[-1]} ms, first paint ${paints[-1]} ms, idle RSS ${rss[-1]} MiB / PSS ${pss[-1]} MiB over $nprocs processes"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median ($profile, $runs runs): window mapped $(median "${maps[@]}") ms, first paint $(median "${paints[@]}") ms, idle RSS $(median "${rss[@]}") MiB, idle PSS $(median "${pss[@]}") MiB"
