#!/bin/sh
# Side by side: the Workbook's Benchmarks (release build) and the same epochs in PyTorch eager and
# in JAX (jax.jit) on the CPU, one after the other on this machine, in alternating rounds, then the ratios.
#
#     bench/compare.sh                      PyTorch and JAX from `python3`
#     PYTHON=venv/bin/python bench/compare.sh
#     PYTHON_JAX=venv/bin/python bench/compare.sh   JAX from another interpreter (default: $PYTHON)
#     REPETITIONS=100 bench/compare.sh       timed PyTorch and JAX epochs per workload (default 50)
#     ROUNDS=5 bench/compare.sh              Swift, PyTorch, JAX, this many times (default 3)
#     THREADS=1 bench/compare.sh             the Swift side on one thread (default: two for large operations)
#
# PyTorch comes from PyPI:  python3 -m venv venv && venv/bin/pip install torch
# (the CPU wheels: --index-url https://download.pytorch.org/whl/cpu). Without it, the script skips
# the PyTorch side and says so. JAX comes from PyPI too (pip install jax: the CPU wheels);
# bench/jax_reference.py runs after PyTorch in each round, each epoch one jax.jit call with the
# batch already in memory; without jax, that side is skipped and said so in one line. Timings are
# noisy on a shared machine: each round runs the sides a few seconds apart, and the ratio of each
# round is printed, then their median: against PyTorch with the notebooks' loader in process (how
# the issue's anchors were measured) and with the batch already in memory (PyTorch at its
# fastest), and against JAX, for the median and the fastest epochs.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
PYTHON_JAX="${PYTHON_JAX:-$PYTHON}"
REPETITIONS="${REPETITIONS:-50}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-2}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

swift build -c release --product Benchmarks >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
benchmarks="$(swift build -c release --show-bin-path)/Benchmarks"
torch=yes
if ! "$PYTHON" -c 'import torch' >/dev/null 2>&1; then
    torch=no
fi
jax=yes
if ! "$PYTHON_JAX" -c 'import jax' >/dev/null 2>&1; then
    jax=no
fi
if [ "$torch" = no ] && [ "$jax" = no ]; then
    ROUNDS=1
fi

round=1
while [ "$round" -le "$ROUNDS" ]; do
    echo "== Round $round: Swift (swift run -c release Benchmarks --threads $THREADS)"
    "$benchmarks" --threads "$THREADS" >"$tmp/swift.txt"
    grep -v '^{' "$tmp/swift.txt"
    grep '^{' "$tmp/swift.txt" >"$tmp/swift.$round.json"
    if [ "$torch" = yes ]; then
        # The notebooks' loops as written (DataLoader with num_workers=2) are slow and vary less
        # than the fast loop: the first round measures them, later rounds only the fast loop.
        written=""
        [ "$round" -gt 1 ] && written="--no-as-written"
        echo "== Round $round: PyTorch eager, CPU ($PYTHON bench/pytorch_reference.py $written)"
        "$PYTHON" bench/pytorch_reference.py --repetitions "$REPETITIONS" $written >"$tmp/torch.$round.json" \
            2>"$tmp/torch.log" || { cat "$tmp/torch.log"; exit 1; }
        grep -v -i 'warn\|_conversion_method' "$tmp/torch.log" || true
    fi
    if [ "$jax" = yes ]; then
        echo "== Round $round: JAX jit, CPU ($PYTHON_JAX bench/jax_reference.py)"
        "$PYTHON_JAX" bench/jax_reference.py --repetitions "$REPETITIONS" >"$tmp/jax.$round.json" \
            2>"$tmp/jax.log" || { cat "$tmp/jax.log"; exit 1; }
        cat "$tmp/jax.log"
    fi
    round=$((round + 1))
done

if [ "$torch" = no ]; then
    echo "== PyTorch: skipped ('$PYTHON' cannot import torch; set PYTHON=… or: pip install torch)"
