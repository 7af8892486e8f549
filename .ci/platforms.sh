#!/usr/bin/env bash
# .ci/platforms.sh: run the test suite on platforms other than linux/amd64,
# for real, from a linux/amd64 Debian 12 machine. Usage, from anywhere in the
# checkout: bash .ci/platforms.sh
#
# Steps (each under `timeout`, with its name and duration):
#   linux/386       native: GOARCH=386 go test -short (CGO_ENABLED=0, no -race)
#   windows/amd64   the test binaries cross-compiled and run under wine64
#   linux/arm64     the test binaries run under qemu-aarch64 (user mode)
#   linux/s390x     the test binaries run under qemu-s390x: big-endian
#   cross GOOS/ARCH go vet + go build for eight more targets
# The test steps run the root package and ./cmd/bolt in -short mode and print
# a summary per package: tests run/passed/failed/skipped, and the first lines
# of each failure. The full logs (raw -v output and test2json) stay in
# $PLATFORMS_WORKDIR/logs.
#
# Missing emulators are installed once with apt-get (wine, wine64,
# gcc-mingw-w64-x86-64-win32 for the shim DLL, qemu-user-static); a step
# whose emulator cannot be had says "PLATFORM STEP SKIPPED" and counts as
# skipped. The last line is the summary, "platforms: N passed, M failed,
# K skipped"; the exit status is 1 when a step failed.
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
#           need a child process skip themselves, saying so.
#
# Knobs (environment):
#   PLATFORMS_STEPS     steps to run (default "386 wine arm64 s390x cross")
#   PLATFORMS_INSTALL   0: never run apt-get (missing emulators skip)
#   PLATFORMS_PKGS      packages to test (default ". ./cmd/bolt")
#   PLATFORMS_QEMU_RUN  a -test.run pattern for the qemu steps (default:
#                       the whole short suite)
#   PLATFORMS_WORKDIR   binaries, logs, the wine prefix and the shim
#                       (default ~/.cache/bolt-platforms; kept between runs)
#   PLATFORMS_WINE_STDLIB_FIX  0: no -overlay for the wine build (see above)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$(pwd)
export ROOT

if ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null 2>&1; then
	echo "platforms: go not found on PATH or in /usr/local/go/bin" >&2
	echo "platforms: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

export GOWORK=off CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
unset GOOS GOARCH GO386 GOARM64
export WORK="${PLATFORMS_WORKDIR:-${HOME:-/root}/.cache/bolt-platforms}"
mkdir -p "$WORK/bin" "$WORK/logs"
export PKGS="${PLATFORMS_PKGS:-. ./cmd/bolt}"
export QEMU_RUN="${PLATFORMS_QEMU_RUN:-}"
STEPS=" ${PLATFORMS_STEPS:-386 wine arm64 s390x cross} "

