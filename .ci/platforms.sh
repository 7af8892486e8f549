#!/usr/bin/env bash
# .ci/platforms.sh: runs the short test suites of the root package and
# cmd/bolt on platforms other than linux/amd64, for real, from a linux/amd64
# Debian 12 machine.
#
# Usage: bash .ci/platforms.sh [STEP...]           runs the steps
#        bash .ci/platforms.sh install [STEP...]   installs what they need
# STEP is one of (default: all four)
#   32bit   linux/386 natively if this host runs 386 binaries (a probe built
#           from .ci/probe decides), else linux/arm (GOARM=7) under qemu-arm:
#           some kernels lack IA-32 emulation ("exec format error"), and
#           Debian 12's qemu-i386 cannot run Go 386 binaries. Either way a
#           32-bit suite runs.
#   wine    windows/amd64 under wine64
#   arm64   linux/arm64 under qemu-aarch64
#   s390x   linux/s390x under qemu-s390x: big-endian
# A step whose emulator is missing fails, saying so; `install` gets them with
# apt-get (qemu-user-static, wine64, gcc-mingw-w64-x86-64-win32 for the shim
# DLL). Each test log is summarized by .ci/t2jsum; the full logs stay in
# $PLATFORMS_WORKDIR/logs. The last line is "platforms: N passed, M failed",
# and the exit status is 1 when a step failed. If CI_NOTES names a file, the
# 32-bit step appends a line to it saying which suite ran (.ci/run prints it).
#
# What the emulated runs need, and why:
#   wine    Debian 12's wine 8.0 has no bcryptprimitives.dll, which every
#           Go >= 1.24 Windows binary loads at start (ProcessPrng): a shim
#           built from .ci/winshim/ goes into the prefix's system32.
#           Go >= 1.25's os.RemoveAll deletes with FileDispositionInformationEx,
#           which wine 8.0 answers with STATUS_NOT_IMPLEMENTED, so every
#           t.TempDir cleanup would fail ("unlinkat ...: Invalid function").
#           The Windows test binaries are therefore built with a -overlay
#           that lets the standard library's Deleteat fall back to its
#           pre-Windows-10 path on that status too (the library itself never
#           calls RemoveAll). PLATFORMS_WINE_STDLIB_FIX=0 builds without it;
#           the summary then tags the failures that are only that.
#   qemu    binfmt_misc is not mounted, so a test binary cannot re-execute
#           itself under emulation: BOLT_NO_REEXEC=1 makes the tests that
#           need a child process skip themselves, saying so. BOLT_QEMU_USER=1
#           tells the tests they run under qemu user mode, which delivers
#           SIGBUS without the fault address.
#
# Knobs (environment):
#   PLATFORMS_FORCE_NO_386     1: act as if 386 binaries did not run here
#   PLATFORMS_PKGS      packages to test (default ". ./cmd/bolt")
#   PLATFORMS_QEMU_RUN  a -test.run pattern for the qemu steps (default:
#                       the whole short suite)
#   PLATFORMS_WORKDIR   binaries, logs, the wine prefix and the shim
#                       (default ~/.cache/bolt-platforms; kept between runs)
#   PLATFORMS_WINE_STDLIB_FIX  0: no -overlay for the wine build (see above)
# Under .ci/run, STEP_DEADLINE (seconds since the epoch) bounds each test
# binary's -test.timeout, so that a hang prints its goroutines in time.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$(pwd)
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
export GOWORK=off CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
unset GOOS GOARCH GO386 GOARM GOARM64
WORK="${PLATFORMS_WORKDIR:-${HOME:-/root}/.cache/bolt-platforms}"
mkdir -p "$WORK/bin" "$WORK/logs"
read -r -a PKGS <<<"${PLATFORMS_PKGS:-. ./cmd/bolt}"

# loud MESSAGE: a line that stands out in a long log.
loud() {
	echo "!!!!!!!! $*"
}

# note MESSAGE: prints MESSAGE and hands it to .ci/run's summary.
note() {
	echo "platforms: $*"
	if [ -n "${CI_NOTES:-}" ]; then
		echo "$*" >>"$CI_NOTES"
	fi
}

# pkgname PKG: a file-name-friendly name for a package path.
pkgname() {
	case $1 in
	.) echo root ;;
	*) echo "${1#./}" | tr '/' '_' ;;
	esac
}

# test_timeout DEFAULT: a test binary's -test.timeout: DEFAULT, or what is
# left before STEP_DEADLINE less 20 seconds (at least 30).
test_timeout() {
	if [ -z "${STEP_DEADLINE:-}" ]; then
		echo "$1"
		return
	fi
	local left=$((STEP_DEADLINE - $(date +%s) - 20))
	echo "$((left < 30 ? 30 : left))s"
}

