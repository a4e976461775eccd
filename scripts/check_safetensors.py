"""CI's check of the checkpoint format with the real safetensors library (no torch needed).

    pip install numpy safetensors
    swift run Chapter05-Training --epochs 2 --json --checkpoints-dir DIR > chapter05.json
    python scripts/check_safetensors.py chapter05.json

For every checkpoint the chapter recorded under "checkpoints" in its --json output, opens the file
with safetensors.numpy.load_file and checks that it holds exactly the tensors recorded, with the
same shapes, dtype float32 and the same values bit for bit; and that its __metadata__ holds the
model, the settings and the CRC-32 of the data section. Prints one line per file; exits 1 on the
first difference.
"""
import json
import struct
import sys
import zlib

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        fail("usage: check_safetensors.py CHAPTER05_JSON")
    with open(sys.argv[1]) as f:
        recorded = json.load(f).get("checkpoints", {})
    if len(recorded) != 3:
        fail(f"the chapter recorded {len(recorded)} checkpoints, not 3")
    for name, entry in sorted(recorded.items()):
        path = entry["path"]
        tensors = load_file(path)
        with safe_open(path, "np") as f:
            metadata = f.metadata() or {}
        with open(path, "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        if metadata.get("crc32") != "%08x" % zlib.crc32(raw[8 + n:]):
            fail(f"{path}: the crc32 in its metadata is not the CRC-32 of its data")
        for key in ("model", "seed", "epochs", "corrected"):
            if key not in metadata:
                fail(f"{path}: no {key} in its metadata")
        expected = entry["tensors"]
        if sorted(tensors) != sorted(expected):
            fail(f"{path}: holds {sorted(tensors)}, the chapter saved {sorted(expected)}")
        for tensor_name, want in expected.items():
            got = tensors[tensor_name]
            values = np.array([np.nan if v is None else v for v in want["values"]], dtype=np.float64).astype(np.float32)
            if got.dtype != np.float32 or list(got.shape) != [int(d) for d in want["shape"]]:
                fail(f"{path}: {tensor_name} is {got.dtype} {list(got.shape)}, not float32 {want['shape']}")
            if got.reshape(-1).view(np.uint32).tolist() != values.view(np.uint32).tolist():
                fail(f"{path}: {tensor_name}'s values differ from what the chapter saved")
        print(f"{path}: {len(tensors)} tensors, {sum(t.size for t in tensors.values())} values, as saved ({metadata['model']})")


if __name__ == "__main__":
    main()
