"""Makes corrected_brnn.json: the bidirectional model with the notebook's training defects corrected.

    pip install torch
    python Tests/WorkbookTests/Fixtures/make_corrected_brnn_fixture.py

For each seed, from torch.manual_seed(seed): the notebook's digits (torch.rand), then the BRNN's
weights in the notebook's order drawn with nn.init.xavier_uniform_ (biases zeros), inputs divided
by 9, the loss comparing (N,) with (N,), and torch.optim.Adam(lr=0.01) over the 3750 training rows
as one batch (in order: a full batch's gradient does not depend on the order beyond rounding).
Records the initial weights, the loss before each of five updates, and the weights after them.
"""
import json
import os

import torch
import torch.nn as nn

H = 32
names = ["fW_xh", "fW_hh", "fb_h", "bW_xh", "bW_hh", "bb_h", "fW_hq", "fb_q", "bW_hq", "bb_q"]


def digits_and_labels(num_data=5000):
    X = torch.floor(10 * torch.rand((num_data, 6)))
    Y = torch.empty((num_data,))
    for i in range(num_data):
        seqf, seqb = "", ""
        for u in range(3):
            seqf = seqf + str(int(X[i, 0:3][u].item()))
            seqb = seqb + str(int(X[i, 3:6][2 - u].item()))
        Y[i] = (1 if int(seqf) < 500 else 0) * (1 if int(seqb) > 500 else 0)
    return X, Y


def xavier(*shape):
    return nn.Parameter(nn.init.xavier_uniform_(torch.empty(*shape)))


def forward(P, X):
    fX = torch.transpose(X[:, 0:3], 0, 1).reshape(3, -1, 1)
    bX = torch.transpose(torch.flip(X[:, 3:6], dims=(1,)), 0, 1).reshape(3, -1, 1)
    fH = bH = None
    for i in range(3):
        fH = torch.relu(fX[i] @ P["fW_xh"] + (fH @ P["fW_hh"] if fH is not None else 0) + P["fb_h"])
    for i in range(3):
        bH = torch.relu(bX[i] @ P["bW_xh"] + (bH @ P["bW_hh"] if bH is not None else 0) + P["bb_h"])
    return (fH @ P["fW_hq"] + P["fb_q"]) * (bH @ P["bW_hq"] + P["bb_q"])


def tensors(P):
    return {n: {"shape": list(P[n].shape), "values": P[n].detach().flatten().tolist()} for n in names}


cases = []
for seed in (0, 1):
    torch.manual_seed(seed)
    X, Y = digits_and_labels()
    P = {}
    P["fW_xh"], P["fW_hh"], P["fb_h"] = xavier(1, H), xavier(H, H), nn.Parameter(torch.zeros(H))
    P["bW_xh"], P["bW_hh"], P["bb_h"] = xavier(1, H), xavier(H, H), nn.Parameter(torch.zeros(H))
    P["fW_hq"], P["fb_q"] = xavier(H, 1), nn.Parameter(torch.zeros(1))
    P["bW_hq"], P["bb_q"] = xavier(H, 1), nn.Parameter(torch.zeros(1))
    initial = tensors(P)
    x, y = X[:3750] / 9, Y[:3750]
    optimizer = torch.optim.Adam([P[n] for n in names], lr=0.01)
    losses = []
    for step in range(5):
        loss = ((forward(P, x).flatten() - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    cases.append({"seed": seed, "init": initial, "losses": losses, "after": tensors(P)})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corrected_brnn.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", out)