# run_binary LABEL PKG BIN_AND_ARGS...: runs a test binary (through its
# emulator, which is part of BIN_AND_ARGS) in PKG's directory, as go test
# does, keeps the raw and the test2json log, and prints the summary (with
# T2JSUM_FLAGS). Returns 0 when the package passed.
run_binary() {
	local label=$1 pkg=$2
	shift 2
	local raw="$WORK/logs/$label.log" json="$WORK/logs/$label.json" rc sumrc
	echo "--- $label: $*"
	(cd "$ROOT/$pkg" && "$@" -test.v=test2json -test.timeout="$(test_timeout 8m)" 2>&1) |
		tee "$raw" | go tool test2json -t -p "$pkg" >"$json"
	rc=${PIPESTATUS[0]}
	"$WORK/bin/t2jsum" "${T2JSUM_FLAGS[@]}" <"$json"
	sumrc=$?
	echo "    (exit status $rc; logs: $raw, $json)"
	if ((sumrc == 0 && rc != 0)); then
		echo "result: FAIL (the tests passed, but the binary exited with status $rc)"
		return 1
	fi
	return "$sumrc"
}
T2JSUM_FLAGS=()

# ---- the steps ----

# runs_386: whether this host executes linux/386 binaries. Prints why not.
# PLATFORMS_FORCE_NO_386=1 probes with a linux/mips binary instead, which an
# amd64 host cannot run either: the whole detection path runs for real.
runs_386() {
	local arch=386 bin out rc=0
	if [ "${PLATFORMS_FORCE_NO_386:-0}" = 1 ]; then
		arch=mips
		echo -n "PLATFORMS_FORCE_NO_386=1, so the probe is a linux/mips binary: "
	fi
	bin="$WORK/bin/probe-$arch"
	if ! out=$(GOARCH=$arch go build -C "$ROOT/.ci" -o "$bin" ./probe 2>&1); then
		echo "the probe does not build: $out"
		return 2
	fi
	out=$("$bin" 2>&1) || rc=$?
	if ((rc == 0)) && [ "$out" = "probe: linux/386" ]; then
		return 0
	fi
	echo "this host cannot run it (exit status $rc: ${out:-no output})"
	return 1
}

step_32bit() {
	local why rc=0
	why=$(runs_386) || rc=$?
	case $rc in
	0)
		note "32-bit suite: linux/386, native"
		step_386
		;;
	1)
		note "32-bit suite: linux/arm (GOARM=7) under qemu-arm: $why"
		GOARM=7 step_qemu arm arm
		;;
	*)
		loud "$why"
		return 1
		;;
	esac
}

step_386() {
	local pkg label rc=0
	for pkg in "${PKGS[@]}"; do
		label="linux-386-$(pkgname "$pkg")"
		echo "--- $label: GOARCH=386 go test -short -count=1 -json $pkg"
		GOARCH=386 go test -short -count=1 -json -timeout="$(test_timeout 4m)" "$pkg" >"$WORK/logs/$label.json" 2>&1
		"$WORK/bin/t2jsum" <"$WORK/logs/$label.json" || rc=1
		echo "    (log: $WORK/logs/$label.json)"
	done
	return "$rc"
}

# find_tool NAME...: the path of the first NAME that is installed.
find_tool() {
	local t
	for t in "$@"; do
		if command -v "$t" >/dev/null 2>&1; then
			command -v "$t"
			return 0
		fi
	done
	return 1
}

# step_qemu GOARCH QEMUARCH: the suites under qemu-QEMUARCH (user mode).
step_qemu() {
	local arch=$1 qarch=$2 qemu
	if ! qemu=$(find_tool "qemu-$qarch-static" "qemu-$qarch"); then
		loud "FAILED: linux/$arch needs qemu-$qarch-static (qemu-user-static), which is not installed: run bash .ci/platforms.sh install"
		return 1
	fi
	export BOLT_NO_REEXEC=1 BOLT_QEMU_USER=1 BOLT_EMULATOR=qemu
	loud "NOTE: BOLT_NO_REEXEC=1: the tests that re-execute the test binary skip themselves under qemu"
	local runargs=()
	if [ -n "${PLATFORMS_QEMU_RUN:-}" ]; then
		loud "NOTE: PLATFORMS_QEMU_RUN: only the tests matching $PLATFORMS_QEMU_RUN run"
		runargs=(-test.run "$PLATFORMS_QEMU_RUN")
		T2JSUM_FLAGS=(-empty-ok)
	fi
	local pkg name bin rc=0
	for pkg in "${PKGS[@]}"; do
		name=$(pkgname "$pkg")
		bin="$WORK/bin/linux-$arch-$name.test"
		echo "--- GOARCH=$arch ${GOARM:+GOARM=$GOARM }go test -c -o $bin $pkg"
		rm -f "$bin"
		if ! GOARCH=$arch go test -c -o "$bin" "$pkg"; then
			rc=1
			continue
		fi
		[ -f "$bin" ] || continue # no test files
		run_binary "linux-$arch-$name" "$pkg" "$qemu" "$bin" -test.short "${runargs[@]}" || rc=1
	done
	return "$rc"
}

