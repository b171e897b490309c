#!/usr/bin/env bash
# The scripted purchase from the README: start the provider simulator, point the otpdesk CLI at
# it, check the balance, find a product, buy it and wait for the code. Fails unless a code is
# printed. The keys below are the simulator's public demo keys, not secrets.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/otpdesk-target}
cd "$ROOT"
cargo build -q -p otpdesk-sim -p otpdesk-cli
bin="$CARGO_TARGET_DIR/debug"

work=$(mktemp -d)
"$bin/otpdesk-sim" --port 0 --otp-delay-secs 3 >"$work/sim.log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$work/sim.log" && break; sleep 0.1; done
base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/sim.log" | head -1)
[ -n "$base" ] || { echo "the simulator did not start:"; cat "$work/sim.log"; exit 1; }

export OTPDESK_OTPZAP_URL="$base/otpzap/api/v1"
export OTPDESK_OTPZAP_KEY=ozk_demo_4f7c2a9e1b6d3f8a0c5e7b2d9f1a4c6e
export OTPDESK_DATA_DIR="$work/data"

set -x
"$bin/otpdesk" balance
"$bin/otpdesk" catalog s1 products --country 7 --platform 1
"$bin/otpdesk" --json buy s1 --product 814090256 --country 7 --platform 1 --wait --poll-secs 1 --timeout 60 | tee "$work/buy.jsonl"
"$bin/otpdesk" balance
{ set +x; } 2>/dev/null
grep -q '"otp":"[0-9]\{4,8\}"' "$work/buy.jsonl" || { echo "no code was printed"; exit 1; }
echo "demo: 1 passed, 0 failed"
