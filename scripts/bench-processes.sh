#!/usr/bin/env bash
# Benchmark of many otpdesk processes on one order book and one OTPZap key, against the simulator
# (limit 300 requests/min per key): the key's requests per minute with 1, 10 and 30 concurrent
# `buy … --wait` (codes delivered 20–40 s after each order, so tracking polls dominate), and how
# long the OTPZap tracking lease stays orphaned after `kill -9` of its holder (read from the
# coordination file with sqlite3). Prints a table. Needs what scripts/setup.sh installs (sqlite3,
# curl); the key below is the simulator's public demo key, not a secret.
#   scripts/bench-processes.sh [release|debug] [kills]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/otpdesk-target}
profile=${1:-release}
kills=${2:-8}
SIZES=(${OTPDESK_BENCH_SIZES:-1 10 30})
DELAY_MIN=${OTPDESK_BENCH_DELAY_MIN:-20}
DELAY_MAX=${OTPDESK_BENCH_DELAY_MAX:-40}
TRACKERS=3
KEY=ozk_demo_4f7c2a9e1b6d3f8a0c5e7b2d9f1a4c6e
BUY=(--json buy s1 --product 814090256 --country 7 --platform 1)

for tool in sqlite3 curl; do
  command -v $tool >/dev/null || { echo "bench-processes needs $tool (scripts/setup.sh installs it)" >&2; exit 2; }
done
cd "$ROOT"
case $profile in
  release) cargo build -q --release -p otpdesk-sim -p otpdesk-cli ;;
  debug) cargo build -q -p otpdesk-sim -p otpdesk-cli ;;
  *) echo "usage: $0 [release|debug] [kills]" >&2; exit 2 ;;
esac
bin="$CARGO_TARGET_DIR/$profile"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/otpdesk-sim" --port "${OTPDESK_BENCH_PORT:-0}" --rate-limit-per-min 300 >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/sim.log" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/sim.log" | head -1)
[ -n "$base" ] || { echo "the simulator did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }
ctl="$base/_sim"
export OTPDESK_OTPZAP_URL="$base/otpzap/api/v1" OTPDESK_OTPZAP_KEY=$KEY
export OTPDESK_KEYRING_SERVICE=com.otpdesk.bench
unset OTPDESK_NUMBEROTP_KEY OTPDESK_OOPPAY_KEY

now_ms() { date +%s%3N; }
sql() { sqlite3 -batch -noheader "$@"; }
ref_of() { { grep -o '"ref":"[^"]*"' "$1" 2>/dev/null || true; } | head -1 | cut -d'"' -f4; }

# Request log of the key, fetched once: one row per request, t in epoch ms.
load_requests() {
  curl -sf "$ctl/requests" >"$work/requests.json"
  sql "$work/req.db" "DROP TABLE IF EXISTS r;
    CREATE TABLE r AS SELECT CAST(round((julianday(json_extract(value,'$.at')) - 2440587.5) * 86400000) AS INTEGER) AS t,
      json_extract(value,'$.status') AS status
    FROM json_each(readfile('$work/requests.json'), '$.requests')
    WHERE json_extract(value,'$.provider') = 'otpzap' AND json_extract(value,'$.key_fp') IS NOT NULL;
    CREATE INDEX rt ON r(t);"
}

# One scenario: N concurrent `buy … --wait`, each code delivered DELAY_MIN–DELAY_MAX s after its
# order line. Prints one table row.
scenario() {
  local n=$1 dir="$work/run$1" i ref delay t_open t_first
  rm -rf "$dir"; mkdir -p "$dir/data"
  curl -sf -XPOST "$ctl/reset" >/dev/null
  local runpids=() helpers=()
  local t_start; t_start=$(now_ms)
  for i in $(seq 1 "$n"); do
    OTPDESK_DATA_DIR="$dir/data" "$bin/otpdesk" "${BUY[@]}" --wait --timeout 180 >"$dir/out.$i" 2>"$dir/err.$i" &
    runpids+=($!); pids+=($!)
    delay=$((DELAY_MIN + RANDOM % (DELAY_MAX - DELAY_MIN + 1)))
    (
      for _ in $(seq 1 600); do ref=$(ref_of "$dir/out.$i"); [ -n "$ref" ] && break; sleep 0.1; done
      sleep "$delay"
      now_ms >>"$dir/delivered"
      curl -sf -XPOST "$ctl/deliver" -H 'content-type: application/json' -d "{\"ref\":\"$ref\"}" >/dev/null
    ) &
    helpers+=($!); pids+=($!)
  done
  # All orders bought: from here until the first code only tracking polls run.
  for _ in $(seq 1 1200); do
    [ "$(grep -l '"type":"order"' "$dir"/out.* 2>/dev/null | wc -l)" -eq "$n" ] && break
    sleep 0.1
  done
  t_open=$(now_ms)
  local failed=0
  for i in "${!runpids[@]}"; do
    if ! wait "${runpids[$i]}"; then
      failed=$((failed + 1))
      echo "buy $((i + 1)) of $n failed: $(tail -c 600 "$dir/err.$((i + 1))")" >&2
    fi
  done
  for p in "${helpers[@]}"; do wait "$p" || true; done
  local secs; secs=$(( ($(now_ms) - t_start) / 1000 ))
  t_first=$(sort -n "$dir/delivered" | head -1)
  local codes; codes=$(cat "$dir"/out.* | grep -c '"type":"otp"' || true)
  load_requests
  sql "$work/req.db" "SELECT printf('%9d  %6d  %8d  %17.0f  %12.0f  %9d  %4d  %5d  %6d  %5d',
      $n, $n, (SELECT COUNT(*) FROM r),
      (SELECT COUNT(*) FROM r WHERE t >= $t_open AND t < $t_first) * 60000.0 / MAX(1, $t_first - $t_open),
      (SELECT COUNT(*) * 60000.0 / MAX(1, MAX(t) - MIN(t)) FROM r),
      (SELECT MAX((SELECT COUNT(*) FROM r r2 WHERE r2.t >= r1.t AND r2.t < r1.t + 60000)) FROM r r1),
      (SELECT COUNT(*) FROM r WHERE status = 429),
      $codes, $failed, $secs)"
}