fi
if [ "$jax" = no ]; then
    echo "== JAX: skipped ('$PYTHON_JAX' cannot import jax; set PYTHON_JAX=… or: pip install jax)"
fi
if [ "$torch" = no ] && [ "$jax" = no ]; then
    exit 0
fi

analysis="$PYTHON"
if [ "$torch" = yes ]; then
    echo "== Per epoch: medians of each round, the ratio of each round (PyTorch / Swift), and the median ratio"
else
    analysis="$PYTHON_JAX"
fi
"$analysis" - "$tmp" "$ROUNDS" "$torch" "$jax" <<'PY'
import json, statistics, sys
folder, rounds, has_torch, has_jax = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "yes", sys.argv[4] == "yes"
swift = [json.load(open(f"{folder}/swift.{r}.json")) for r in range(1, rounds + 1)]
torch = [json.load(open(f"{folder}/torch.{r}.json")) for r in range(1, rounds + 1)] if has_torch else []
jax = [json.load(open(f"{folder}/jax.{r}.json")) for r in range(1, rounds + 1)] if has_jax else []
if has_torch:
    print(f"torch {torch[0]['torch']}, {torch[0]['threads']} threads; Swift {swift[0].get('threads', 1)} thread(s)")

def table(title, statistic, loader, other=torch, label="PyTorch ms"):
    print(f"-- {title}")
    print(f"{'workload':20s} {'Swift ms':>16s} {label:>18s} {'ratio per round':>30s} {'median':>7s}")
    for key in other[0]["results"]:
        if key not in swift[0]["results"] or loader not in other[0]["results"][key]:
            continue
        s = [run["results"][key][statistic] for run in swift]
        t = [run["results"][key][loader][statistic] for run in other]
        ratios = [p / x for p, x in zip(t, s)]
        print(f"{key:20s} {min(s):7.3f}–{max(s):<8.3f} {min(t):8.3f}–{max(t):<9.3f} "
              f"{', '.join(f'{r:.1f}' for r in ratios):>30s} {statistics.median(ratios):6.1f}x")

# PyTorch with the notebooks' loader in this process: how the issue's anchors were measured; then
# with the batch already in memory: PyTorch at its fastest. For each, the median epochs and the
# fastest epoch of each side in each round: on a shared machine the median moves with the load of
# the other programs (PyTorch's, on two threads, more than ours), the fastest epoch much less.
for loader, name in [("notebook", "the notebooks' DataLoader in this process (num_workers=0)"),
                     ("fast", "the batch already in memory (fast loader)")] if has_torch else []:
    table(f"PyTorch with {name}: median epochs", "median_ms", loader)
    table(f"PyTorch with {name}: the fastest epoch of each side", "min_ms", loader)
first = torch[0]["results"] if has_torch else {}
if any("as_written" in row for row in first.values()):
    print("-- PyTorch as written (DataLoader with num_workers=2), first round only")
    for key, row in first.items():
        if "as_written" in row and key in swift[0]["results"]:
            written = row["as_written"]["median_ms"]
            print(f"{key:20s} {written:10.1f} ms {written / swift[0]['results'][key]['median_ms']:8.0f}x")

# JAX: each epoch one jax.jit call (compiled before the timed epochs), the batch already in memory
# and shuffled inside the jit; its ratios over ours, as for PyTorch.
if has_jax:
    print("== JAX jit: medians of each round, the ratio of each round (JAX / Swift), and the median ratio")
    print(f"jax {jax[0]['jax']} ({jax[0]['backend']}), {jax[0]['threads']} threads; Swift {swift[0].get('threads', 1)} thread(s)")
    table("JAX jit with the batch already in memory: median epochs", "median_ms", "fast", jax, "JAX ms")
    table("JAX jit with the batch already in memory: the fastest epoch of each side", "min_ms", "fast", jax, "JAX ms")
PY