now_ms() {
	local us=${EPOCHREALTIME//[^0-9]/}
	echo $((10#$us / 1000))
}
export -f now_ms

# ---- helpers used inside the steps (exported to their bash -c) ----

# loud MESSAGE: a line that stands out in a long log.
loud() {
	echo "!!!!!!!! $*"
}

# t2jsum: builds (once) the small summarizer of test2json streams.
t2jsum_src() {
	cat <<'EOF'
// t2jsum reads `go test -json` / test2json events on stdin and prints a
// short summary: how many tests ran, passed, failed and were skipped, and
// for each failing test the first lines of its own output. Exit status 1
// when the run failed: a test failed, the binary died, or no test ran.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Test    string
	Elapsed float64
	Output  string
}

type test struct {
	name    string
	result  string // pass, fail or skip; "" if it never ended
	elapsed float64
	out     []string
}

var maxWidth = 240

func main() {
	maxLines := flag.Int("lines", 10, "output lines shown per failing test")
	maxFails := flag.Int("fails", 15, "failing tests shown in detail")
	tempdir := flag.Bool("tempdir", false, "tag failures that show a t.TempDir cleanup error")
	emptyOK := flag.Bool("empty-ok", false, "a run in which no test matched passes")
	flag.Parse()

	tests := map[string]*test{}
	var order []string
	var pkgOut []string
	pkgResult := ""
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			pkgOut = append(pkgOut, string(line))
			continue
		}
		out := strings.TrimRight(e.Output, "\r\n")
		switch {
		case e.Action == "build-output":
			pkgOut = append(pkgOut, out)
		case e.Action == "build-fail":
			pkgResult = "fail"
		case e.Test == "":
			switch e.Action {
			case "output":
				pkgOut = append(pkgOut, out)
			case "pass", "fail", "skip":
				pkgResult = e.Action
			}
		default:
			t := tests[e.Test]
			if t == nil {
				t = &test{name: e.Test}
				tests[e.Test] = t
				order = append(order, e.Test)
			}
			switch e.Action {
			case "output":
				s := strings.TrimSpace(out)
				for _, p := range []string{"=== ", "--- PASS", "--- FAIL", "--- SKIP"} {
					if strings.HasPrefix(s, p) {
						s = ""
					}
				}
				if s != "" {
					t.out = append(t.out, out)
				}
			case "pass", "fail", "skip":
				t.result, t.elapsed = e.Action, e.Elapsed
			}
		}
	}

	failedChild := map[string]bool{}
	for _, name := range order {
		if tests[name].result == "fail" {
			for p := name; strings.Contains(p, "/"); {
				p = p[:strings.LastIndex(p, "/")]
				failedChild[p] = true
			}
		}
	}
	var top, sub [4]int // run, passed, failed, skipped
	var fails, unfinished []*test
	for _, name := range order {
		t := tests[name]
		c := &top
		if strings.Contains(name, "/") {
			c = &sub
		}
		c[0]++
		switch t.result {
		case "pass":
			c[1]++
		case "fail":
			c[2]++
			if !failedChild[name] {
				fails = append(fails, t)
			}
		case "skip":
			c[3]++
		default:
			unfinished = append(unfinished, t)
		}
	}
	fmt.Printf("tests: %d run, %d passed, %d failed, %d skipped; subtests: %d run, %d passed, %d failed, %d skipped\n",
		top[0], top[1], top[2], top[3], sub[0], sub[1], sub[2], sub[3])

	nTempdir := 0
	for i, t := range fails {
		tag := ""
		if *tempdir {
			cleanup, other := false, false
			for _, l := range t.out {
				switch {
				case strings.Contains(l, "TempDir RemoveAll cleanup"):
					cleanup = true
				case strings.Contains(l, "Error Trace:"), strings.Contains(l, "panic:"),
					strings.Contains(l, "Error:"), strings.Contains(l, "hang:"):
					other = true
				}
			}
			switch {
			case cleanup && !other:
				tag = " [nothing but a t.TempDir cleanup error]"
				nTempdir++
			case cleanup:
				tag = " [a t.TempDir cleanup error, and more]"
			}
		}
		if i < *maxFails {
			fmt.Printf("FAILED %s (%.2fs)%s\n", t.name, t.elapsed, tag)
			printLines(t.out, *maxLines)
		}
	}
	if len(fails) > *maxFails {
		fmt.Printf("... and %d more failing tests (listed below; details in the log)\n", len(fails)-*maxFails)
	}
	for _, t := range unfinished {
		fmt.Printf("UNFINISHED %s: still running when the test binary stopped\n", t.name)
		printLines(t.out, *maxLines)
	}
	if len(unfinished) > 0 || pkgResult == "" || (pkgResult == "fail" && len(fails) == 0) {
		var keep []string
		for _, l := range pkgOut {
			if s := strings.TrimSpace(l); s != "" && s != "FAIL" && s != "PASS" && !strings.HasPrefix(s, "FAIL\t") {
				keep = append(keep, l)
			}
		}
		if len(keep) > 0 {
			fmt.Println("output outside any test (how the binary ended):")
			printLines(keep, 3*(*maxLines))
		}
	}
	if *tempdir && nTempdir > 0 {
		fmt.Printf("%d of the %d failing tests show nothing but a t.TempDir cleanup error\n", nTempdir, len(fails))
	}
	if len(fails) > 0 {
		names := make([]string, len(fails))
		for i, t := range fails {
			names[i] = t.name
		}
		sort.Strings(names)
		fmt.Printf("failing: %s\n", strings.Join(names, " "))
	}
	switch {
	case top[0] == 0 && pkgResult == "pass" && *emptyOK:
		fmt.Println("result: PASS (no test matched)")
		return
	case top[0] == 0 && pkgResult != "fail":
		fmt.Println("result: FAIL (no test ran)")
	case pkgResult == "pass" && len(fails) == 0 && len(unfinished) == 0:
		fmt.Println("result: PASS")
		return
	case pkgResult == "":
		fmt.Println("result: FAIL (the test binary ended without a verdict)")
	default:
		fmt.Println("result: FAIL")
	}
	os.Exit(1)
}

// printLines prints the first n non-blank lines, each cut to maxWidth, with
// a run of identical lines shown once.
func printLines(lines []string, n int) {
	var kept []string
	var reps []int
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if k := len(kept); k > 0 && kept[k-1] == l {
			reps[k-1]++
			continue
		}
		kept, reps = append(kept, l), append(reps, 1)
	}
	for i, l := range kept {
		if i == n {
			fmt.Printf("    | ... (%d lines in all: see the log)\n", len(lines))
			return
		}
		if len(l) > maxWidth {
			l = l[:maxWidth] + " ..."
		}
		if reps[i] > 1 {
			l += fmt.Sprintf("   [this line %d times]", reps[i])
		}
		fmt.Printf("    | %s\n", l)
	}
}
EOF
}

