#!/usr/bin/env bash
# Proves the migration path from go.etcd.io/bbolt to bolt (README.md,
# "Migrating from bbolt"), offline, in about 20 seconds with a warm build
# cache (a cold one: a minute or two).
#
# Usage: bench/compat.sh            COMPAT_BUDGET=SECONDS (default 300)
#
# 1. The compatibility modules compat/bbolt (module go.etcd.io/bbolt) and
#    compat/boltdb (module github.com/boltdb/bolt) are gofmt-clean, vet, and
#    their go.mod and go.sum files are tidy.
# 2. bench/compat: TestCompatUpToDate regenerates their forwarding files
#    from the bbolt and boltdb versions bench/go.mod requires (every exported
#    name of go.etcd.io/bbolt, go.etcd.io/bbolt/errors and
#    github.com/boltdb/bolt, forwarded to bolt) and fails if the committed
#    ones differ; TestMigration builds
#    bench/compat/testdata/bboltprog, a program written for bbolt, unchanged:
#    against the real bbolt, after the local-clone step and after the step
#    for a published release (on a file-based module proxy built from this
#    checkout). Each build runs the program's own assertions (== and
#    errors.Is through both of bbolt's packages, Options, Batch, Stats, ...),
#    and the transcripts of the migrated runs must equal bbolt's.
#
# No network is used: GOPROXY=off, except for the stand-in release, served
# from a temporary directory with a module cache of its own.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUDGET=${COMPAT_BUDGET:-300}
START=$SECONDS

if ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
export GOWORK=off
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

left() {
	local l=$((BUDGET - (SECONDS - START)))
	if [ "$l" -lt 10 ]; then
		echo "compat.sh: the ${BUDGET}s budget is spent" >&2
		exit 1
	fi
	echo "$l"
}

for m in bbolt boltdb; do
	echo "== compat/$m: gofmt, vet, tidy"
	cd "$REPO/compat/$m"
	out=$(gofmt -l .)
	if [ -n "$out" ]; then
		echo "these files need gofmt (or go generate ./compat in bench):"
		echo "$out"
		exit 1
	fi
	GOPROXY=off timeout "$(left)" go vet ./...
	GOPROXY=off timeout "$(left)" go mod tidy -diff
done

echo "== bench/compat: the forwarding files are up to date; a bbolt program builds and runs unchanged on bolt"
cd "$REPO/bench"
t=$(($(left) - 10))
timeout -k 10 "$((t + 5))" go test -count=1 -v -timeout "${t}s" ./compat/
echo "== compat.sh: ok ($((SECONDS - START))s)"
