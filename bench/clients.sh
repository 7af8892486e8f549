#!/usr/bin/env bash
# Runs other projects' test suites, unmodified, against bolt.
#
# Usage: bench/clients.sh [CLIENT...]       (default: every client below)
#        CLIENTS_BUDGET=SECONDS             whole-run budget (default 480)
#        CLIENTS_KEEP=1                     keep the scratch directory
#        CLIENTS_RACE=1                     go test -race (slower: raise the budget)
#
# For each client: `go mod download` it at a pinned version, copy its source
# (read-only in the module cache) into a scratch module, apply the migration
# step of README.md ("Migrating from bbolt") to its go.mod, run `go mod tidy`
# and `go test` on its packages, and print PASS or FAIL with a tail of the
# failures. The last line is "N passed, M failed, K skipped"; the exit status
# is nonzero if any client failed. A client is skipped, not failed, when the
# budget runs out before it starts or while its test timeout had to be cut
# short to fit the budget (a cold build cache on a loaded machine); raise
# CLIENTS_BUDGET then.
#
# What is changed in the client's copy, and why (each is printed when done):
# - go.mod: the documented step for a local clone, nothing more:
#   `replace go.etcd.io/bbolt => <repo>/compat/bbolt` (and, for clients of
#   boltdb, `replace github.com/boltdb/bolt => <repo>/compat/boltdb`), plus
#   `replace github.com/boltkv/bolt => <repo>`. The compatibility modules
#   keep bbolt's import paths and package names, so the client's source is
#   not touched: `bbolt.Open` without an import name, go.etcd.io/bbolt/errors
#   and all.
# - go.mod: replace directives that point into the client's own repository
#   (`=> ../api` in etcd's) are dropped: outside that checkout the published
#   versions already required are used.
# - go.mod: `go mod tidy` raises the go line to bolt's (1.25): Go requires the
#   main module's go version to be at least every dependency's.
# - go test runs with -vet=off: with the raised go line, vet's newer checks
#   (non-constant printf formats, ...) reject client test code that its own
#   toolchain accepts; vet is not part of the clients' suites.
# A test that fails is run once more, alone; if it passes then, the client
# counts as passed and the report says it was flaky (bleve's scorch tests
# sleep and compare timestamps, and fail now and then on a loaded machine,
# with bbolt too). A bolt bug fails twice.
#
# Tried and left out: github.com/asdine/storm/v3 (the module proxy refuses
# it), bleve v2.6.x (its github.com/blevesearch/zapx/v17 is refused).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUDGET=${CLIENTS_BUDGET:-480}
RACE=
if [ "${CLIENTS_RACE:-}" = 1 ]; then
	RACE=1
fi
START=$SECONDS

if ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
export GOWORK=off
export GOTOOLCHAIN=local # a client needing a newer Go fails clearly instead of downloading one
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

# name | module | version | packages to test | import paths replaced by bolt | go test -timeout (s)
#
# Versions: the latest tag (`go list -m -versions`), or the latest commit
# (@latest) for modules without tags, pinned.
CLIENTS=(
	"bolthold|github.com/timshannon/bolthold|v0.0.0-20240314194003-30aac6950928|./...|go.etcd.io/bbolt|240"
	"raft-boltdb-v2|github.com/hashicorp/raft-boltdb/v2|v2.3.1|./...|go.etcd.io/bbolt|120"
	# The same with its v1 import (github.com/boltdb/bolt, used to migrate old
	# stores) on bolt too. Above, the real boltdb/bolt v1.3.1 writes the file
	# that MigrateToV2 then reads with bolt.
	"raft-boltdb-v2+boltdb|github.com/hashicorp/raft-boltdb/v2|v2.3.1|./...|go.etcd.io/bbolt github.com/boltdb/bolt|120"
	"raft-boltdb|github.com/hashicorp/raft-boltdb|v0.0.0-20230125174641-2a8082862702|./...|github.com/boltdb/bolt|120"
	# etcd's storage layer (the packages that use bbolt directly); the first
	# run compiles etcd's dependencies, which takes a few minutes on 2 cores.
	"etcd-storage|go.etcd.io/etcd/server/v3|v3.7.3|./storage/backend/... ./storage/schema/... ./storage/mvcc/...|go.etcd.io/bbolt|300"
	# bleve: the upsidedown KV store on bbolt and the scorch index (which
	# persists its snapshots in bbolt, through Options.OpenFile).
	"bleve|github.com/blevesearch/bleve/v2|v2.5.7|./index/upsidedown/store/boltdb/... ./index/scorch/...|go.etcd.io/bbolt|300"
)