build_t2jsum() {
	local dir="$WORK/t2jsum"
	mkdir -p "$dir"
	t2jsum_src >"$dir/main.go.new"
	printf 'module t2jsum\n\ngo 1.22\n' >"$dir/go.mod"
	if [ -x "$WORK/bin/t2jsum" ] && cmp -s "$dir/main.go.new" "$dir/main.go"; then
		rm -f "$dir/main.go.new"
		return 0
	fi
	mv "$dir/main.go.new" "$dir/main.go"
	(cd "$dir" && env -u GOOS -u GOARCH go build -o "$WORK/bin/t2jsum" .)
}

# pkgname PKG: a file-name-friendly name for a package path.
pkgname() {
	case $1 in
	.) echo root ;;
	*) echo "${1#./}" | tr '/' '_' ;;
	esac
}

# run_binary LABEL PKG TIMEOUT BIN_AND_ARGS...: runs a test binary (through
# its emulator, which is part of BIN_AND_ARGS) in PKG's directory, as go test
# does, with -test.v=test2json, keeps the raw log and the test2json log, and
# prints the summary. Returns 0 when the package passed.
run_binary() {
	local label=$1 pkg=$2 tmo=$3
	shift 3
	local raw="$WORK/logs/$label.log" json="$WORK/logs/$label.json"
	local rc sumrc
	echo "--- $label: $*"
	(cd "$ROOT/$pkg" && "$@" -test.v=test2json -test.timeout="$tmo" 2>&1) |
		tee "$raw" | go tool test2json -t -p "$pkg" >"$json"
	rc=${PIPESTATUS[0]}
	# shellcheck disable=SC2086 # T2JSUM_FLAGS is a list of flags
	"$WORK/bin/t2jsum" ${T2JSUM_FLAGS:-} <"$json"
	sumrc=$?
	echo "    (exit status $rc; logs: $raw, $json)"
	if ((sumrc == 0 && rc != 0)); then
		echo "result: FAIL (the tests passed, but the binary exited with status $rc)"
		return 1
	fi
	return "$sumrc"
}

export -f loud pkgname run_binary

# ---- the steps ----

step_386() {
	local pkg rc=0
	for pkg in $PKGS; do
		local label
		label="linux-386-$(pkgname "$pkg")"
		echo "--- $label: GOARCH=386 go test -short -count=1 -json -timeout=3m $pkg"
		GOARCH=386 go test -short -count=1 -json -timeout=3m "$pkg" >"$WORK/logs/$label.json" 2>&1
		"$WORK/bin/t2jsum" <"$WORK/logs/$label.json" || rc=1
		echo "    (log: $WORK/logs/$label.json)"
	done
	return "$rc"
}

find_wine() {
	local w
	for w in wine64 /usr/lib/wine/wine64 wine64-stable; do
		if command -v "$w" >/dev/null 2>&1; then
			command -v "$w"
			return 0
		fi
	done
	return 1
}

