#!/usr/bin/env python3
"""The notebooks' training epochs in PyTorch eager on the CPU, timed like the Swift Benchmarks target.

Ports the cells of the deep RNN and bidirectional RNN notebooks (models, loss, XTransform,
gradientClipping, the train loops' bodies) and times one epoch of each workload:

  deep RNN from scratch   DRNN(2, 1, 8, 1), 180 windows of 19 steps in one batch, SGD lr 1e-4, clipping
  deep RNN concise        nn.Sequential(nn.RNN(1, 8, 2), OutputLayer(8, 1)), same data, SGD lr 0.03
  bidirectional           BRNN(1, 32, 1), 3750 rows of 6 digits in one batch, SGD lr 0.01, clipping,
                          the notebook's loss (an N x N broadcast) and the loss fixed (Y_hat flattened)

An epoch is what the notebooks' loops do per epoch: forward, loss, backward, clipping, SGD step,
then the printed loss on the first batch (computed, not printed). Three loaders:
  "fast"        tensors already batched (one shuffled batch: the loader's work without the loader);
  "notebook"    the notebooks' DataLoader(shuffle=True) in this process (num_workers=0): the setting
                of the anchors in the issue and in WORKBOOK.md (the bidirectional run: 71 s, and
                103 s with num_workers=2), about 6.8, 7.8, 240 and 11 ms per epoch;
  "as written"  the notebooks' DataLoader(shuffle=True, num_workers=2), worker processes and all.

Install PyTorch from PyPI (CPU build is enough):
    python3 -m venv venv && venv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
Then:  venv/bin/python bench/pytorch_reference.py [--repetitions N] [--no-as-written]
Prints a table on stderr and one JSON object on stdout.
"""
import argparse
import json
import platform
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("PyTorch is not installed for this interpreter (pip install torch)", file=sys.stderr)
    sys.exit(3)


# ---- The deep RNN notebook -------------------------------------------------------------------

class DRNN(nn.Module):
    """The notebook's DRNN, as written (each layer reassigns self.W_xh etc.; no activation)."""
    def __init__(self, num_layers, x_size, h_size, q_size):
        super().__init__()
        self.drnn_parameters = []
        self.L = num_layers
        for l in range(self.L):
            if l == 0:
                self.W_xh = nn.Parameter(2 * torch.rand(x_size, h_size) - 1)
            else:
                self.W_xh = nn.Parameter(2 * torch.rand(h_size, h_size) - 1)
            self.W_hh = nn.Parameter(2 * torch.rand(h_size, h_size) - 1)
            self.b_h = nn.Parameter(torch.zeros(h_size))
            if l + 1 == self.L:
                self.W_hq = nn.Parameter(2 * torch.rand(h_size, q_size) - 1)
                self.b_q = nn.Parameter(torch.zeros(q_size))
                l_params = (self.W_xh, self.W_hh, self.b_h, self.W_hq, self.b_q)
            else:
                l_params = (self.W_xh, self.W_hh, self.b_h)
            self.drnn_parameters.append(l_params)

    def forward(self, X):
        outputs, hspl = [], []
        matmul = lambda A, B: torch.matmul(A, B) if A is not None else 0
        for l in range(self.L):
            Hl = None
            if l + 1 == self.L:
                W_xh, W_hh, b_h, W_hq, b_q = self.drnn_parameters[l]
            else:
                W_xh, W_hh, b_h = self.drnn_parameters[l]
            for t in range(len(X)):
                if l == 0:
                    Hl = matmul(X[t], W_xh) + matmul(Hl, W_hh) + b_h
                    hspl.append(Hl)
                else:
                    Hl = matmul(hspl[t], W_xh) + matmul(Hl, W_hh) + b_h
                    hspl[t] = Hl
        for t in range(len(hspl)):
            outputs.append(matmul(hspl[t], W_hq) + b_q)
        return outputs


