#!/usr/bin/env bash
# Verifies a Tauri updater signature with minisign, independently of Tauri: FILE.sig (as
# `tauri build` / `tauri signer sign` write it) is the base64 of a minisign signature file, and the
# public key (as in tauri.conf.json's plugins.updater.pubkey) is the base64 of a minisign public key
# file. Used by scripts/package.sh and the release workflow's key check.
# Usage: verify-updater-sig.sh FILE SIGFILE PUBKEY   (PUBKEY: the base64 text, or a file holding it)
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 FILE SIGFILE PUBKEY" >&2; exit 2; }
file=$1 sig=$2 pub=$3
[ -f "$pub" ] && pub=$(cat "$pub")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base64 -d <"$sig" >"$tmp/file.minisig" || { echo "$sig: not base64" >&2; exit 1; }
printf '%s' "$pub" | base64 -d >"$tmp/key.pub" || { echo "public key: not base64" >&2; exit 1; }
minisign -V -q -m "$file" -x "$tmp/file.minisig" -p "$tmp/key.pub" || {
  echo "$file: the updater signature $sig does NOT verify with this public key" >&2
  exit 1
}