# wine_overlay FILE: writes a -overlay JSON to FILE that patches the
# standard library's Deleteat to fall back on STATUS_NOT_IMPLEMENTED (wine
# 8.0 lacks FileDispositionInformationEx). Fails, saying why, when this Go's
# source does not look as expected.
wine_overlay() {
	local out=$1
	local src
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

step_wine() {
	local wine
	if ! wine=$(find_wine); then
		loud "PLATFORM STEP SKIPPED: windows/amd64: wine64 is not installed and could not be installed"
		return 3
	fi
	export WINEPREFIX="$WORK/wine64-prefix" WINEARCH=win64 WINEDEBUG=-all
	# No Mono or Gecko installers: the tests need neither.
	export WINEDLLOVERRIDES="mscoree,mshtml="
	unset DISPLAY WAYLAND_DISPLAY

	# The shim, built when missing or when its source changed.
	local shim="$WORK/winshim/bcryptprimitives.dll" stamp
	stamp=$(cat "$ROOT"/.ci/winshim/bcryptprimitives.{c,def} | sha256sum | cut -d' ' -f1)
	if [ ! -f "$shim" ] || [ "$(cat "$shim.sha256" 2>/dev/null)" != "$stamp" ]; then
		if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
			loud "PLATFORM STEP SKIPPED: windows/amd64: x86_64-w64-mingw32-gcc (gcc-mingw-w64-x86-64-win32) is needed to build the bcryptprimitives.dll shim and is not installed"
			return 3
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
		"$wine" wineboot --init >"$WORK/logs/wineboot.log" 2>&1 || {
			cat "$WORK/logs/wineboot.log"
			return 1
		}
	fi
	local sys32="$WINEPREFIX/drive_c/windows/system32"
	if [ ! -d "$sys32" ]; then
		echo "the wine prefix has no $sys32"
		return 1
	fi
	cp "$shim" "$sys32/bcryptprimitives.dll"

	local overlay=() ovfile="$WORK/overlay/overlay.json" why
	T2JSUM_FLAGS="-tempdir"
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
	export T2JSUM_FLAGS

	local pkg rc=0
	for pkg in $PKGS; do
		local name exe
		name=$(pkgname "$pkg")
		exe="$WORK/bin/windows-amd64-$name.test.exe"
		echo "--- GOOS=windows GOARCH=amd64 go test -c ${overlay[*]} -o $exe $pkg"
		if ! GOOS=windows GOARCH=amd64 go test -c "${overlay[@]}" -o "$exe" "$pkg"; then
			rc=1
			continue
		fi
		[ -f "$exe" ] || continue # no test files
		local tmo=5m
		if [ "$pkg" = . ]; then
			tmo=8m
		fi
		run_binary "windows-amd64-$name" "$pkg" "$tmo" "$wine" "$exe" -test.short || rc=1
	done
	# Stop this prefix's wineserver (only ours: it is per prefix).
	local ws
	for ws in wineserver /usr/lib/wine/wineserver64 wineserver-stable; do
		if command -v "$ws" >/dev/null 2>&1; then
			"$ws" -k >/dev/null 2>&1
			break
		fi
	done
	return "$rc"
}

# step_qemu GOARCH QEMUNAME
step_qemu() {
	local arch=$1 qarch=$2 qemu="" q
	for q in "qemu-$qarch-static" "qemu-$qarch"; do
		if command -v "$q" >/dev/null 2>&1; then
			qemu=$(command -v "$q")
			break
		fi
	done
	if [ -z "$qemu" ]; then
		loud "PLATFORM STEP SKIPPED: linux/$arch: qemu-$qarch-static (qemu-user-static) is not installed and could not be installed"
		return 3
	fi
	export BOLT_NO_REEXEC=1 BOLT_EMULATOR=qemu
	loud "NOTE: BOLT_NO_REEXEC=1: the tests that re-execute the test binary skip themselves under qemu"
	local runargs=()
	if [ -n "$QEMU_RUN" ]; then
		loud "NOTE: PLATFORMS_QEMU_RUN: only the tests matching $QEMU_RUN run"
		runargs=(-test.run "$QEMU_RUN")
		export T2JSUM_FLAGS=-empty-ok
	fi
	local pkg rc=0
	for pkg in $PKGS; do
		local name bin
		name=$(pkgname "$pkg")
		bin="$WORK/bin/linux-$arch-$name.test"
		echo "--- GOARCH=$arch go test -c -o $bin $pkg"
		if ! GOARCH=$arch go test -c -o "$bin" "$pkg"; then
			rc=1
			continue
		fi
		[ -f "$bin" ] || continue
		run_binary "linux-$arch-$name" "$pkg" 8m "$qemu" "$bin" -test.short "${runargs[@]}" || rc=1
	done
	return "$rc"
}

step_cross() {
	local goos=$1 goarch=$2
	echo "--- GOOS=$goos GOARCH=$goarch go vet ./... && go build ./..."
	GOOS=$goos GOARCH=$goarch go vet ./... && GOOS=$goos GOARCH=$goarch go build ./...
}

export -f find_wine wine_overlay step_386 step_wine step_qemu step_cross

# ---- installs, once ----

apt_updated=0
# install CMD PACKAGES...: installs PACKAGES with apt-get unless CMD exists.
install() {
	local cmd=$1
	shift
	if command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ]; then
		return 0
	fi
	if [ "${PLATFORMS_INSTALL:-1}" = 0 ]; then
		echo "platforms: $cmd is missing and PLATFORMS_INSTALL=0: not installing $*"
		return 1
	fi
	if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
		echo "platforms: $cmd is missing, and apt-get is not there or this is not root: not installing $*"
		return 1
	fi
	local start
	start=$(now_ms)
	if ((apt_updated == 0)); then
		echo "platforms: apt-get update"
		timeout 300 apt-get update -q >"$WORK/logs/apt-update.log" 2>&1 || tail -5 "$WORK/logs/apt-update.log"
		apt_updated=1
	fi
	echo "platforms: apt-get install -y --no-install-recommends $*"
	if ! DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y --no-install-recommends "$@" \
		>"$WORK/logs/apt-install.log" 2>&1; then
		tail -5 "$WORK/logs/apt-install.log"
		echo "platforms: installing $* failed"
		return 1
	fi
	echo "platforms: installed $* ($((($(now_ms) - start) / 1000))s)"
}

