#!/usr/bin/env bash
# Builds OTPDesk's Linux packages (.deb and .rpm) here with the Tauri CLI and checks them for real:
# the lock file carries every platform's Tauri CLI, the Windows installer's Indonesian texts compile
# with makensis, the packages' metadata, dependencies, desktop entry, icons and sizes are right, the
# updater signatures verify with minisign, and the .deb installed with apt starts and shows its
# window under Xvfb (screenshot: tests/artifacts/package/installed-app.png); then it is removed.
# CI runs it (scripts/test.sh). Idempotent: run it twice in a row, it passes twice.
#
# Updater signing needs a key: a throwaway one is generated on the first run and kept in
# ~/.cache/otpdesk-tools/package-updater.key (never the release key; see docs/RELEASING.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_for_tests
cd "$ROOT"

started=$(date +%s)
ARTIFACTS=$ROOT/tests/artifacts/package
LOGS=$ARTIFACTS/logs
mkdir -p "$ARTIFACTS" "$LOGS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/summary.txt
WORK=$(mktemp -d)
TAURI=$ROOT/ui/node_modules/.bin/tauri
PACKAGE=otp-desk         # the .deb/.rpm name: Tauri kebab-cases productName "OTPDesk"
BINARY=otpdesk-app       # the Cargo [[bin]], installed as /usr/bin/otpdesk-app
DESKTOP=OTPDesk.desktop  # Tauri names it after productName

fail() { echo "package: FAILED: $*" >&2; exit 1; }
check() { # check DESCRIPTION COMMAND...: run COMMAND, fail with DESCRIPTION unless it succeeds
  local what=$1; shift
  "$@" || fail "$what"
  echo "  ok: $what"
}
has_line() { grep -qxF -- "$2" <<<"$1"; }
contains() { grep -qF -- "$2" <<<"$1"; }

