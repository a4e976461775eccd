"""Makes the PyTorch numbers that `swift run Exercises` checks the exercises against.

    pip install torch
    python Exercises/Fixtures/make_fixtures.py

One JSON file per exercise, beside this script, named as the exercise (01-SequencesPreparation.json,
...). Every case starts from torch.manual_seed(...) and uses shapes that are not square (X = 3 inputs,
H = 4 hidden units, Q = 2 outputs, B = 2 rows) and biases that are not zero, so that a transposed
weight or a missing bias term gives other numbers. Tensors are {"shape": [...], "values": [...]},
row-major, float32 values written as doubles; the workbook's weights are (inputs, outputs), as the
notebooks' W_xh, so PyTorch's (outputs, inputs) nn.RNN and nn.GRUCell weights are written transposed.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


def t(x):
    x = x.detach()
    return {"shape": list(x.shape), "values": x.flatten().tolist()}


def write(name, cases, **extra):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases, **extra}, f, indent=1)
    print("wrote", name + ".json")


# 01: the deep RNN notebook's own sequencesPreparation.
def sequencesPreparation(input_data_1d, sequence_len):
    X, Y = [], []
    for i in range(len(input_data_1d) - sequence_len):
        X.append(input_data_1d[i:i + sequence_len])
        Y.append(input_data_1d[(i + 1):(i + 1) + sequence_len])
    return torch.stack(X), torch.stack(Y)


torch.manual_seed(1)
cases = []
for n, length in [(7, 3), (5, 4), (6, 1)]:
    series = torch.round(torch.randn(n) * 100) / 10   # one decimal: easy to read in a message
    X, Y = sequencesPreparation(series, length)
    cases.append({"name": f"{n} values, windows of {length}", "series": series.tolist(), "length": length,
                  "inputs": t(X), "targets": t(Y)})
write("01-SequencesPreparation", cases)

# 02 and 03: one step H_t = phi(X_t W_xh + H_{t-1} W_hh + b_h), and its gradients.
activations = {"identity": lambda z: z, "tanh": torch.tanh, "relu": torch.relu}


def step_case(seed, name, activation, B, zero_state=False, zero_gradient=False):
    torch.manual_seed(seed)
    X, H = 3, 4
    x = torch.randn(B, X, requires_grad=True)
    h = (torch.zeros(B, H) if zero_state else torch.randn(B, H)).requires_grad_()
    W_xh = torch.randn(X, H, requires_grad=True)
    W_hh = torch.randn(H, H, requires_grad=True)
    b_h = torch.randn(H, requires_grad=True)
    out = activations[activation](x @ W_xh + h @ W_hh + b_h)
    upstream = torch.zeros(B, H) if zero_gradient else torch.randn(B, H)
    (out * upstream).sum().backward()
    return {"name": name, "activation": activation, "x": t(x), "previous_state": t(h), "W_xh": t(W_xh),
            "W_hh": t(W_hh), "b_h": t(b_h), "state": t(out), "upstream": t(upstream),
            "grads": {"x": t(x.grad), "previous_state": t(h.grad), "W_xh": t(W_xh.grad),
                      "W_hh": t(W_hh.grad), "b_h": t(b_h.grad)}}


write("02-StepForward", [
    step_case(2, "tanh, a batch of 2", "tanh", 2),
    step_case(3, "no activation (the notebook's DRNN), a batch of 2", "identity", 2),
    step_case(4, "ReLU (the bidirectional notebook), a batch of 2", "relu", 2),
    step_case(5, "tanh, a batch of one", "tanh", 1),
    step_case(6, "tanh, the first step (H_{t-1} = 0)", "tanh", 2, zero_state=True),
])
write("03-StepBackward", [
    step_case(7, "a batch of 2", "tanh", 2),
    step_case(8, "a batch of one", "tanh", 1),
    step_case(9, "a zero upstream gradient", "tanh", 2, zero_gradient=True),
])


# 04: backpropagation through time in the notebook's linear recurrence, with its loss.
def bptt_case(seed, name, T, B):
    torch.manual_seed(seed)
    X, H, Q = 3, 4, 2
    xs = torch.randn(T, B, X)
    ys = torch.randn(T, B, Q)
    W_xh = (0.5 * torch.randn(X, H)).requires_grad_()
    W_hh = (0.5 * torch.randn(H, H)).requires_grad_()
    b_h = (0.5 * torch.randn(H)).requires_grad_()
    W_hq = (0.5 * torch.randn(H, Q)).requires_grad_()
    b_q = (0.5 * torch.randn(Q)).requires_grad_()
    Hl, outputs = None, []
    for step in range(T):   # the notebook's forward: no H_{t-1} term at the first step
        Hl = xs[step] @ W_xh + (Hl @ W_hh if Hl is not None else 0) + b_h
        outputs.append(Hl @ W_hq + b_q)
    loss = ((torch.stack(outputs) - ys) ** 2).mean()
    loss.backward()
    return {"name": name, "inputs": t(xs), "targets": t(ys),
            "weights": {"W_xh": t(W_xh), "W_hh": t(W_hh), "b_h": t(b_h), "W_hq": t(W_hq), "b_q": t(b_q)},
            "loss": loss.item(),
            # With T = 1, W_hh is never used: PyTorch leaves its gradient None, which is zeros.
            "grads": {n: t(w.grad if w.grad is not None else torch.zeros_like(w))
                      for n, w in [("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h), ("W_hq", W_hq), ("b_q", b_q)]}}


write("04-BackpropagationThroughTime", [
    bptt_case(10, "T = 1, a batch of one", 1, 1),
    bptt_case(11, "T = 2, a batch of 2", 2, 2),
    bptt_case(12, "T = 5, a batch of 2", 5, 2),
])


# 05: the notebooks' per-parameter clipping and torch.nn.utils.clip_grad_norm_.
def clip_case(seed, name, scales, alpha, max_norm):
    torch.manual_seed(seed)
    shapes = [(3, 4), (4,), (2, 2)]
    params = [nn.Parameter(torch.zeros(s)) for s in shapes]
    grads = [scale * torch.randn(s) for s, scale in zip(shapes, scales)]
    per_parameter = []
    for g in grads:   # the notebooks' gradientClipping, one tensor at a time
        g = g.clone()
        norm, theta = torch.norm(g.flatten()), alpha * g.numel()
        if norm > theta:
            g *= theta / norm
        per_parameter.append(g)
    for p, g in zip(params, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return {"name": name, "gradients": [t(g) for g in grads], "alpha": alpha, "max_norm": max_norm,
            "per_parameter": [t(g) for g in per_parameter], "global_norm": total.item(),
            "global": [t(p.grad) for p in params]}


write("05-GlobalNormClipping", [
    clip_case(13, "two of three gradients too long", [10, 0.5, 5], 1.0, 5.0),
    clip_case(14, "every gradient short enough", [0.1, 0.1, 0.1], 1.0, 100.0),
    clip_case(15, "alpha 0.1, max_norm 1", [1, 1, 1], 0.1, 1.0),
])


# 06: the bidirectional loss, fixed ((N,) against (N,)) and as the notebook writes it (N x N).
def loss_case(seed, name, N):
    torch.manual_seed(seed)
    Y_hat = (0.5 + 0.4 * torch.randn(N, 1)).requires_grad_()
    Y = torch.floor(2 * torch.rand(N)).requires_grad_()
    fixed = ((Y_hat.flatten() - Y) ** 2).mean()
    fixed.backward()
    fixed_grads = (Y_hat.grad.clone(), Y.grad.clone())
    Y_hat.grad, Y.grad = None, None
    broadcast = ((Y_hat - Y) ** 2).mean()   # (N, 1) - (N,): N x N
    broadcast.backward()
    return {"name": name, "prediction": t(Y_hat), "labels": t(Y),
            "fixed": fixed.item(), "fixed_grads": {"prediction": t(fixed_grads[0]), "labels": t(fixed_grads[1])},
            "broadcast": broadcast.item(), "broadcast_grads": {"prediction": t(Y_hat.grad), "labels": t(Y.grad)}}


write("06-BidirectionalLoss", [
    loss_case(16, "6 rows", 6),
    loss_case(17, "one row", 1),
    loss_case(18, "5 rows", 5),
])


# 07: nn.RNN(3, 4, bidirectional=True): the reverse direction's states flipped back and joined.
def bidirectional_case(seed, name, T, B):
    torch.manual_seed(seed)
    rnn = nn.RNN(3, 4, bidirectional=True)
    x = torch.randn(T, B, 3, requires_grad=True)
    out, h_n = rnn(x)
    w_out, w_h = torch.randn(T, B, 8), torch.randn(2, B, 4)
    ((out * w_out).sum() + (h_n * w_h).sum()).backward()
    return {"name": name, "parameters": {n: t(p) for n, p in rnn.named_parameters()}, "x": t(x),
            "output": t(out), "final_states": t(h_n), "w_output": t(w_out), "w_final_states": t(w_h),
            "grads": {**{n: t(p.grad) for n, p in rnn.named_parameters()}, "x": t(x.grad)}}


write("07-BidirectionalLayer", [
    bidirectional_case(19, "5 steps, a batch of 2", 5, 2),
    bidirectional_case(20, "one step, a batch of one", 1, 1),
    bidirectional_case(21, "3 steps, a batch of one", 3, 1),
])

# 08: nn.init.xavier_uniform_ after torch.manual_seed, on the bidirectional model's shapes.
cases = []
for seed in (0, 7):
    torch.manual_seed(seed)
    shapes = [(1, 32), (32, 32), (32, 1), (3, 5)]
    drawn = [nn.init.xavier_uniform_(torch.empty(*s)) for s in shapes]
    cases.append({"name": f"seed {seed}", "seed": seed, "weights": [t(w) for w in drawn],
                  "next_rand": torch.rand(1).item()})
write("08-XavierInitialization", cases)


# 09: torch.optim.Adam, step by step: the gradient of each step given, the parameter after it.
def adam_case(seed, name, steps, zero_first=False, **options):
    torch.manual_seed(seed)
    p = nn.Parameter(torch.randn(7))
    w = torch.randn(7)
    optimizer = torch.optim.Adam([p], **options)
    start, records = p.detach().clone(), []
    for step in range(steps):
        optimizer.zero_grad()
        if zero_first and step == 0:
            p.grad = torch.zeros(7)
        else:
            (w * p ** 2).sum().backward()
        g = p.grad.clone()
        optimizer.step()
        state = optimizer.state[p]
        records.append({"gradient": t(g), "after": t(p), "first_moment": t(state["exp_avg"]),
                        "second_moment": t(state["exp_avg_sq"])})
    return {"name": name, "start": t(start), "steps": records,
            "learning_rate": options.get("lr", 0.001), "betas": list(options.get("betas", (0.9, 0.999))),
            "epsilon": options.get("eps", 1e-8)}


write("09-AdamStep", [
    adam_case(22, "lr 0.01, five steps", 5, lr=0.01),
    adam_case(23, "lr 0.1, betas (0.8, 0.99), eps 1e-6, a zero first gradient", 4, zero_first=True,
              lr=0.1, betas=(0.8, 0.99), eps=1e-6),
])


# 10: nn.GRUCell(3, 4): PyTorch's gates r, z, n.
def gru_case(seed, name, B):
    torch.manual_seed(seed)
    cell = nn.GRUCell(3, 4)
    with torch.no_grad():   # biases that are not small, so that a misplaced bias shows
        cell.bias_ih.copy_(torch.randn(12))
        cell.bias_hh.copy_(torch.randn(12))
    x = torch.randn(B, 3, requires_grad=True)
    h = torch.randn(B, 4, requires_grad=True)
    out = cell(x, h)
    w = torch.randn(B, 4)
    (out * w).sum().backward()
    H = 4
    weights, grads = {}, {}
    for g, gate in enumerate(["reset", "update", "candidate"]):
        rows = slice(g * H, (g + 1) * H)
        weights[gate] = {"input_weights": t(cell.weight_ih[rows].T), "input_bias": t(cell.bias_ih[rows]),
                         "recurrent_weights": t(cell.weight_hh[rows].T), "recurrent_bias": t(cell.bias_hh[rows])}
        grads[gate] = {"input_weights": t(cell.weight_ih.grad[rows].T), "input_bias": t(cell.bias_ih.grad[rows]),
                       "recurrent_weights": t(cell.weight_hh.grad[rows].T),
                       "recurrent_bias": t(cell.bias_hh.grad[rows])}
    return {"name": name, "weights": weights, "x": t(x), "state": t(h), "next_state": t(out), "w": t(w),
            "grads": grads, "x_grad": t(x.grad), "state_grad": t(h.grad)}


write("10-GRUCell", [
    gru_case(24, "a batch of 2", 2),
    gru_case(25, "a batch of one", 1),
])