if [ $# -gt 0 ]; then
	selected=()
	for want in "$@"; do
		found=
		for c in "${CLIENTS[@]}"; do
			if [ "${c%%|*}" = "$want" ]; then
				selected+=("$c")
				found=1
			fi
		done
		if [ -z "$found" ]; then
			echo "clients.sh: unknown client $want (known: $(for c in "${CLIENTS[@]}"; do printf '%s ' "${c%%|*}"; done))" >&2
			exit 2
		fi
	done
	CLIENTS=("${selected[@]}")
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bolt-clients.XXXXXX")
if [ "${CLIENTS_KEEP:-}" = 1 ]; then
	echo "scratch directory: $WORK (kept)"
else
	trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
fi

passed=0
failed=0
skipped=0
results=()

# tail_failures LOG: the lines that say what failed (test failures, build
# errors, panics, and for data races and crashes the frames in bolt's own
# source), each once, or else the end of the log.
tail_failures() {
	local log=$1 lines
	lines=$(grep -E "^(--- FAIL|FAIL|panic:|fatal error:|WARNING: DATA RACE|# )|^[[:space:]]*[^[:space:]]+\.go:[0-9]+:|timed out|^[[:space:]]+$REPO/" "$log" |
		grep -v 'logger\.go:[0-9]*:' | awk '!seen[$0]++' | head -n 40)
	if [ -z "$lines" ]; then
		lines=$(tail -n 25 "$log")
	fi
	printf '%s\n' "$lines" | sed 's/^/    | /'
}

# remaining: seconds left in the budget.
remaining() { echo $((BUDGET - (SECONDS - START))); }

run_client() {
	local name=$1 mod=$2 ver=$3 pkgs=$4 paths=$5 tmo=$6
	local dir src log t0=$SECONDS
	dir="$WORK/$name"
	log="$WORK/$name.log"
	echo "== $name: $mod@$ver, test $pkgs"

	src=$(timeout 300 go mod download -json "$mod@$ver" 2>>"$log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	if [ -z "$src" ] || [ ! -d "$src" ]; then
		echo "   go mod download $mod@$ver failed"
		tail -n 5 "$log" | sed 's/^/    | /'
		return 1
	fi
	mkdir -p "$dir"
	cp -r "$src/." "$dir/"
	chmod -R u+w "$dir"
	cd "$dir" || return 1

	# The bbolt version the client was written against, for the record.
	local orig
	orig=$(go mod edit -json | tr -d '\n\t ' | grep -oE '"Path":"(go.etcd.io/bbolt|github.com/boltdb/bolt)","Version":"[^"]*"' | sed -E 's/"Path":"([^"]*)","Version":"([^"]*)"/\1@\2/' | tr '\n' ' ')
	echo "   requires: ${orig:-(no bbolt in go.mod)}"

	# Replace directives into the client's own repository can't work here.
	local old
	# shellcheck disable=SC2013 # module paths have no spaces
	for old in $(awk '/=>[ \t]*\.\.?\// { sub(/^replace[ \t]+/, ""); print $1 }' go.mod); do
		go mod edit -dropreplace "$old"
		echo "   dropped: replace $old => (its own repository)"
	done

	# The migration step (README.md, "Migrating from bbolt"): each bbolt
	# import path to its compatibility module, and bolt to this checkout.
	local p args=()
	for p in $paths; do
		case $p in
		go.etcd.io/bbolt) args+=(-replace "$p=$REPO/compat/bbolt") ;;
		github.com/boltdb/bolt) args+=(-replace "$p=$REPO/compat/boltdb") ;;
		*)
			echo "   no compatibility module for $p"
			return 1
			;;
		esac
	done
	args+=(-replace "github.com/boltkv/bolt=$REPO")
	go mod edit "${args[@]}"
	echo "   go mod edit ${args[*]//$REPO/<repo>}"

	if ! timeout 300 go mod tidy >>"$log" 2>&1; then
		echo "   go mod tidy failed"
		tail -n 15 "$log" | sed 's/^/    | /'
		return 1
	fi

	# -race turns on checkptr, which the real boltdb/bolt v1.3.1 fails
	# (bucket.go:626, "converted pointer straddles multiple allocations"):
	# off for that package only, when it is not bolt.
	local gcflags=
	if [ -n "$RACE" ] && grep -q 'github.com/boltdb/bolt ' go.mod && [[ " $paths " != *" github.com/boltdb/bolt "* ]]; then
		gcflags="-gcflags=github.com/boltdb/bolt=-d=checkptr=0"
		echo "   $gcflags (the real boltdb/bolt v1.3.1 fails checkptr)"
	fi

	local left budget_tmo cut=
	left=$(remaining)
	budget_tmo=$((left - 20))
	if [ "$budget_tmo" -lt "$tmo" ]; then
		tmo=$budget_tmo
		cut=1
	fi
	if [ "$tmo" -lt 10 ]; then
		echo "   skipped: no time left in the budget (${BUDGET}s) to run the tests"
		return 2
	fi
	# shellcheck disable=SC2086 # $pkgs is a list of patterns
	timeout -k 10 $((tmo + 15)) go test -vet=off ${RACE:+-race} $gcflags -count=1 -timeout "${tmo}s" $pkgs >"$log.test" 2>&1
	local rc=$?
	cat "$log.test" >>"$log"
	grep -E '^(ok|FAIL|---)[[:space:]]' "$log.test" | grep -vE '^--- (PASS|SKIP)' | sed 's/^/   /' | head -n 20
	# A failed test is run once more, alone: suites that sleep and measure
	# time (bleve's scorch) flake on a loaded machine. A bolt bug fails again.
	local failed_tests retry_tmo
	failed_tests=$(sed -n 's/^--- FAIL: \([^ ]*\) .*/\1/p' "$log.test" | sort -u | paste -sd'|')
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ -n "$failed_tests" ] &&
		! grep -qE '^panic: test timed out|\[(build|setup) failed\]' "$log.test"; then
		retry_tmo=$(($(remaining) - 20))
		if [ "$retry_tmo" -gt "$tmo" ]; then
			retry_tmo=$tmo
		fi
		if [ "$retry_tmo" -ge 30 ]; then
			echo "   re-running the failed tests once: ${failed_tests//|/ }"
			# shellcheck disable=SC2086
			if timeout -k 10 $((retry_tmo + 15)) go test -vet=off ${RACE:+-race} $gcflags -count=1 -timeout "${retry_tmo}s" \
				-run "^(${failed_tests})\$" $pkgs >"$log.retry" 2>&1; then
				echo "   passed on the re-run: flaky, not counted as a failure. The first run said:"
				tail_failures "$log.test"
				echo "   ($((SECONDS - t0))s)"
				return 3
			fi
			echo "   failed again:"
			tail_failures "$log.retry"
			echo "   first run:"
		fi
	fi
	if [ $rc -ne 0 ]; then
		[ $rc -eq 124 ] && echo "   killed after $((tmo + 15))s (building or testing)"
		tail_failures "$log.test"
		echo "   ($((SECONDS - t0))s)"
		if [ -n "$cut" ] && { [ $rc -eq 124 ] || grep -q '^panic: test timed out' "$log.test"; }; then
			echo "   skipped: out of time, its timeout was cut to ${tmo}s by the budget (${BUDGET}s)"
			return 2
		fi
		return 1
	fi
	echo "   ($((SECONDS - t0))s)"
	return 0
}

echo "bolt: $REPO ($(go version | cut -d' ' -f3-))${RACE:+, with -race}"
for c in "${CLIENTS[@]}"; do
	IFS='|' read -r name mod ver pkgs paths tmo <<<"$c"
	if [ "$(remaining)" -lt 30 ]; then
		echo "== $name: not run, the ${BUDGET}s budget is spent"
		rc=2
	else
		(run_client "$name" "$mod" "$ver" "$pkgs" "$paths" "$tmo")
		rc=$?
	fi
	case $rc in
	0) r="PASS $name" passed=$((passed + 1)) ;;
	3) r="PASS $name (a test failed once, then passed: flaky)" passed=$((passed + 1)) ;;
	2) r="SKIP $name (out of time)" skipped=$((skipped + 1)) ;;
	*) r="FAIL $name" failed=$((failed + 1)) ;;
	esac
	echo "$r"
	results+=("$r")
	echo
done

echo "== summary ($((SECONDS - START))s)"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
