"""Makes bidirectional_rnn.json: nn.RNN(bidirectional=True), nn.Linear and the concise digit model.

    pip install torch
    python Tests/WorkbookTests/Fixtures/make_bidirectional_rnn_fixture.py

For each seed, two cases, each from torch.manual_seed(seed):

"rnn": nn.RNN(3, 4, num_layers=2, bidirectional=True), then x = randn(5, 2, 3) and the loss
weights w_out = randn(5, 2, 8), w_h = randn(4, 2, 4). Records the initial parameters by name,
x, out and h_n of rnn(x), and the gradients of loss = (out * w_out).sum() + (h_n * w_h).sum()
with respect to every parameter and to x.

"concise": ConciseBRNN below (rnn = nn.RNN(1, 32, bidirectional=True), linear = nn.Linear(64, 1)
on cat([h_n[-2], h_n[-1]], dim=1)), then eight rows of digits floor(10 * rand(8, 6)) as the
bidirectional notebook draws them, fed as digits / 9 time-major (6, 8, 1), against the fixed
labels below with the mean squared error. Records the initial parameters, the digits, the
prediction, the loss and its gradients, then three steps of torch.optim.Adam(lr=0.01): the loss
before each step and the parameters after the last.
"""
import json
import os

import torch
import torch.nn as nn

LABELS = [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]


class ConciseBRNN(nn.Module):
    def __init__(self, hidden_size=32):
        super().__init__()
        self.rnn = nn.RNN(1, hidden_size, bidirectional=True)
        self.linear = nn.Linear(2 * hidden_size, 1)

    def forward(self, x):                                 # x: (6, N, 1)
        _, h_n = self.rnn(x)                              # (2, N, H)
        return self.linear(torch.cat([h_n[-2], h_n[-1]], dim=1))   # (N, 1)


def matrix(t):
    return {"shape": list(t.shape), "values": t.detach().flatten().tolist()}


def named(module):
    return {n: matrix(p) for n, p in module.named_parameters()}


def grads(module):
    return {n: matrix(p.grad) for n, p in module.named_parameters()}


def rnn_case(seed):
    torch.manual_seed(seed)
    rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True)
    x = torch.randn(5, 2, 3, requires_grad=True)
    w_out, w_h = torch.randn(5, 2, 8), torch.randn(4, 2, 4)
    init = named(rnn)
    out, h_n = rnn(x)
    loss = (out * w_out).sum() + (h_n * w_h).sum()
    loss.backward()
    return {"seed": seed, "order": [n for n, _ in rnn.named_parameters()], "init": init,
            "x": matrix(x), "w_out": matrix(w_out), "w_h": matrix(w_h),
            "out": matrix(out), "h_n": matrix(h_n), "loss": loss.item(),
            "grads": grads(rnn), "x_grad": matrix(x.grad)}


def concise_case(seed):
    torch.manual_seed(seed)
    model = ConciseBRNN()
    init = named(model)
    digits = torch.floor(10 * torch.rand(8, 6))
    x = (digits / 9).T.reshape(6, 8, 1)
    y = torch.tensor(LABELS).reshape(8, 1)
    prediction = model(x)
    loss = ((prediction - y) ** 2).mean()
    loss.backward()
    first = {"prediction": matrix(prediction), "loss": loss.item(), "grads": grads(model)}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    optimizer.zero_grad()
    losses = []
    for step in range(3):
        loss = ((model(x) - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return {"seed": seed, "order": [n for n, _ in model.named_parameters()], "init": init,
            "digits": matrix(digits), "labels": LABELS, **first,
            "adam_lr0.01_losses": losses, "adam_lr0.01_after": named(model)}


cases = [{"seed": seed, "rnn": rnn_case(seed), "concise": concise_case(seed)} for seed in (0, 1)]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bidirectional_rnn.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", out)