installed_by_us=0
cleanup() {
  if [ "$installed_by_us" = 1 ] && dpkg -s "$PACKAGE" >/dev/null 2>&1; then
    apt_quiet remove -y "$PACKAGE" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

apt_quiet() {
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get -o DPkg::Lock::Timeout=600 -qq "$@"
}

version=$(cargo metadata --no-deps --format-version 1 --locked |
  node -e 'const m=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(m.packages.find(p=>p.name=="otpdesk").version)')
arch=$(dpkg --print-architecture)
rpm_arch=$(uname -m)

# ---------------------------------------------------------------------------------------------
log "Lock file: the Tauri CLI for every platform"
node scripts/check-cli-lock.mjs

# ---------------------------------------------------------------------------------------------
log "Windows installer texts: packaging/windows/Indonesian.nsh against Tauri's English.nsh"
# Tauri's NSIS texts are compiled into the CLI: take the English ones from the CLI in use, so a
# newer Tauri with a new text fails here instead of shipping an installer with an empty string.
cli_module=$(find "$ROOT"/ui/node_modules/@tauri-apps/ -path '*/cli-linux-*/cli.linux-*.node' -print -quit)
[ -n "$cli_module" ] || fail "no Tauri CLI for Linux in ui/node_modules"
# shellcheck disable=SC2016 # a literal ${LANG_ENGLISH}
grep -a -o 'LangString [A-Za-z0-9_]* ${LANG_ENGLISH} "[^"]*"' "$cli_module" | sort -u >"$WORK/English.nsh"
english_keys=$(awk '{print $2}' "$WORK/English.nsh" | sort -u)
indonesian_keys=$(grep '^LangString ' packaging/windows/Indonesian.nsh | awk '{print $2}' | sort -u)
[ "$(wc -l <<<"$english_keys")" -ge 20 ] || fail "found only $(wc -l <<<"$english_keys") English texts in $cli_module"
missing=$(comm -23 <(echo "$english_keys") <(echo "$indonesian_keys"))
extra=$(comm -13 <(echo "$english_keys") <(echo "$indonesian_keys"))
[ -z "$missing" ] || fail "Indonesian.nsh lacks: $(tr '\n' ' ' <<<"$missing")"
[ -z "$extra" ] || fail "Indonesian.nsh has texts Tauri does not use: $(tr '\n' ' ' <<<"$extra")"
echo "  ok: Indonesian.nsh translates all $(wc -l <<<"$english_keys") texts of Tauri $("$TAURI" --version | awk '{print $2}')"
# Compile both languages with every text used; -WX: a text not set for a language is an error.
{
  echo 'Unicode true'
  echo "!define PRODUCTNAME \"OTPDesk\""
  echo "!define VERSION \"$version\""
  echo '!include MUI2.nsh'
  echo "OutFile \"$WORK/lang-check.exe\""
  echo 'RequestExecutionLevel user'
  echo '!insertmacro MUI_PAGE_INSTFILES'
  echo '!insertmacro MUI_LANGUAGE "English"'
  echo '!insertmacro MUI_LANGUAGE "Indonesian"'
  echo "!include \"$WORK/English.nsh\""
  echo "!include \"$ROOT/packaging/windows/Indonesian.nsh\""
  echo 'Section'
  for k in $english_keys; do echo "  DetailPrint \"\$($k)\""; done
  echo 'SectionEnd'
} >"$WORK/lang-check.nsi"
makensis -WX -V2 -INPUTCHARSET UTF8 "$WORK/lang-check.nsi" >"$LOGS/makensis.log" 2>&1 ||
  { cat "$LOGS/makensis.log" >&2; fail "makensis could not compile Indonesian.nsh"; }
echo "  ok: makensis compiled English + Indonesian with every text set ($(stat -c %s "$WORK/lang-check.exe") byte test installer)"

# ---------------------------------------------------------------------------------------------
log "Building the .deb and .rpm (tauri build --debug)"
TOOLS_KEY=$TOOLS_DIR/package-updater.key
mkdir -p "$TOOLS_DIR"
if [ ! -s "$TOOLS_KEY" ] || [ ! -s "$TOOLS_KEY.pub" ]; then
  echo "  generating a throwaway updater key (not the release key) in $TOOLS_KEY"
  "$TAURI" signer generate --ci -p "" -f -w "$TOOLS_KEY" >/dev/null
fi
pubkey=$(cat "$TOOLS_KEY.pub")
# The throwaway key replaces the placeholder, and the update check goes to a closed loopback port:
# a package built here never asks GitHub for updates. The same key each run: no needless rebuild.
cat >"$WORK/package.conf.json" <<EOF
{"plugins": {"updater": {"pubkey": "$pubkey", "endpoints": ["https://127.0.0.1:9/latest.json"]}}}
EOF
bundle_dir=$CARGO_TARGET_DIR/debug/bundle
deb=$bundle_dir/deb/OTPDesk_${version}_${arch}.deb
rpm_file=$bundle_dir/rpm/OTPDesk-${version}-1.${rpm_arch}.rpm
rm -f "$deb" "$deb.sig" "$rpm_file" "$rpm_file.sig"
build_started=$(date +%s)
TAURI_SIGNING_PRIVATE_KEY=$TOOLS_KEY TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" \
  "$TAURI" build --debug --ci --bundles deb,rpm --config "$WORK/package.conf.json" >"$LOGS/tauri-build.log" 2>&1 ||
  { tail -40 "$LOGS/tauri-build.log" >&2; fail "tauri build (log: ${LOGS#"$ROOT"/}/tauri-build.log)"; }
build_secs=$(( $(date +%s) - build_started ))
[ -f "$deb" ] || fail "no $deb"
[ -f "$rpm_file" ] || fail "no $rpm_file"
cp "$deb" "$rpm_file" "$ARTIFACTS/"
echo "  built in ${build_secs} s: ${deb#"$CARGO_TARGET_DIR"/}, ${rpm_file#"$CARGO_TARGET_DIR"/}"

# ---------------------------------------------------------------------------------------------
log "Updater signatures (minisign)"
for f in "$deb" "$rpm_file"; do
  [ -f "$f.sig" ] || fail "no updater signature $f.sig"
  check "$(basename "$f").sig verifies with the updater public key" bash scripts/verify-updater-sig.sh "$f" "$f.sig" "$pubkey"
done
cp "$deb" "$WORK/tampered.deb" && printf 'x' >>"$WORK/tampered.deb"
check "a changed .deb does not verify" bash -c '! bash scripts/verify-updater-sig.sh "$1" "$2" "$3" 2>/dev/null' _ "$WORK/tampered.deb" "$deb.sig" "$pubkey"

# ---------------------------------------------------------------------------------------------
log "Checking the .deb (dpkg-deb -I / -c)"
dpkg-deb -I "$deb" >"$LOGS/deb-info.txt"
dpkg-deb -c "$deb" >"$LOGS/deb-contents.txt"
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: $PACKAGE" test "$(field Package)" = "$PACKAGE"
check "Version: $version (Cargo's)" test "$(field Version)" = "$version"
check "Architecture: $arch" test "$(field Architecture)" = "$arch"
check "Maintainer: OTPDesk <support@otpdesk.com>" test "$(field Maintainer)" = "OTPDesk <support@otpdesk.com>"
check "Homepage" test "$(field Homepage)" = "https://github.com/otpdesk/otpdesk"
check "Section: utils" test "$(field Section)" = "utils"
depends=$(field Depends)
for d in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 libdbus-1-3; do
  check "Depends on $d" grep -qE "(^|, )$d(,|$| )" <<<"$depends"
done
description=$(field Description)
check "Description: a synopsis and a long description of several lines" test "$(wc -l <<<"$description")" -ge 4
check "the synopsis is the short description" test "$(head -1 <<<"$description")" = "Virtual numbers and OTP codes from every provider in one window"
contents=$(awk '{print $6}' "$LOGS/deb-contents.txt" | sed 's|^\./||; s|^|/|')
check "/usr/bin/$BINARY" has_line "$contents" "/usr/bin/$BINARY"
check "/usr/share/applications/$DESKTOP" has_line "$contents" "/usr/share/applications/$DESKTOP"
for size in 32 64 128 512; do
  check "icon ${size}x${size} in hicolor" has_line "$contents" "/usr/share/icons/hicolor/${size}x${size}/apps/$BINARY.png"
done
dpkg-deb -x "$deb" "$WORK/deb"
for size in 32 64 128 512; do
  check "the ${size}x${size} icon really is ${size}x${size}" \
    test "$(identify -format '%wx%h' "$WORK/deb/usr/share/icons/hicolor/${size}x${size}/apps/$BINARY.png")" = "${size}x${size}"
done
desktop_file=$WORK/deb/usr/share/applications/$DESKTOP
check "desktop-file-validate $DESKTOP" desktop-file-validate "$desktop_file"
for line in "Name=OTPDesk" "Exec=$BINARY" "Icon=$BINARY" "Type=Application" "Terminal=false" "StartupWMClass=$BINARY"; do
  check "desktop entry: $line" grep -qxF "$line" "$desktop_file"
done
check "desktop entry: Indonesian comment" grep -q '^Comment\[id\]=' "$desktop_file"
installed_kib=$(field Installed-Size)
unpacked_kib=$(du -sk --apparent-size "$WORK/deb" | awk '{print $1}')
check "Installed-Size ${installed_kib} KiB matches the unpacked files (${unpacked_kib} KiB)" \
  test $(( installed_kib * 100 / unpacked_kib )) -ge 90 -a $(( installed_kib * 100 / unpacked_kib )) -le 110
check "Installed-Size is sane (1 MiB .. 400 MiB)" test "$installed_kib" -ge 1024 -a "$installed_kib" -le 409600
# Every shared library the binary loads comes from a package that Depends (or what it pulls in)
# provides: what a user without our build tools would miss.
needed=$(readelf -d "$WORK/deb/usr/bin/$BINARY" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
dep_names=$(sed 's/([^)]*)//g; s/|/,/g' <<<"$depends" | tr ',' '\n' | awk '{print $1}' | sort -u)
# shellcheck disable=SC2086 # one argument per package name
closure=$( (echo "$dep_names"; apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances $dep_names 2>/dev/null | grep -v '^ ' ) | sed 's/:.*//' | sort -u)
ld_cache=$(ldconfig -p)
for lib in $needed; do
  path=$(awk -v l="$lib" '$1 == l && /x86-64|AArch64|64bit/ {print $NF; exit}' <<<"$ld_cache")
  [ -n "$path" ] || fail "$BINARY needs $lib, which this machine does not have"
  # Debian 12 merges /lib into /usr/lib: dpkg knows the file under either name, so match its name.
  real=$(basename "$(readlink -f "$path")")
  owner=$(dpkg -S "*/$real" 2>/dev/null | grep -E "/$real\$" | head -1 | cut -d: -f1 || true)
  [ -n "$owner" ] || fail "no package owns $path ($lib)"
  check "$lib (from $owner) is covered by Depends" has_line "$closure" "$owner"
done

# ---------------------------------------------------------------------------------------------
log "Checking the .rpm (rpm -qpR / -qpl)"
rpmq() { rpm -qp --nosignature "$@" "$rpm_file" 2>/dev/null; }
rpmq -i >"$LOGS/rpm-info.txt"
rpmq -R >"$LOGS/rpm-requires.txt"
rpmq -l >"$LOGS/rpm-files.txt"
check "rpm Name/Version/Release: $PACKAGE $version 1" test "$(rpmq --qf '%{NAME} %{VERSION} %{RELEASE}')" = "$PACKAGE $version 1"
check "rpm License: Proprietary" test "$(rpmq --qf '%{LICENSE}')" = "Proprietary"
check "rpm URL" test "$(rpmq --qf '%{URL}')" = "https://github.com/otpdesk/otpdesk"
check "rpm Summary" test "$(rpmq --qf '%{SUMMARY}')" = "Virtual numbers and OTP codes from every provider in one window"
check "rpm Description: the long description" test "$(rpmq --qf '%{DESCRIPTION}' | wc -l)" -ge 3
for r in 'libwebkit2gtk-4.1.so.0()(64bit)' 'libgtk-3.so.0()(64bit)' 'libayatana-appindicator3.so.1()(64bit)' 'libdbus-1.so.3()(64bit)'; do
  check "rpm requires $r" grep -qxF "$r" "$LOGS/rpm-requires.txt"
done
rpm_files=$(cat "$LOGS/rpm-files.txt")
for f in "/usr/bin/$BINARY" "/usr/share/applications/$DESKTOP" \
  /usr/share/icons/hicolor/{32x32,64x64,128x128,512x512}/apps/$BINARY.png; do
  check "rpm holds $f" has_line "$rpm_files" "$f"
done

# ---------------------------------------------------------------------------------------------
log "Installing the .deb with apt"
if dpkg -s "$PACKAGE" >/dev/null 2>&1; then
  echo "  $PACKAGE is installed already (an earlier run?): removing it first"
  apt_quiet remove -y "$PACKAGE" >/dev/null
fi
installed_by_us=1
apt_quiet install -y --no-install-recommends "$deb" >"$LOGS/apt-install.log" 2>&1 ||
  { cat "$LOGS/apt-install.log" >&2; fail "apt-get install $deb"; }
check "dpkg reports $PACKAGE $version installed" test "$(dpkg-query -W -f '${Status} ${Version}' "$PACKAGE")" = "install ok installed $version"
check "/usr/bin/$BINARY is there and executable" test -x "/usr/bin/$BINARY"
check "the installed desktop entry validates" desktop-file-validate "/usr/share/applications/$DESKTOP"

# ---------------------------------------------------------------------------------------------
log "Starting the installed app (--demo) under Xvfb"
display=""
for n in $(seq 140 180); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || fail "no free X display"
mkdir -p "$WORK/data" "$WORK/xdg-data" "$WORK/xdg-config" "$WORK/xdg-cache"
cat >"$WORK/smoke.sh" <<'EOF'
# Runs inside a private D-Bus session: keyring, the installed app, its window, a screenshot.
set -euo pipefail
echo -n otpdesk-package | gnome-keyring-daemon --unlock --components=secrets >"$LOGS/keyring.log" 2>&1
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$LOGS/xvfb.log" 2>&1 &
xvfb=$!
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${DISPLAY#:}" ] && break; sleep 0.1; done
t0=$(date +%s%N)
"/usr/bin/$BINARY" --demo >"$LOGS/app.log" 2>&1 &
app=$!
echo "$app" >"$WORK/app.pid"
stop() {
  kill "$app" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$app" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  # gnome-keyring-daemon detaches: ours is the one with this session's keyring service.
  for env_file in /proc/[0-9]*/environ; do
    pid=${env_file#/proc/}; pid=${pid%/environ}
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = gnome-keyring-d ] || continue
    tr '\0' '\n' <"$env_file" 2>/dev/null | grep -qx "OTPDESK_KEYRING_SERVICE=$OTPDESK_KEYRING_SERVICE" && kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null || true
}
trap stop EXIT
timeout 90 xdotool search --sync --onlyvisible --name '^OTPDesk$' >"$WORK/windows.txt" || {
  echo "the window never appeared; app log:" >&2; tail -30 "$LOGS/app.log" >&2; exit 1; }
wid=$(head -1 "$WORK/windows.txt")
echo "window_ms=$(( ($(date +%s%N) - t0) / 1000000 ))" >"$WORK/smoke.env"
printf 'wm_class=%q\n' "$(xprop -id "$wid" WM_CLASS | sed 's/.*= //')" >>"$WORK/smoke.env"
printf 'geometry=%q\n' "$(xdotool getwindowgeometry "$wid" | sed -n 's/.*Geometry: //p')" >>"$WORK/smoke.env"
# Wait until the UI has painted (a blank webview is one colour), then take the screenshot.
colours=0
for _ in $(seq 1 60); do
  import -window root "$SHOT" 2>/dev/null || true
  colours=$(identify -format '%k' "$SHOT" 2>/dev/null || echo 0)
  [ "$colours" -ge 200 ] && break
  sleep 1
done
echo "colours=$colours" >>"$WORK/smoke.env"
kill -0 "$app" || { echo "the app exited" >&2; exit 1; }
echo "rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$app/status")" >>"$WORK/smoke.env"
EOF
set +e
export LOGS WORK BINARY
DISPLAY=$display SHOT=$ARTIFACTS/installed-app.png \
  OTPDESK_DATA_DIR=$WORK/data OTPDESK_KEYRING_SERVICE=otpdesk-package-$$ \
  XDG_DATA_HOME=$WORK/xdg-data XDG_CONFIG_HOME=$WORK/xdg-config XDG_CACHE_HOME=$WORK/xdg-cache \
  NO_AT_BRIDGE=1 GTK_A11Y=none RUST_LOG=info dbus-run-session -- bash "$WORK/smoke.sh" 2>"$LOGS/session.log"
smoke=$?
set -e
[ "$smoke" = 0 ] || { tail -20 "$LOGS/session.log" >&2; fail "the installed app did not show its window (logs: ${LOGS#"$ROOT"/}/app.log)"; }
window_ms=0 wm_class="" geometry="" colours=0 rss_kib=0
# shellcheck source=/dev/null # written by smoke.sh: window_ms, wm_class, geometry, colours, rss_kib
source "$WORK/smoke.env"
echo "  ok: window mapped after ${window_ms} ms, ${geometry}, WM_CLASS ${wm_class}, app RSS $((rss_kib / 1024)) MiB"
check "the window shows a painted UI ($colours colours)" test "$colours" -ge 200
check "WM_CLASS matches the desktop entry's StartupWMClass ($BINARY)" grep -qi "\"$BINARY\"" <<<"$wm_class"
check "screenshot at ${ARTIFACTS#"$ROOT"/}/installed-app.png" test -s "$ARTIFACTS/installed-app.png"

# ---------------------------------------------------------------------------------------------
log "Removing the package (apt remove)"
apt_quiet remove -y "$PACKAGE" >"$LOGS/apt-remove.log" 2>&1 || { cat "$LOGS/apt-remove.log" >&2; fail "apt-get remove"; }
installed_by_us=0
check "$PACKAGE is no longer installed" bash -c "! dpkg-query -W -f '\${Status}' $PACKAGE 2>/dev/null | grep -q 'ok installed'"
check "/usr/bin/$BINARY is gone" test ! -e "/usr/bin/$BINARY"

# ---------------------------------------------------------------------------------------------
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
{
  echo "OTPDesk $version packages (debug build, $arch)"
  echo "  .deb: $(basename "$deb")  $(mib "$(stat -c %s "$deb")")"
  echo "  .rpm: $(basename "$rpm_file")  $(mib "$(stat -c %s "$rpm_file")")"
  echo "  Installed-Size: $installed_kib KiB ($(mib $((installed_kib * 1024))))"
  echo "  Depends: $depends"
  echo "  rpm Requires: $(grep -v '^rpmlib(' "$LOGS/rpm-requires.txt" | tr '\n' ' ')"
  echo "  tauri build: ${build_secs} s; window mapped ${window_ms} ms after start; app RSS $((rss_kib / 1024)) MiB"
  echo "  package.sh: $(( $(date +%s) - started )) s"
} | tee "$ARTIFACTS/summary.txt"
log "Packages: all checks passed"
