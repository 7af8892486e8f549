#!/usr/bin/env bash
# Shows how much of a headtohead workload's time each engine spends waiting
# in fdatasync: the part of a commit neither engine can shorten while the
# file format stays bbolt's (data, sync, meta page, sync).
#
# Usage, from the repository root or bench/:
#   bench/syncshare.sh [headtohead flags]    (default: -only seq-insert -n 1000000 -runs 1)
#
# It runs headtohead under `strace -f --seccomp-bpf -T`, tracing only
# openat and fdatasync (the filter keeps every other system call at full
# speed), attributes each fdatasync to the engine whose database file was
# opened last, and prints per engine: syncs, total seconds in fdatasync,
# mean microseconds per sync. Compare the totals with the workload's
# elapsed time (ns/op x ops in the table printed first): elapsed minus
# sync time is what an engine's own code and writes cost.
set -euo pipefail
cd "$(dirname "$0")"
command -v strace >/dev/null || { echo "syncshare: needs strace" >&2; exit 2; }
[ $# -gt 0 ] || set -- -only seq-insert -n 1000000 -runs 1
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
go build -o "$trace.bin" ./cmd/headtohead
trap 'rm -f "$trace" "$trace.bin"' EXIT
strace -f --seccomp-bpf -T -e trace=openat,fdatasync -e signal=none -o "$trace" "$trace.bin" "$@"
awk '
	/openat\(.*\.db", O_RDWR\|O_CREAT/ { engine = ($0 ~ /-bbolt-[0-9]+\.db"/) ? "bbolt" : "bolt" }
	/fdatasync\(/ && engine != "" {
		if (match($0, /<[0-9.]+>$/)) {
			t = substr($0, RSTART + 1, RLENGTH - 2)
			n[engine]++; s[engine] += t
		}
	}
	END {
		for (e in n) printf "%-6s %6d fdatasync calls, %8.3f s, %6.0f us each\n", e, n[e], s[e], 1e6 * s[e] / n[e]
	}' "$trace"
