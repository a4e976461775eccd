"""Makes generator.json: PyTorch's draws for shapes the notebooks' fixtures do not cover.

    pip install torch
    python Tests/WorkbookTests/Fixtures/make_generator_fixture.py

Each case starts from torch.manual_seed(seed) and draws the listed tensors in order, so the
cached second Box-Muller value of the small-tensor path is exercised across calls too.
"""
import json
import os

import torch

cases = []
for seed in (0, 1, 42):
    torch.manual_seed(seed)
    draws = []
    for kind, shape in [("randn", [3]), ("randn", [5]), ("randn", [1, 8]), ("randn", [15]),
                        ("randn", [16]), ("randn", [17]), ("randn", [33]), ("rand", [7]),
                        ("randn", [1]), ("randn", [2, 3])]:
        t = torch.randn(shape) if kind == "randn" else torch.rand(shape)
        draws.append({"kind": kind, "shape": shape, "values": t.flatten().tolist()})
    w = torch.empty(5, 3)
    torch.nn.init.uniform_(w, -0.3, 0.7)
    draws.append({"kind": "uniform(-0.3,0.7)", "shape": [5, 3], "values": w.flatten().tolist()})
    n = torch.distributions.normal.Normal(2.5, 10).sample((37,))
    draws.append({"kind": "normal(2.5,10)", "shape": [37], "values": n.tolist()})
    cases.append({"seed": seed, "draws": draws})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generator.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
print("wrote", out)
