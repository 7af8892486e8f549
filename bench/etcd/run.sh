#!/usr/bin/env bash
# etcd on bolt, measured end to end: the real etcd server and etcd's own
# benchmark tool, once with bbolt (etcd as released) and once with bolt.
#
# Usage: bench/etcd/run.sh [-smoke | -quick] [-rounds N] [-keep] [-out DIR]
#
#   (no flag)  the full run: a ~1 GiB keyspace, 3 rounds (25-35 minutes on 2
#              cores once built; at its peak about 4 GiB of disk in the
#              scratch directory and roughly 10 GiB of memory: etcd and the
#              range client each hold a 1 GiB range response).
#   -quick     small sizes (a ~64 MiB keyspace, 1 round), for development.
#   -smoke     CI: build both servers and the tool, start each server, one
#              put and one range, stop. A few minutes with a warm module and
#              build cache; most of it is the link step.
#   -rounds N  rounds of the workloads (each round runs both builds, the
#              order alternating from round to round).
#   -keep      keep the scratch directory (its logs) at the end.
#   -out DIR   where the report goes: results.json, results.md and
#              etcd.svg (default: the scratch directory; printed at the end).
#
# Environment: ETCD_BENCH_CACHE (default /tmp/etcd-bench) holds the built
# binaries, keyed by the etcd version and a hash of bolt's source, so a
# second run builds nothing unless bolt changed. Measurement runs take
# /tmp/bench.lock (flock), so they never overlap another engineer's
# benchmark; builds and the smoke mode do not. ETCD_BENCH_LOCKED=1 says the caller already
# holds that lock (`flock /tmp/bench.lock env ETCD_BENCH_LOCKED=1 bash
# bench/etcd/run.sh`, to serialize the builds too); the script then does
# not take it again, which would wait for itself.
#
# What is built, and how:
# - etcd's server module (go.etcd.io/etcd/server/v3, pinned below) comes from
#   the Go module proxy. Its source is copied into a scratch module and built
#   twice: as released (bbolt at the version etcd requires), and after
#   use_bolt, the one function below that points etcd at bolt.
# - etcd's benchmark tool (tools/benchmark in go.etcd.io/etcd/v3) is built
#   from a scratch module that requires the same release.
# - bench/etcd/etcdbench (this directory) runs the servers and the tool,
#   times what the tool does not (restart, defragmentation), and writes the
#   report and the chart.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)

# The release measured. v3.6.8 is the newest v3.6 release for which the
# module proxy serves both the server module and go.etcd.io/etcd/v3 (the
# benchmark tool's module; it has no v3.6.9+ there).
ETCD_VERSION=v3.6.8

MODE=full
ROUNDS=
KEEP=
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	-smoke) MODE=smoke ;;
	-quick) MODE=quick ;;
	-rounds)
		ROUNDS=${2:?-rounds needs a number}
		shift
		;;
	-keep) KEEP=1 ;;
	-out)
		OUT=${2:?-out needs a directory}
		shift
		;;
	-h | -help | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "run.sh: unknown argument $1 (see -help)" >&2
		exit 2
		;;
	esac
	shift
done

if ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
export GOWORK=off
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

CACHE=${ETCD_BENCH_CACHE:-/tmp/etcd-bench}
BIN=$CACHE/bin
mkdir -p "$BIN"
START=$SECONDS

log() { printf '[%4ds] %s\n' $((SECONDS - START)) "$*"; }

# ---------------------------------------------------------------------------
# The one place that decides how etcd is built on bolt.
#
# use_bolt DIR: DIR is a copy of etcd's server module (its go.mod at DIR).
# It applies the documented migration step (README, "Migrating from bbolt")
# for a local clone, nothing in etcd's source: go.etcd.io/bbolt is replaced
# by the compatibility module compat/bbolt, which forwards to bolt.
use_bolt() {
	local dir=$1
	(cd "$dir" && go mod edit \
		-replace "go.etcd.io/bbolt=$REPO/compat/bbolt" \
		-replace "github.com/boltkv/bolt=$REPO")
	echo "replace go.etcd.io/bbolt => $REPO/compat/bbolt; replace github.com/boltkv/bolt => $REPO"
}

# bolt_key: a hash of everything of bolt that goes into the etcd build, so a
# cached etcd-on-bolt binary is rebuilt exactly when bolt's source changed.
bolt_key() {
	(
		cd "$REPO"
		{
			find . -maxdepth 1 -name '*.go' ! -name '*_test.go'
			find ./errors -name '*.go' ! -name '*_test.go'
			[ -d compat/bbolt ] && find ./compat/bbolt -name '*.go' ! -name '*_test.go' -o -name go.mod -path './compat/*'
			echo ./go.mod
		} | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12
	)
}