class OutputLayer(nn.Module):
    def __init__(self, h_size, q_size):
        super().__init__()
        self.W_hq = nn.Parameter(2 * torch.rand(h_size, q_size) - 1)
        self.b_q = nn.Parameter(torch.zeros(q_size))

    def forward(self, rnn_outputs):
        HS = rnn_outputs[0]
        return [torch.matmul(HS[t], self.W_hq) + self.b_q for t in range(len(HS))]


def sequence_loss(Y_hat, Y):
    Y_hat = torch.cat(Y_hat, dim=0)
    Y = Y.flatten().reshape(-1, 1)
    return ((Y_hat - Y) ** 2).mean()


def XTransform(X, flip=False):
    if flip:
        X = torch.flip(X, dims=(1,))
    X = torch.transpose(X, 0, 1)
    return X.reshape(X.shape[0], -1, 1)


def YTransform(Y):
    return torch.transpose(Y, 0, 1)


def gradientClipping(model, alpha=1):
    for param in model.parameters():
        if param.requires_grad:
            norm = torch.norm(param.grad.flatten())
            theta = alpha * param.numel()
            if norm > theta:
                param.grad *= theta / norm


def deep_data():
    num_data = 200
    x = torch.arange(0, num_data, dtype=torch.float32)
    data = 5 + 7 * x
    data += torch.distributions.normal.Normal(0, 10).sample((num_data,))
    d = data[1:] - data[:-1]
    X = torch.stack([d[i:i + 19] for i in range(len(d) - 19)])
    Y = torch.stack([d[i + 1:i + 20] for i in range(len(d) - 19)])
    return X, Y


# ---- The bidirectional notebook --------------------------------------------------------------

class BRNN(nn.Module):
    def __init__(self, x_size, h_size, q_size):
        super().__init__()
        self.fW_xh = nn.Parameter(torch.randn(x_size, h_size))
        self.fW_hh = nn.Parameter(torch.randn(h_size, h_size))
        self.fb_h = nn.Parameter(torch.zeros(h_size))
        self.bW_xh = nn.Parameter(torch.randn(x_size, h_size))
        self.bW_hh = nn.Parameter(torch.randn(h_size, h_size))
        self.bb_h = nn.Parameter(torch.zeros(h_size))
        self.fW_hq = nn.Parameter(torch.randn(h_size, q_size))
        self.fb_q = nn.Parameter(torch.zeros(q_size))
        self.bW_hq = nn.Parameter(torch.randn(h_size, q_size))
        self.bb_q = nn.Parameter(torch.zeros(q_size))

    def forward(self, fX, bX):
        fH, bH = None, None
        RL = torch.nn.ReLU()
        matmul = lambda A, B: torch.matmul(A, B) if A is not None else 0
        for i in range(len(fX)):
            fH = RL(matmul(fX[i], self.fW_xh) + matmul(fH, self.fW_hh) + self.fb_h)
        for i in range(len(bX)):
            bH = RL(matmul(bX[i], self.bW_xh) + matmul(bH, self.bW_hh) + self.bb_h)
        out_3 = matmul(fH, self.fW_hq) + self.fb_q
        out_5 = matmul(bH, self.bW_hq) + self.bb_q
        return out_3 * out_5


def notebook_loss(Y_hat, Y):      # (N, 1) - (N,) broadcasts to N x N, as the notebook computes it
    return ((Y_hat - Y) ** 2).mean()


def fixed_loss(Y_hat, Y):
    return ((Y_hat.flatten() - Y) ** 2).mean()


def digit_data():
    X = torch.floor(10 * torch.rand((5000, 6)))
    Y = torch.empty((5000,))
    for i in range(5000):
        seqf = "".join(str(int(v)) for v in X[i, 0:3].tolist())
        seqb = "".join(str(int(v)) for v in reversed(X[i, 3:6].tolist()))
        Y[i] = (1 if int(seqf) < 500 else 0) * (1 if int(seqb) > 500 else 0)
    return X[:3750], Y[:3750]


