#!/bin/sh
# Side by side: the Workbook's Benchmarks (release build) and the same epochs in PyTorch eager on
# the CPU, one after the other on this machine, then the ratios.
#
#     bench/compare.sh                      PyTorch from `python3`
#     PYTHON=venv/bin/python bench/compare.sh
#     REPETITIONS=100 bench/compare.sh       timed PyTorch epochs per workload (default 50)
#
# PyTorch comes from PyPI:  python3 -m venv venv && venv/bin/pip install torch
# (the CPU wheels: --index-url https://download.pytorch.org/whl/cpu). Without it, the script runs
# the Swift side only and says so. Timings are noisy on a busy machine: run it when idle, twice.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
REPETITIONS="${REPETITIONS:-50}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== Swift (swift run -c release Benchmarks)"
swift build -c release --product Benchmarks >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$(swift build -c release --show-bin-path)/Benchmarks" >"$tmp/swift.txt"
grep -v '^{' "$tmp/swift.txt"
grep '^{' "$tmp/swift.txt" >"$tmp/swift.json"

if ! "$PYTHON" -c 'import torch' >/dev/null 2>&1; then
    echo "== PyTorch: skipped ('$PYTHON' cannot import torch; set PYTHON=… or: pip install torch)"
    exit 0
fi
echo "== PyTorch eager, CPU ($PYTHON bench/pytorch_reference.py)"
"$PYTHON" bench/pytorch_reference.py --repetitions "$REPETITIONS" >"$tmp/torch.json" 2>"$tmp/torch.log" \
    || { cat "$tmp/torch.log"; exit 1; }
grep -v -i 'warn\|_conversion_method' "$tmp/torch.log" || true

echo "== Per epoch, medians (PyTorch fast loader / as written, DataLoader with num_workers=2)"
"$PYTHON" - "$tmp/swift.json" "$tmp/torch.json" <<'PY'
import json, sys
swift = json.load(open(sys.argv[1]))["results"]
torch = json.load(open(sys.argv[2]))
print(f"torch {torch['torch']}, {torch['threads']} threads")
print(f"{'workload':22s} {'Swift ms':>9s} {'PyTorch ms':>11s} {'ratio':>7s} {'as written ms':>14s} {'ratio':>7s}")
for key, row in torch["results"].items():
    if key not in swift:
        continue
    s = swift[key]["median_ms"]
    fast = row["fast"]["median_ms"]
    line = f"{key:22s} {s:9.3f} {fast:11.3f} {fast / s:6.1f}x"
    if "as_written" in row:
        written = row["as_written"]["median_ms"]
        line += f" {written:14.1f} {written / s:6.0f}x"
    print(line)
PY
