"""Chapter07-Beyond's bidirectional runs, in PyTorch, to compare with the workbook's table.

    pip install torch
    python scripts/beyond_bidirectional_pytorch.py [--record scripts/recorded/beyond_bidirectional_pytorch.json]

For seeds 0-4, from torch.manual_seed(seed): the notebook's digits (floor(10 * rand(5000, 6))),
then the model's weights, then 300 full-batch epochs on the first 3750 rows with the four fixes
(the loss on (N,) against (N,), digits / 9, Adam at lr 0.01, the notebook's per-parameter clipping):
- the notebook's two-halves model with Xavier uniform weights (the last row of the ablation);
- the standard bidirectional RNN, nn.RNN(1, 32, bidirectional=True) and nn.Linear(64, 1) on the
  two final states, with PyTorch's own initialisation.
Prints the test accuracy on the last 1250 rows (a prediction counts as 1 at 0.5 or more). The rows
are in their stored order (the workbook shuffles its one batch, which changes only rounding).
"""
import json
import sys

import torch
import torch.nn as nn

torch.set_num_threads(1)


def labels_of(digits):
    d = digits.long()
    forward = d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]
    backward = d[:, 5] * 100 + d[:, 4] * 10 + d[:, 3]
    return ((forward < 500) & (backward > 500)).float()


def clip(parameters, alpha=1.0):
    for p in parameters:
        norm = torch.norm(p.grad)
        if norm > alpha:
            p.grad *= alpha / norm


class TwoHalves(nn.Module):
    def __init__(self, h=32):
        super().__init__()
        def w(*shape):
            t = torch.empty(*shape)
            nn.init.xavier_uniform_(t)
            return nn.Parameter(t)
        self.fW_xh, self.fW_hh, self.fb_h = w(1, h), w(h, h), nn.Parameter(torch.zeros(h))
        self.bW_xh, self.bW_hh, self.bb_h = w(1, h), w(h, h), nn.Parameter(torch.zeros(h))
        self.fW_hq, self.fb_q = w(h, 1), nn.Parameter(torch.zeros(1))
        self.bW_hq, self.bb_q = w(h, 1), nn.Parameter(torch.zeros(1))

    def direction(self, x, W_xh, W_hh, b_h, W_hq, b_q):
        h = None
        for t in range(x.shape[0]):
            z = x[t] @ W_xh + (h @ W_hh if h is not None else 0)
            h = torch.relu(z + b_h)
        return h @ W_hq + b_q

    def forward(self, digits):
        x = (digits / 9).T.unsqueeze(2)                     # (6, N, 1)
        f = self.direction(x[0:3], self.fW_xh, self.fW_hh, self.fb_h, self.fW_hq, self.fb_q)
        b = self.direction(x[3:6].flip(0), self.bW_xh, self.bW_hh, self.bb_h, self.bW_hq, self.bb_q)
        return f * b


class Standard(nn.Module):
    def __init__(self, h=32):
        super().__init__()
        self.rnn = nn.RNN(1, h, bidirectional=True)
        self.linear = nn.Linear(2 * h, 1)

    def forward(self, digits):
        _, h_n = self.rnn((digits / 9).T.unsqueeze(2))
        return self.linear(torch.cat([h_n[-2], h_n[-1]], dim=1))


recorded = {"torch_version": torch.__version__, "test_accuracy": {}}
for key, name, Model in [("two_halves", "two halves, four fixes", TwoHalves),
                         ("standard", "nn.RNN(bidirectional=True)", Standard)]:
    accuracies = []
    for seed in range(5):
        torch.manual_seed(seed)
        digits = torch.floor(10 * torch.rand(5000, 6))
        labels = labels_of(digits)
        model = Model()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        x, y = digits[:3750], labels[:3750]
        for epoch in range(300):
            loss = ((model(x).flatten() - y) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            clip(model.parameters())
            optimizer.step()
        with torch.no_grad():
            prediction = model(digits[3750:]).flatten()
        accuracies.append(((prediction >= 0.5).float() == labels[3750:]).float().mean().item())
    print(f"{name:30s}" + "".join(f"{100 * a:8.2f}%" for a in accuracies))
    recorded["test_accuracy"][key] = accuracies

# --record FILE: what this run printed, for the pages to quote (Chapter07's prose reads it).
if "--record" in sys.argv:
    with open(sys.argv[sys.argv.index("--record") + 1], "w") as f:
        json.dump(recorded, f, indent=1)
        f.write("\n")
