#!/bin/sh
# The learner's edit loop, timed: how long `swift build --product Chapter05-Training` takes after
# touching a model file (Sources/Workbook/DRNN.swift) and after touching a chapter
# (Chapters/Chapter05-Training/Chapter05.swift), and how long the first `swift run
# Chapter05-Training` takes on a fresh clone, build included.
#
#     bench/edit_loop.sh               three of each (default)
#     RUNS=5 bench/edit_loop.sh        five of each
#     NO_CLONE=1 bench/edit_loop.sh    only the two edits
#
# Each edit is one a learner makes: the model gets a tanh after every layer (its recurrence is
# linear as the notebook writes it), the chapter a changed line of text. The build is timed, and
# the file is restored (then built again, untimed, so the next run starts from the same state). The fresh
# clone is of the committed HEAD, in a temporary folder, with its own .build; its time includes
# fetching the two packages it depends on. Run it on an idle
# machine: a build on two cores slows down by a factor of two or three when anything else runs.
set -eu
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
tmp="$(mktemp -d)"
trap 'restore; rm -rf "$tmp"' EXIT

model=Sources/Workbook/DRNN.swift
chapter=Chapters/Chapter05-Training/Chapter05.swift
cp "$model" "$tmp/model.swift"
cp "$chapter" "$tmp/chapter.swift"
restore() {
    cp "$tmp/model.swift" "$model" 2>/dev/null || true
    cp "$tmp/chapter.swift" "$chapter" 2>/dev/null || true
}

seconds() {   # runs "$@", prints its wall time in seconds
    start=$(date +%s%N)
    "$@" >"$tmp/out.log" 2>&1 || { cat "$tmp/out.log"; exit 1; }
    end=$(date +%s%N)
    awk "BEGIN { printf \"%.2f\", ($end - $start) / 1e9 }"
}

swift build --product Chapter05-Training >/dev/null 2>&1

edit() {   # $1: the file, $2: its saved copy, $3: what to call it, $4: the sed expression of the edit
    times=""
    i=1
    while [ "$i" -le "$RUNS" ]; do
        sed -i "$4" "$1"
        if cmp -s "$1" "$2"; then echo "the edit '$4' changed nothing in $1"; exit 1; fi
        t=$(seconds swift build --product Chapter05-Training)
        times="$times $t"
        cp "$2" "$1"
        swift build --product Chapter05-Training >/dev/null 2>&1
        i=$((i + 1))
    done
    echo "$3:$times s"
}

echo "== swift build --product Chapter05-Training, after an edit ($RUNS runs each)"
edit "$model" "$tmp/model.swift" "a tanh in $model" 's/let next = activation == .tanh ? z.tanh() : z/let next = z.tanh()/'
edit "$chapter" "$tmp/chapter.swift" "a changed line in $chapter" 's/Chapter 05 — Training (seed/Chapter 05: Training (seed/'

if [ -z "${NO_CLONE:-}" ]; then
    echo "== swift run Chapter05-Training on a fresh clone of HEAD, build included ($RUNS runs)"
    times=""
    i=1
    while [ "$i" -le "$RUNS" ]; do
        rm -rf "$tmp/clone"
        git clone -q . "$tmp/clone"
        t=$(cd "$tmp/clone" && seconds swift run Chapter05-Training --no-render)
        times="$times $t"
        i=$((i + 1))
    done
    echo "first swift run Chapter05-Training:$times s"
fi
