#!/usr/bin/env bash
# What `parkscope watch` costs, measured (issue 5, "Measured"): a target of
# N parked threads (25 frames deep) plus one busy worker, watched at a 1 s
# interval. Reports, as medians over rounds:
#   - the busy worker's throughput without and with watch attached (target
#     cost; goal < 1 %),
#   - the daemon's CPU, all its threads, as % of one core once warm (goal
#     < 2 %),
#   - the time of a repeat sample, wall and CPU, with the busy worker (one
#     thread captured per sample) and of a wholly unchanged process (goal
#     < 5 ms).
# Each round alternates a window without watch and one with it, so drift on
# a shared machine hits both, and each round prints the load average: on a
# 2-CPU machine any other busy process shows up in both numbers. Not a
# test: numbers, not pass/fail.
#
# usage: bench/watch_bench.sh [--threads N] [--rounds R] [--seconds S]
#                             [--interval D] [--build DIR]
set -euo pipefail

threads=1000 rounds=3 seconds=20 interval=1s
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--rounds R] [--seconds S] [--interval D] [--build DIR]" >&2; exit 64 ;;
  esac
done
parkscope=$build/src/parkscope
[ -x "$parkscope" ] || { echo "watch_bench: build first ($parkscope missing)" >&2; exit 1; }

tmp=$(mktemp -d)
target_pid="" watch_pid=""
cleanup() {
  [ -n "$watch_pid" ] && kill -KILL "$watch_pid" 2>/dev/null && wait "$watch_pid" 2>/dev/null
  [ -n "$target_pid" ] && kill -KILL "$target_pid" 2>/dev/null && wait "$target_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
g++ -std=c++20 -O2 -g -pthread "$root/bench/watch_target.cc" -o "$tmp/watch_target"

start_target() {  # $1: busy workers
  "$tmp/watch_target" --threads "$threads" --depth 25 --busy "$1" > "$tmp/target.out" &
  target_pid=$!
  for _ in $(seq 600); do grep -q '^READY' "$tmp/target.out" 2>/dev/null && return; sleep 0.1; done
  echo "watch_bench: target did not start" >&2; exit 1
}
stop_target() { kill -KILL "$target_pid"; wait "$target_pid" 2>/dev/null || true; target_pid=""; }

units() {  # prints "UNITS_DONE MONOTONIC_NS" at this moment
  local before; before=$(grep -c '^UNITS' "$tmp/target.out" || true)
  kill -USR1 "$target_pid"
  while [ "$(grep -c '^UNITS' "$tmp/target.out" || true)" -le "$before" ]; do sleep 0.01; done
  grep '^UNITS' "$tmp/target.out" | tail -1 | cut -d' ' -f2,3
}
throughput() {  # units per second over $seconds
  local a b; a=$(units); sleep "$seconds"; b=$(units)
  echo "$a $b" | awk '{ printf "%.1f", ($3 - $1) / (($4 - $2) / 1e9) }'
}
cpu_ns() {  # CPU time of every thread of $1 so far (schedstat: ns precision)
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
start_watch() {  # $1: log file
  "$parkscope" watch -p "$target_pid" --interval "$interval" --listen 127.0.0.1:0 \
    --log "$1" --log-samples > /dev/null &
  watch_pid=$!
}
wait_samples() {  # $1: log, $2: count
  for _ in $(seq 600); do
    [ "$(cat "$1" 2>/dev/null | grep -c '"event":"sample"' || true)" -ge "$2" ] && return
    sleep 0.1
  done
  echo "watch_bench: watch took no samples" >&2; exit 1
}
stop_watch() { kill -TERM "$watch_pid"; wait "$watch_pid" || true; watch_pid=""; }
# field $2 of the sample events of log $1, skipping the first three (the
# first is the full capture of every thread; the next settle baselines).
sample_field() { grep '"event":"sample"' "$1" | tail -n +4 | sed -E "s/.*\"$2\":([0-9]+).*/\\1/"; }

echo "parked threads: $threads at depth 25, 1 busy worker; interval $interval; rounds: $rounds x ${seconds}s; $(nproc) CPUs; $(date -u +%F)"
start_target 1
: > "$tmp/rounds"
for round in $(seq "$rounds"); do
  base=$(throughput)
  start_watch "$tmp/watch$round.log"
  wait_samples "$tmp/watch$round.log" 3
  c0=$(cpu_ns "$watch_pid"); t0=$(date +%s%N)
  with=$(throughput)
  c1=$(cpu_ns "$watch_pid"); t1=$(date +%s%N)
  stop_watch
  echo "$base $with $c0 $c1 $t0 $t1" | awk '{ printf "%s %s %.3f\n", $1, $2, ($4 - $3) / ($6 - $5) * 100 }' >> "$tmp/rounds"
  # The load average tells when something else on the machine ran too.
  echo "  round $round: $(tail -1 "$tmp/rounds" | awk '{ printf "units/s without %s, with %s (%+.2f%%); daemon CPU %.2f%% of a core", $1, $2, ($2 - $1) / $1 * 100, $3 }'); load $(cut -d' ' -f1 /proc/loadavg)"
done
cat "$tmp"/watch*.log > "$tmp/busy.log"
stop_target

# A wholly unchanged process: the same parked threads, no busy worker.
start_target 0
start_watch "$tmp/still.log"
wait_samples "$tmp/still.log" 13
stop_watch
stop_target

base=$(cut -d' ' -f1 "$tmp/rounds" | median)
with=$(cut -d' ' -f2 "$tmp/rounds" | median)
cpu=$(cut -d' ' -f3 "$tmp/rounds" | median)
echo
change=$(awk '{ print ($2 - $1) / $1 * 100 }' "$tmp/rounds" | median)
echo "target throughput, median units/s: without watch $base, with watch $with; median change per round $(awk -v c="$change" 'BEGIN { printf "%+.2f%%", c }')"
echo "daemon CPU once warm, median: ${cpu}% of one core"
for case in busy still; do
  label=$([ $case = busy ] && echo "with the busy worker (1 thread captured each)" || echo "of an unchanged process (nothing captured)")
  wall=$(sample_field "$tmp/$case.log" duration_us | median)
  cpu_us=$(sample_field "$tmp/$case.log" cpu_us | median)
  p90=$(sample_field "$tmp/$case.log" duration_us | sort -g | awk '{ v[NR] = $1 } END { print v[int(NR * 0.9 + 0.5)] }')
  n=$(sample_field "$tmp/$case.log" duration_us | wc -l)
  echo "repeat sample $label, $n samples: median $(awk -v v="$wall" 'BEGIN { printf "%.2f", v / 1000 }') ms wall (p90 $(awk -v v="$p90" 'BEGIN { printf "%.2f", v / 1000 }') ms), $(awk -v v="$cpu_us" 'BEGIN { printf "%.2f", v / 1000 }') ms CPU"
done