# ---- One epoch of each training loop, with a fast or the notebooks' loader --------------------

def loader(X, Y, workers=None):
    """The fast loader (workers None), or the notebooks' DataLoader with that many worker processes."""
    if workers is not None:
        dataset = torch.utils.data.TensorDataset(X, Y)
        return lambda: torch.utils.data.DataLoader(dataset, len(X), shuffle=True, num_workers=workers)
    return lambda: (lambda p: [(X[p], Y[p])])(torch.randperm(len(X)))


def deep_epoch(model, batches, optimizer, clip):
    def epoch():
        test = None
        for X, Y in batches():
            X, Y = XTransform(X), YTransform(Y)
            l = sequence_loss(model(X), Y)
            with torch.no_grad():
                l.backward()
                if clip:
                    gradientClipping(model)
                optimizer.step()
                optimizer.zero_grad()
            if test is None:
                test = (X, Y)
        sequence_loss(model(test[0]), test[1]).item()
    return epoch


def brnn_epoch(model, batches, optimizer, loss):
    def epoch():
        test = None
        for X, Y in batches():
            fX, bX = XTransform(X[:, 0:3]), XTransform(X[:, 3:6], flip=True)
            l = loss(model(fX, bX), Y)
            with torch.no_grad():
                l.backward()
                gradientClipping(model)
                optimizer.step()
                optimizer.zero_grad()
            if test is None:
                test = (fX, bX, Y)
        loss(model(test[0], test[1]), test[2]).item()
    return epoch


def measure(body, warm_up, repetitions):
    for _ in range(warm_up):
        body()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return {"median_ms": statistics.median(times) * 1e3, "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3,
            "repetitions": repetitions}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=50, help="timed epochs per workload (fast loader)")
    parser.add_argument("--no-as-written", action="store_true", help="skip the DataLoader(num_workers=2) variant")
    args = parser.parse_args()
    torch.manual_seed(0)

    X, Y = deep_data()
    dX, dY = digit_data()
    workloads = {
        "deep_scratch": lambda batches: deep_epoch(
            m := DRNN(2, 1, 8, 1), batches, torch.optim.SGD(m.parameters(), lr=1e-4), clip=True),
        "deep_concise": lambda batches: deep_epoch(
            m := nn.Sequential(nn.RNN(1, 8, num_layers=2, nonlinearity="tanh"), OutputLayer(8, 1)),
            batches, torch.optim.SGD(m.parameters(), lr=0.03), clip=False),
        "brnn_notebook_loss": lambda batches: brnn_epoch(
            m := BRNN(1, 32, 1), batches, torch.optim.SGD(m.parameters(), lr=0.01), notebook_loss),
        "brnn_fixed_loss": lambda batches: brnn_epoch(
            m := BRNN(1, 32, 1), batches, torch.optim.SGD(m.parameters(), lr=0.01), fixed_loss),
    }
    results = {}
    for name, make in workloads.items():
        data = (X, Y) if name.startswith("deep") else (dX, dY)
        reps = args.repetitions if name != "brnn_notebook_loss" else max(5, args.repetitions // 5)
        results[name] = {"fast": measure(make(loader(*data)), 5, reps),
                         "notebook": measure(make(loader(*data, workers=0)), 2, max(5, reps // 2))}
        if not args.no_as_written:
            results[name]["as_written"] = measure(make(loader(*data, workers=2)), 1, max(3, reps // 10))
        row = results[name]
        print(f"{name:20s} fast {row['fast']['median_ms']:9.3f} ms   notebook {row['notebook']['median_ms']:9.3f} ms"
              + (f"   as written {row['as_written']['median_ms']:9.3f} ms" if "as_written" in row else ""),
              file=sys.stderr)
    print(json.dumps({"torch": torch.__version__, "python": platform.python_version(),
                      "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