# Who holds the OTPZap tracking lease now (pid), per the coordination file.
holder() {
  sql -cmd '.timeout 2000' "$1/otpdesk-coord.sqlite3" \
    "SELECT i.pid FROM leases l JOIN instances i ON i.id = l.holder
     WHERE l.name = 'tracker:otpzap' AND l.expires_at > CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)" 2>/dev/null || true
}

start_tracker() {
  OTPDESK_DATA_DIR="$1" "$bin/otpdesk" --json track >/dev/null 2>&1 &
  pids+=($!)
}

# kill -9 of the lease holder, `kills` times, with TRACKERS `track` processes (a killed one is
# replaced after the takeover) and a few open orders; writes the takeover times (ms) to $1.
takeovers() {
  local data="$work/takeover/data" i pid new t0 t1
  mkdir -p "$data"
  curl -sf -XPOST "$ctl/reset" >/dev/null
  for i in 1 2 3 4 5; do OTPDESK_DATA_DIR="$data" "$bin/otpdesk" "${BUY[@]}" >/dev/null; done
  for i in $(seq 1 "$TRACKERS"); do start_tracker "$data"; done
  for _ in $(seq 1 200); do [ -n "$(holder "$data")" ] && break; sleep 0.05; done
  for i in $(seq 1 "$kills"); do
    # 1–3 s apart, at random: a fixed pace would fall into step with the 2 s lease renewals.
    sleep "$((1 + RANDOM % 2)).$((RANDOM % 10))"
    pid=$(holder "$data")
    [ -n "$pid" ] || { echo "nobody holds the lease" >&2; exit 1; }
    t0=$(now_ms)
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true # reaped at once, as any parent does: a zombie still "runs"
    while :; do
      new=$(holder "$data")
      if [ -n "$new" ] && [ "$new" != "$pid" ] && kill -0 "$new" 2>/dev/null; then break; fi
      [ $(( $(now_ms) - t0 )) -lt 30000 ] || { echo "nobody took over after 30 s" >&2; exit 1; }
      sleep 0.02
    done
    t1=$(now_ms)
    echo $((t1 - t0)) >>"$1"
    start_tracker "$data"
  done
}

echo "OTPDesk processes benchmark: $profile build, simulator limit 300/min per key, engine budget 262/min + burst 8"
echo "each process: otpdesk buy s1 --wait on one order book; codes delivered ${DELAY_MIN}-${DELAY_MAX} s after each order"
echo
echo "processes  orders  requests  req/min(all open)  req/min(run)  peak/60 s  429s  codes  errors  run s"
for n in "${SIZES[@]}"; do scenario "$n"; done
echo
[ "$kills" -gt 0 ] || exit 0
takeovers "$work/takeovers"
mapfile -t times < <(sort -n "$work/takeovers")
count=${#times[@]}
echo "takeover after kill -9 of the lease holder ($TRACKERS trackers, $count kills):" \
  "min ${times[0]} ms  p50 ${times[$((count / 2))]} ms  max ${times[$((count - 1))]} ms"
echo "all: ${times[*]} ms"
