#!/usr/bin/env bash
# Warm restarts of one etcd data directory, alternately by etcd built on
# bbolt and on bolt: the same backend file for both, in the page cache, so
# that what differs is the engine's Open and etcd's index rebuild over it,
# not the disk. It answers "is etcd's index rebuild slower on bolt?" without
# the noise of two separately filled, evicted backends (bench/etcd/run.sh).
#
# Usage: bench/etcd/restarts.sh [-engine bbolt|bolt] [-rounds N] DIR
#
#   DIR        a scratch directory; the first run fills DIR/data with
#              2^20 keys of 1000-byte values, a quarter written twice (as
#              run.sh's full mode, a 1.8 GiB backend), through etcd on the
#              engine named by -engine (default bbolt); later runs reuse it.
#   -rounds N  restarts per engine (default 4), alternating.
#
# Needs the binaries run.sh built (run `bash bench/etcd/run.sh -smoke`
# first) and /tmp/bench.lock, which it takes. Prints per restart etcd's
# "opened backend db" took and the index rebuild ("simple token ..." to
# "kvstore restored", after the WAL and snapshot are read), then both
# medians.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ENGINE=bbolt
ROUNDS=4
while [ $# -gt 1 ]; do
	case $1 in
	-engine) ENGINE=$2; shift 2 ;;
	-rounds) ROUNDS=$2; shift 2 ;;
	*) echo "restarts.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
DIR=${1:?usage: restarts.sh [-engine bbolt|bolt] [-rounds N] DIR}
mkdir -p "$DIR/logs"

BIN=${ETCD_BENCH_CACHE:-/tmp/etcd-bench}/bin
# The bolt build of this checkout, as run.sh names it.
key=$(sed -n '/^bolt_key() {/,/^}/p' "$HERE/run.sh")
REPO=$(cd "$HERE/../.." && pwd -P)
eval "$key"
declare -A ETCD=([bbolt]=$BIN/etcd-v3.6.8-bbolt [bolt]=$BIN/etcd-v3.6.8-bolt-$(bolt_key))
TOOL=$BIN/benchmark-v3.6.8
for b in "${ETCD[@]}" "$TOOL"; do
	[ -x "$b" ] || { echo "restarts.sh: $b missing: run bash bench/etcd/run.sh -smoke first" >&2; exit 1; }
done

PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; true' EXIT
start() { # binary log
	"$1" --name bench --data-dir "$DIR/data" \
		--listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
		--listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
		--initial-cluster bench=http://127.0.0.1:23800 --quota-backend-bytes $((8 << 30)) \
		--log-level info >"$2" 2>&1 &
	PID=$!
}
stop() { kill "$PID"; wait "$PID" || true; PID=; }

# seconds LOG MESSAGE: the time of day, in seconds, of MESSAGE's first line.
seconds() {
	grep -m1 "\"msg\":\"$2\"" "$1" | sed 's/.*"ts":"[^T]*T\([0-9:.]*\)Z.*/\1/' |
		awk -F: '{ printf "%.6f\n", $1 * 3600 + $2 * 60 + $3 }'
}

exec 9>>/tmp/bench.lock
flock 9
if [ ! -d "$DIR/data" ]; then
	echo "filling $DIR/data through etcd on $ENGINE"
	start "${ETCD[$ENGINE]}" "$DIR/logs/fill.log"
	sleep 2
	timeout 1800 "$TOOL" --endpoints http://127.0.0.1:23790 --clients 100 --conns 10 put \
		--total $(((1 << 20) + (1 << 18))) --key-size 8 --val-size 1000 \
		--sequential-keys --key-space-size $((1 << 20)) >"$DIR/logs/fill-tool.log" 2>&1
	stop
fi
declare -A rebuilt=([bbolt]= [bolt]=)
for r in $(seq 1 "$ROUNDS"); do
	order="bbolt bolt"
	[ $((r % 2)) = 0 ] && order="bolt bbolt"
	for e in $order; do
		log=$DIR/logs/r$r-$e.log
		start "${ETCD[$e]}" "$log"
		for _ in $(seq 1 600); do
			grep -q '"kvstore restored"' "$log" && break
			sleep 0.1
		done
		stop
		took=$(grep -m1 '"msg":"opened backend db"' "$log" | sed 's/.*"took":"\([^"]*\)".*/\1/')
		t=$(awk -v a="$(seconds "$log" 'simple token is not cryptographically signed')" \
			-v b="$(seconds "$log" 'kvstore restored')" 'BEGIN { d = b - a; if (d < 0) d += 86400; printf "%.3f", d }')
		rebuilt[$e]="${rebuilt[$e]} $t"
		printf 'round %d %-5s: opened backend db in %s, index rebuilt in %s s\n' "$r" "$e" "$took" "$t"
	done
done
for e in bbolt bolt; do
	# shellcheck disable=SC2086 # one number per word
	printf '%s\n' ${rebuilt[$e]} | sort -n | awk -v e="$e" '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "index rebuild, median of %d: %-5s %.3f s\n", NR, e, m }'
done