if [[ $STEPS == *" wine "* ]]; then
	if ! find_wine >/dev/null; then
		install wine64 wine wine64
	fi
	if [ ! -f "$WORK/winshim/bcryptprimitives.dll" ]; then
		install x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64-win32
	fi
fi
if [[ $STEPS == *" arm64 "* || $STEPS == *" s390x "* ]]; then
	if ! command -v qemu-aarch64-static >/dev/null 2>&1 || ! command -v qemu-s390x-static >/dev/null 2>&1; then
		install qemu-s390x-static qemu-user-static
	fi
fi

if ! build_t2jsum; then
	echo "platforms: cannot build the test-log summarizer"
	echo "platforms: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

# ---- running ----

passed=0
failed=0
skipped=0
results=()
start_all=$(now_ms)

# step NAME LIMIT_SECONDS COMMAND...
step() {
	local name=$1 limit=$2
	shift 2
	local start rc=0 ms dur verdict
	echo
	echo "==> platform: ${name}"
	start=$(now_ms)
	timeout --kill-after=20 "$limit" bash -c '"$@"' _ "$@" || rc=$?
	ms=$(($(now_ms) - start))
	dur=$(printf '%d.%03ds' $((ms / 1000)) $((ms % 1000)))
	case $rc in
	0)
		verdict="ok"
		passed=$((passed + 1))
		;;
	3)
		verdict="SKIPPED"
		skipped=$((skipped + 1))
		;;
	124 | 137)
		verdict="TIMED OUT after ${limit}s"
		failed=$((failed + 1))
		;;
	*)
		verdict="FAILED"
		failed=$((failed + 1))
		;;
	esac
	echo "<== platform: ${name}: ${verdict} (${dur})"
	results+=("${name}: ${verdict} (${dur})")
}

if [[ $STEPS == *" 386 "* ]]; then
	step "linux/386 (native, go test -short)" 600 step_386
fi
if [[ $STEPS == *" wine "* ]]; then
	step "windows/amd64 (wine64)" 1200 step_wine
fi
if [[ $STEPS == *" arm64 "* ]]; then
	step "linux/arm64 (qemu user mode)" 900 step_qemu arm64 aarch64
fi
if [[ $STEPS == *" s390x "* ]]; then
	step "linux/s390x (qemu user mode, big-endian)" 900 step_qemu s390x s390x
fi
if [[ $STEPS == *" cross "* ]]; then
	for target in darwin/amd64 darwin/arm64 freebsd/amd64 openbsd/amd64 \
		linux/riscv64 linux/ppc64le windows/386 windows/arm64; do
		step "${target} (go vet + go build)" 300 step_cross "${target%/*}" "${target#*/}"
	done
fi

echo
for r in "${results[@]+"${results[@]}"}"; do
	echo "platforms: $r"
done
echo "platforms: total time $((($(now_ms) - start_all) / 1000))s; logs in $WORK/logs"
echo "platforms: ${passed} passed, ${failed} failed, ${skipped} skipped"
if ((failed > 0)); then
	exit 1
fi