# module_dir MODULE@VERSION: download it through the module proxy and print
# its directory in the module cache.
module_dir() {
	local dir
	dir=$(timeout 600 go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		echo "run.sh: go mod download $1 failed" >&2
		return 1
	fi
	echo "$dir"
}

# build_server VARIANT OUTPUT: copy etcd's server module, point it at bolt
# if VARIANT is bolt, build its main package (server/main.go: etcdmain.Main)
# into OUTPUT. The copy and the binary being built are named by this
# shell's pid, so that two checkouts building at once (CI and a worktree)
# do not clobber each other; the copy is removed once built.
build_server() {
	local variant=$1 out=$2 src dir old t0=$SECONDS
	src=$(module_dir "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
	dir=$CACHE/src/server-$variant.$$
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$src/." "$dir/"
	chmod -R u+w "$dir"
	# Replace directives into etcd's own repository (../api, ...) cannot
	# work outside it; the versions required are the same release.
	# shellcheck disable=SC2013 # module paths have no spaces
	for old in $(cd "$dir" && awk '/=>[ \t]*\.\.\// { sub(/^replace[ \t]+/, ""); print $1 }' go.mod); do
		(cd "$dir" && go mod edit -dropreplace "$old")
	done
	if [ "$variant" = bolt ]; then
		use_bolt "$dir" | sed 's/^/    bolt: /'
	fi
	(
		cd "$dir"
		timeout 900 go mod tidy >"$dir.log" 2>&1 &&
			timeout 1800 go build -trimpath -o "$out.$$" . >>"$dir.log" 2>&1
	) || {
		echo "run.sh: building etcd ($variant) failed; the end of $dir.log:" >&2
		tail -n 30 "$dir.log" >&2
		return 1
	}
	(cd "$dir" && go list -m go.etcd.io/bbolt) | sed 's/^/    go.etcd.io\/bbolt: /'
	mv "$out.$$" "$out"
	rm -rf "$dir" "$dir.log"
	log "built $out ($((SECONDS - t0))s)"
}

# build_tool OUTPUT: etcd's benchmark tool, from a module that requires the
# release (go.etcd.io/etcd/v3 replaces its sibling modules with ../ paths,
# so it is not built in a copy of itself).
build_tool() {
	local out=$1 dir=$CACHE/src/tool.$$ t0=$SECONDS
	rm -rf "$dir"
	mkdir -p "$dir"
	(
		cd "$dir"
		cat >go.mod <<-EOF
			module etcdbenchtool

			go 1.24.0
		EOF
		printf 'package tools\n\nimport _ "go.etcd.io/etcd/v3/tools/benchmark/cmd"\n' >tools.go
		timeout 900 go get "go.etcd.io/etcd/v3@$ETCD_VERSION" >"$dir.log" 2>&1 &&
			timeout 900 go mod tidy >>"$dir.log" 2>&1 &&
			timeout 1800 go build -trimpath -o "$out.$$" go.etcd.io/etcd/v3/tools/benchmark >>"$dir.log" 2>&1
	) || {
		echo "run.sh: building etcd's benchmark tool failed; the end of $dir.log:" >&2
		tail -n 30 "$dir.log" >&2
		return 1
	}
	mv "$out.$$" "$out"
	rm -rf "$dir" "$dir.log"
	log "built $out ($((SECONDS - t0))s)"
}

ETCD_BBOLT=$BIN/etcd-$ETCD_VERSION-bbolt
ETCD_BOLT=$BIN/etcd-$ETCD_VERSION-bolt-$(bolt_key)
TOOL=$BIN/benchmark-$ETCD_VERSION
DRIVER=$BIN/etcdbench-$(cd "$HERE/etcdbench" && LC_ALL=C sha256sum ./*.go | sha256sum | cut -c1-12)

log "etcd $ETCD_VERSION; binaries in $BIN"
[ -x "$ETCD_BBOLT" ] || build_server bbolt "$ETCD_BBOLT"
[ -x "$ETCD_BOLT" ] || build_server bolt "$ETCD_BOLT"
[ -x "$TOOL" ] || build_tool "$TOOL"
if [ ! -x "$DRIVER" ]; then
	(cd "$REPO/bench" && go build -o "$DRIVER" ./etcd/etcdbench)
	log "built $DRIVER"
fi

# The scratch directory: data directories, logs, and (without -out) the
# report. Killing the driver kills the servers it started (it handles
# SIGTERM); the pids file catches any left if it was killed outright.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/etcd-bench-run.XXXXXX")
DRIVER_PID=
cleanup() {
	local pid
	if [ -n "$DRIVER_PID" ]; then
		kill "$DRIVER_PID" 2>/dev/null || true
		wait "$DRIVER_PID" 2>/dev/null || true
	fi
	if [ -f "$SCRATCH/pids" ]; then
		while read -r pid; do
			kill -9 "$pid" 2>/dev/null || true
		done <"$SCRATCH/pids"
	fi
	if [ -n "$KEEP" ]; then
		echo "scratch directory kept: $SCRATCH"
	else
		# Data directories go in any case; logs and the report stay
		# only where -out points.
		rm -rf "$SCRATCH"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case $MODE in
smoke) budget=600 ;;
quick) budget=1800 ;;
full) budget=$((3600 * 3)) ;;
esac
[ -z "$OUT" ] && [ -z "$KEEP" ] && [ "$MODE" != smoke ] && OUT=$CACHE/report-$MODE
# The smoke mode measures nothing and takes seconds: it does not wait for
# another engineer's benchmark (CI runs it).
if [ "$MODE" = smoke ] || [ "${ETCD_BENCH_LOCKED:-}" = 1 ]; then
	log "running ($MODE mode) in $SCRATCH${OUT:+, report to $OUT}"
else
	log "running ($MODE mode) in $SCRATCH${OUT:+, report to $OUT}; waiting for /tmp/bench.lock"
	exec 9>>/tmp/bench.lock
	flock 9
	log "got the lock"
fi
# timeout passes a SIGTERM from cleanup on to the driver.
timeout -k 30 "$budget" "$DRIVER" \
	-bbolt "$ETCD_BBOLT" -bolt "$ETCD_BOLT" -tool "$TOOL" -release "etcd $ETCD_VERSION" \
	-mode "$MODE" ${ROUNDS:+-rounds "$ROUNDS"} -dir "$SCRATCH" ${OUT:+-out "$OUT"} &
DRIVER_PID=$!
rc=0
wait "$DRIVER_PID" || rc=$?
DRIVER_PID=
log "done (exit $rc)"
exit $rc