# wine_overlay FILE: writes a -overlay JSON to FILE that patches the
# standard library's Deleteat to fall back on STATUS_NOT_IMPLEMENTED (wine
# 8.0 lacks FileDispositionInformationEx). Fails, saying why, when this Go's
# source does not look as expected.
wine_overlay() {
	local out=$1 src
	src="$(go env GOROOT)/src/internal/syscall/windows/at_windows.go"
	if [ ! -f "$src" ]; then
		echo "no $src in this Go: nothing to patch"
		return 1
	fi
	if [ "$(grep -c 'STATUS_NOT_SUPPORTED: ' "$src")" != 1 ] ||
		! grep -q 'return deleteatFallback(h)' "$src"; then
		echo "$src does not have the expected Deleteat fallback switch"
		return 1
	fi
	mkdir -p "$WORK/overlay"
	# 0xC0000002 is STATUS_NOT_IMPLEMENTED.
	sed 's/STATUS_NOT_SUPPORTED: /STATUS_NOT_SUPPORTED, NTStatus(0xC0000002): /' "$src" >"$WORK/overlay/at_windows.go"
	printf '{"Replace":{"%s":"%s"}}\n' "$src" "$WORK/overlay/at_windows.go" >"$out"
}

# wine_prefix WINE: makes the wine prefix (once) and puts the
# bcryptprimitives.dll shim into it, built when missing or changed.
wine_prefix() {
	local wine=$1 shim="$WORK/winshim/bcryptprimitives.dll" stamp
	stamp=$(cat "$ROOT"/.ci/winshim/bcryptprimitives.{c,def} | sha256sum | cut -d' ' -f1)
	if [ ! -f "$shim" ] || [ "$(cat "$shim.sha256" 2>/dev/null)" != "$stamp" ]; then
		if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
			loud "FAILED: x86_64-w64-mingw32-gcc (gcc-mingw-w64-x86-64-win32) builds the bcryptprimitives.dll shim and is not installed: run bash .ci/platforms.sh install"
			return 1
		fi
		mkdir -p "$WORK/winshim"
		echo "--- building the bcryptprimitives.dll shim from .ci/winshim/"
		x86_64-w64-mingw32-gcc -shared -O2 -Wall -Wextra -s -nostdlib -e DllMain \
			-o "$shim" "$ROOT/.ci/winshim/bcryptprimitives.c" "$ROOT/.ci/winshim/bcryptprimitives.def" \
			-ladvapi32 || return 1
		echo "$stamp" >"$shim.sha256"
	fi
	if [ ! -f "$WINEPREFIX/system.reg" ]; then
		echo "--- creating the wine prefix $WINEPREFIX (once)"
		if ! timeout 300 "$wine" wineboot --init >"$WORK/logs/wineboot.log" 2>&1; then
			cat "$WORK/logs/wineboot.log"
			return 1
		fi
	fi
	local sys32="$WINEPREFIX/drive_c/windows/system32"
	if [ ! -d "$sys32" ]; then
		echo "the wine prefix has no $sys32"
		return 1
	fi
	cp "$shim" "$sys32/bcryptprimitives.dll"
}

