#!/bin/bash
# Interrupts a chapter many times while it writes and renders its figures, and counts the runs
# that left a temporary file behind (promise 6: never a half-written file). The reliability
# tests interrupt at a few fixed moments; this one at random moments, optionally with both cores
# loaded by two busy loops, which is when races between the signal handler and a thread starting
# a gnuplot show (CI runs the tests in parallel).
#
#   swift build && scripts/interrupt_stress.sh [runs] [chapter binary]
#   LOAD=1 scripts/interrupt_stress.sh 240
#   HEAD=1 scripts/interrupt_stress.sh 40 .build/debug/Chapter05-Training   # | head -n 1–30 instead
#
# Each run is in a fresh temporary folder; a signal comes after 0.05–0.69 s (MAXD=65, hundredths):
# SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPIPE, SIGXCPU,
# SIGXFSZ, SIGIO, SIGPWR or SIGRTMIN, at random; or SIGHUP to a run started with SIGHUP ignored,
# as `nohup` starts it, which must go on to its end (exit 0). With HEAD=1 the chapter's standard
# output goes instead to `head -n N`, N from 1 to 30, which stops reading (SIGPIPE, 141), half of
# the runs with SIGPIPE ignored (`trap "" PIPE`: the same quiet end, 141). Exits 1 when any run
# left a temporary file, or did not exit as it must: 0 or 128 + the signal (0 with SIGHUP ignored).
set -u
runs=${1:-100}
binary=$(realpath "${2:-.build/debug/Chapter06-Approximation}")
[ -x "$binary" ] || { echo "error: $binary is not built; run swift build first" >&2; exit 2; }
if [ "${LOAD:-0}" = 1 ]; then
    yes > /dev/null & first=$!
    yes > /dev/null & second=$!
    trap 'kill $first $second 2>/dev/null' EXIT
fi
# Job control on: a background job of a script would otherwise start with SIGINT and SIGQUIT
# ignored, which the chapter leaves ignored.
set -m
# INT TERM HUP QUIT USR1 USR2 ALRM VTALRM PROF PIPE XCPU XFSZ IO PWR RTMIN (Linux's numbers), and
# 0 for SIGHUP to a run started with SIGHUP ignored.
signals=(2 15 1 3 10 12 14 26 27 13 24 25 29 30 34 0)
left=0 wrong=0
for _ in $(seq 1 "$runs"); do
    folder=$(mktemp -d)
    if [ "${HEAD:-0}" = 1 ]; then
        signal=13 expected=141 ignore=$([ $((RANDOM % 2)) = 1 ] && echo PIPE || echo "")
        (cd "$folder" && if [ -n "$ignore" ]; then trap "" PIPE; fi && exec "$binary" --epochs 20 2> /dev/null) | head -n $((RANDOM % 30 + 1)) > /dev/null
        status=${PIPESTATUS[0]}
        label="| head${ignore:+ with SIGPIPE ignored}"
    else
        signal=${signals[$((RANDOM % ${#signals[@]}))]}
        if [ "$signal" = 0 ]; then
            (cd "$folder" && trap "" HUP && exec "$binary" --epochs 2 > /dev/null 2>&1) &
            signal=1 expected=0 label="SIGHUP, ignored from the start"
        else
            (cd "$folder" && exec "$binary" --epochs 2 > /dev/null 2>&1) &
            expected=$((128 + signal)) label="signal $signal"
        fi
        pid=$!
        sleep "0.$(printf %02d $((RANDOM % ${MAXD:-65} + 5)))"
        kill -$signal $pid 2>/dev/null
        wait $pid; status=$?
    fi
    sleep 0.3   # a gnuplot that outlived the program would write its image now
    if [ $status -ne 0 ] && [ $status -ne $expected ]; then
        wrong=$((wrong + 1)); echo "exit $status after $label"
    fi
    found=$(find "$folder" -name '*.tmp*')
    if [ -n "$found" ]; then left=$((left + 1)); echo "${found#"$folder"/}"; fi
    rm -rf "$folder"
done
echo "runs that left a temporary file: $left of $runs; runs with another exit status: $wrong"
[ $left -eq 0 ] && [ $wrong -eq 0 ]