step_wine() {
	local wine
	if ! wine=$(find_tool wine64 /usr/lib/wine/wine64 wine64-stable); then
		loud "FAILED: windows/amd64 needs wine64, which is not installed: run bash .ci/platforms.sh install"
		return 1
	fi
	export WINEPREFIX="$WORK/wine64-prefix" WINEARCH=win64 WINEDEBUG=-all
	# No Mono or Gecko installers: the tests need neither.
	export WINEDLLOVERRIDES="mscoree,mshtml="
	unset DISPLAY WAYLAND_DISPLAY
	wine_prefix "$wine" || return 1

	local overlay=() ovfile="$WORK/overlay/overlay.json" why
	T2JSUM_FLAGS=(-tempdir)
	if [ "${PLATFORMS_WINE_STDLIB_FIX:-1}" = 1 ]; then
		if why=$(wine_overlay "$ovfile"); then
			overlay=(-overlay "$ovfile")
			echo "--- building with $ovfile: os.RemoveAll falls back to the old delete on wine's STATUS_NOT_IMPLEMENTED"
		else
			loud "NOTE: building without the os.RemoveAll overlay ($why): t.TempDir cleanups will fail under wine 8"
		fi
	else
		loud "NOTE: PLATFORMS_WINE_STDLIB_FIX=0: t.TempDir cleanups will fail under wine 8"
	fi

	local pkg name exe rc=0
	for pkg in "${PKGS[@]}"; do
		name=$(pkgname "$pkg")
		exe="$WORK/bin/windows-amd64-$name.test.exe"
		echo "--- GOOS=windows GOARCH=amd64 go test -c ${overlay[*]} -o $exe $pkg"
		rm -f "$exe"
		if ! GOOS=windows GOARCH=amd64 go test -c "${overlay[@]}" -o "$exe" "$pkg"; then
			rc=1
			continue
		fi
		[ -f "$exe" ] || continue # no test files
		run_binary "windows-amd64-$name" "$pkg" "$wine" "$exe" -test.short || rc=1
	done
	# Stop this prefix's wineserver (only ours: it is per prefix).
	local ws
	if ws=$(find_tool wineserver /usr/lib/wine/wineserver64 wineserver-stable); then
		"$ws" -k >/dev/null 2>&1
	fi
	return "$rc"
}

step_arm64() { step_qemu arm64 aarch64; }
step_s390x() { step_qemu s390x s390x; }

# ---- installs ----

# apt_install CMD PACKAGES...: installs PACKAGES with apt-get unless CMD is
# already there.
apt_install() {
	local cmd=$1
	shift
	if command -v "$cmd" >/dev/null 2>&1; then
		echo "platforms: $cmd is installed"
		return 0
	fi
	if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
		loud "FAILED: $cmd is missing, and apt-get is not there or this is not root: install $* by hand"
		return 1
	fi
	local start=$SECONDS
	if [ ! -f "$WORK/logs/apt-update.done" ]; then
		echo "platforms: apt-get update"
		timeout 300 apt-get update -q >"$WORK/logs/apt-update.log" 2>&1 || tail -5 "$WORK/logs/apt-update.log"
		touch "$WORK/logs/apt-update.done"
	fi
	echo "platforms: apt-get install -y --no-install-recommends $*"
	if ! DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y --no-install-recommends "$@" \
		>"$WORK/logs/apt-install.log" 2>&1; then
		tail -5 "$WORK/logs/apt-install.log"
		loud "FAILED: installing $*"
		return 1
	fi
	echo "platforms: installed $* ($((SECONDS - start))s)"
}

# install STEP...: installs what the steps need.
install() {
	local s rc=0
	rm -f "$WORK/logs/apt-update.done"
	for s in "$@"; do
		case $s in
		32bit)
			if runs_386 >/dev/null; then
				echo "platforms: linux/386 binaries run here: the 32-bit step needs no emulator"
			else
				apt_install qemu-arm-static qemu-user-static || rc=1
			fi
			;;
		arm64) apt_install qemu-aarch64-static qemu-user-static || rc=1 ;;
		s390x) apt_install qemu-s390x-static qemu-user-static || rc=1 ;;
		wine)
			apt_install wine64 wine wine64 || rc=1
			apt_install x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64-win32 || rc=1
			;;
		*)
			echo "platforms: unknown step $s"
			rc=1
			;;
		esac
	done
	return "$rc"
}

# ---- running ----

all_steps=(32bit wine arm64 s390x)
if [ "${1:-}" = install ]; then
	shift
	(($# > 0)) || set -- "${all_steps[@]}"
	install "$@"
	exit
fi
(($# > 0)) || set -- "${all_steps[@]}"

if ! go build -C "$ROOT/.ci" -o "$WORK/bin/t2jsum" ./t2jsum; then
	echo "platforms: cannot build the test-log summarizer .ci/t2jsum"
	echo "platforms: 0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
results=()
for s in "$@"; do
	if ! declare -F "step_$s" >/dev/null || [[ " ${all_steps[*]} " != *" $s "* ]]; then
		echo "platforms: unknown step $s (steps: ${all_steps[*]})"
		failed=$((failed + 1))
		continue
	fi
	echo
	echo "==> platform: $s"
	start=$SECONDS
	if ("step_$s"); then
		verdict=ok
		passed=$((passed + 1))
	else
		verdict=FAILED
		failed=$((failed + 1))
	fi
	echo "<== platform: $s: $verdict ($((SECONDS - start))s)"
	results+=("$s: $verdict ($((SECONDS - start))s)")
done

echo
for r in "${results[@]+"${results[@]}"}"; do
	echo "platforms: $r"
done
echo "platforms: logs in $WORK/logs"
echo "platforms: ${passed} passed, ${failed} failed"
((failed == 0))
