#!/usr/bin/env python3
"""The notebooks' training epochs in JAX on the CPU, each epoch one jax.jit call, timed like the Swift Benchmarks target.

The same four workloads as bench/pytorch_reference.py, with its "fast" loader (the batch already in
memory, shuffled every epoch), written again in jax.numpy:

  deep RNN from scratch   DRNN(2, 1, 8, 1) as the notebook writes it: a linear recurrence (no
                          activation), weights 2 * U(0, 1) - 1; only the last layer (W_xh, W_hh, b_h)
                          and the output layer (W_hq, b_q) are registered, so only they are clipped
                          and updated. 180 windows of 19 steps in one batch, SGD lr 1e-4, clipping
  deep RNN concise        nn.RNN(1, 8, num_layers=2, nonlinearity="tanh") (torch's layout: W_ih, W_hh,
                          b_ih, b_hh per layer, h0 = 0, weights U(-1/sqrt(8), 1/sqrt(8))) followed by
                          the notebook's OutputLayer(8, 1); same data, SGD lr 0.03, no clipping
  bidirectional           BRNN(1, 32, 1) (ReLU, weights N(0, 1)), 3750 rows of 6 digits in one batch,
                          SGD lr 0.01, clipping, with the notebook's loss (Y_hat (N, 1) minus Y (N,):
                          an N x N broadcast) and with the loss fixed (Y_hat flattened)

One epoch is one call of a jax.jit-compiled function that does what the PyTorch script's epoch does:
shuffle the batch, XTransform / YTransform, forward pass, loss, gradient, per-parameter clipping
(norm of the flattened gradient above alpha * numel, alpha = 1: scaled by alpha * numel / norm),
SGD step, then the printed loss on the first (the only) batch computed again with the updated
weights. The time of an epoch runs from the call until jax.block_until_ready on its results.
Shuffling is done inside the jit: a jax.random.permutation of the rows from a key carried in the
state (split every epoch), and a gather of X and Y by it, as the fast loader's X[randperm]. The
deep RNNs' time loops are written two ways (--time-loop): Python loops unrolled in the trace, as
the notebooks' are, and jax.lax.scan over the steps, as a JAX user writes them; by default both are
timed and the faster is kept (its name in the JSON's "time_loop", both medians beside it). The
bidirectional model's three steps per direction are unrolled either way. The deep RNN from
scratch also computes the gradients of its unregistered first layer and adds them to a buffer in
the state, as PyTorch (and the Swift side) compute and accumulate them though nothing reads them;
without that, XLA would drop the first layer's backward pass.

The first call of each workload compiles it; it is timed apart (first_call_ms), then 5 warm-up
epochs, then the timed ones (--repetitions, default 50; a fifth of that, at least 5, for the N x N
loss, as in the PyTorch script).

Data and initial weights come from numpy with a fixed seed, of the notebooks' distributions (the
noisy line 5 + 7x + N(0, 10); digits floor(10 * U(0, 1)) and the notebook's labels); they are not
PyTorch's numbers, which timing does not need.

How the numbers were checked (python3 bench/jax_reference.py --check; PyTorch is not needed):
every workload runs 5 epochs of the jitted epoch function above from its initial weights, and the
same 5 epochs run in numpy in float64, with the gradients written out by hand (backpropagation
through the unrolled steps, the first layer's accumulated gradient included), from the same
weights and with the same permutation each epoch. Twice: JAX in float32, as timed (the printed
loss of every epoch within 1e-5 relative, the weights after 5 epochs within 1e-4 of each
parameter's largest entry; when this was written: losses 1e-7 to 1.5e-6, weights 4e-7 or less
but 4e-5 for the concise model's W_ih0, a float32 rounding), then JAX in float64 (jax_enable_x64,
within 1e-12; seen: 4e-15 or less, 8e-14 for W_ih0). The hand-written gradients are checked first
against central differences of the float64 loss (1e-6 of the parameter's largest gradient entry;
for the bidirectional model with its zero biases moved off 0: a digit 0 with a zero bias makes
z = 0 exactly, where ReLU's derivative is one-sided). The check prints which parameters
clipping scaled: all of them in the first epochs, except the concise model, which is not clipped.
That check found one difference from PyTorch: jnp.maximum(z, 0) has the derivative 1/2 at z = 0,
torch's ReLU 0, and so has jax.nn.relu, which the model uses.

Install JAX from PyPI (the CPU wheels):  pip install jax
Then:  python3 bench/jax_reference.py [--repetitions N] [--time-loop both|unrolled|scan] [--check]
Prints a table on stderr and one JSON object on stdout (the shape of pytorch_reference.py's, with
the "fast" loader only). Exit status 3 when jax cannot be imported.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

# XLA on the CPU, whatever else this machine has; XLA's own defaults otherwise.
os.environ["JAX_PLATFORMS"] = "cpu"

try:
    import numpy as np
    import jax
    import jax.numpy as jnp
    import jaxlib
except ImportError:
    print("JAX is not installed for this interpreter (pip install jax)", file=sys.stderr)
    sys.exit(3)


# ---- Data and initial weights (numpy, fixed seed) --------------------------------------------

def deep_data(rng):
    """180 windows of 19 differences of the noisy line, and the same windows one step later."""
    num_data = 200
    x = np.arange(0, num_data, dtype=np.float32)
    data = (5 + 7 * x + rng.normal(0, 10, num_data)).astype(np.float32)
    d = data[1:] - data[:-1]
    X = np.stack([d[i:i + 19] for i in range(len(d) - 19)])
    Y = np.stack([d[i + 1:i + 20] for i in range(len(d) - 19)])
    return X, Y


def digit_data(rng):
    """3750 rows of 6 digits; label 1 when digits 0-2 read < 500 and digits 5, 4, 3 read > 500."""
    X = np.floor(10 * rng.random((5000, 6))).astype(np.float32)
    d = X.astype(np.int64)
    front = 100 * d[:, 0] + 10 * d[:, 1] + d[:, 2]
    back = 100 * d[:, 5] + 10 * d[:, 4] + d[:, 3]
    Y = ((front < 500) & (back > 500)).astype(np.float32)
    return X[:3750], Y[:3750]


def deep_scratch_weights(rng, h=8):
    """(registered last layer + output layer, unregistered first layer), drawn in the notebook's order."""
    u = lambda *shape: (2 * rng.random(shape) - 1).astype(np.float32)
    first = {"W_xh": u(1, h), "W_hh": u(h, h), "b_h": np.zeros(h, np.float32)}
    last = {"W_xh": u(h, h), "W_hh": u(h, h), "b_h": np.zeros(h, np.float32)}
    last["W_hq"], last["b_q"] = u(h, 1), np.zeros(1, np.float32)
    return last, first


def deep_concise_weights(rng, h=8):
    k = 1 / np.sqrt(h)
    u = lambda *shape: rng.uniform(-k, k, shape).astype(np.float32)
    w = {}
    for l, x_size in enumerate((1, h)):
        w[f"W_ih{l}"], w[f"W_hh{l}"], w[f"b_ih{l}"], w[f"b_hh{l}"] = u(h, x_size), u(h, h), u(h), u(h)
    w["W_hq"], w["b_q"] = (2 * rng.random((h, 1)) - 1).astype(np.float32), np.zeros(1, np.float32)
    return w


def brnn_weights(rng, h=32):
    n = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    z = lambda *shape: np.zeros(shape, np.float32)
    return {"fW_xh": n(1, h), "fW_hh": n(h, h), "fb_h": z(h), "bW_xh": n(1, h), "bW_hh": n(h, h), "bb_h": z(h),
            "fW_hq": n(h, 1), "fb_q": z(1), "bW_hq": n(h, 1), "bb_q": z(1)}


# ---- The models, the losses, the transforms (jax.numpy) --------------------------------------

def x_transform(X, flip=False):
    if flip:
        X = jnp.flip(X, axis=1)
    X = jnp.transpose(X)
    return X.reshape(X.shape[0], -1, 1)


def y_transform(Y):
    return jnp.transpose(Y)


def drnn_forward(last, first, X):
    """The notebook's DRNN(2, 1, 8, 1): no activation; no recurrent product at the first step."""
    T = X.shape[0]
    states = []
    for l, p in enumerate((first, last)):
        H = None
        for t in range(T):
            Z = (X[t] if l == 0 else states[t]) @ p["W_xh"]
            if H is not None:
                Z = Z + H @ p["W_hh"]
            H = Z + p["b_h"]
            if l == 0:
                states.append(H)
            else:
                states[t] = H
    return [states[t] @ last["W_hq"] + last["b_q"] for t in range(T)]


def drnn_forward_scan(last, first, X):
    """The same model with each layer's time loop a jax.lax.scan: the first step has no product."""
    sequence = X
    for p in (first, last):
        start = sequence[0] @ p["W_xh"] + p["b_h"]

        def step(H, x, p=p):
            H = x @ p["W_xh"] + H @ p["W_hh"] + p["b_h"]
            return H, H
        _, rest = jax.lax.scan(step, start, sequence[1:])
        sequence = jnp.concatenate([start[None], rest], axis=0)
    outputs = sequence @ last["W_hq"] + last["b_q"]
    return [outputs[t] for t in range(outputs.shape[0])]


def concise_forward_scan(w, X):
    """The same model with each layer's time loop a jax.lax.scan."""
    sequence = X
    for l in range(2):
        H = jnp.zeros((X.shape[1], w[f"W_hh{l}"].shape[0]), X.dtype)

        def step(H, x, l=l):
            H = jnp.tanh(x @ w[f"W_ih{l}"].T + w[f"b_ih{l}"] + H @ w[f"W_hh{l}"].T + w[f"b_hh{l}"])
            return H, H
        _, sequence = jax.lax.scan(step, H, sequence)
    outputs = sequence @ w["W_hq"] + w["b_q"]
    return [outputs[t] for t in range(outputs.shape[0])]


# How the deep RNNs' time loops are written: "unrolled" or "scan" (set by --time-loop).
TIME_LOOP = {"loop": "unrolled"}


def deep_forward(unrolled, scanned):
    return unrolled if TIME_LOOP["loop"] == "unrolled" else scanned


def concise_forward(w, X):
    """nn.RNN(1, 8, 2, tanh) (h0 = 0), then OutputLayer over the last layer's outputs."""
    T, B = X.shape[0], X.shape[1]
    inputs = [X[t] for t in range(T)]
    for l in range(2):
        H = jnp.zeros((B, w[f"W_hh{l}"].shape[0]), X.dtype)
        outputs = []
        for t in range(T):
            H = jnp.tanh(inputs[t] @ w[f"W_ih{l}"].T + w[f"b_ih{l}"] + H @ w[f"W_hh{l}"].T + w[f"b_hh{l}"])
            outputs.append(H)
        inputs = outputs
    return [inputs[t] @ w["W_hq"] + w["b_q"] for t in range(T)]


def sequence_loss(Y_hat, Y):
    Y_hat = jnp.concatenate(Y_hat, axis=0)
    Y = Y.flatten().reshape(-1, 1)
    return jnp.mean((Y_hat - Y) ** 2)


def brnn_forward(w, fX, bX):
    relu = jax.nn.relu     # its derivative at 0 is 0, as torch's ReLU (jnp.maximum's would be 1/2)
    fH = bH = None
    for i in range(fX.shape[0]):
        z = fX[i] @ w["fW_xh"] + (fH @ w["fW_hh"] if fH is not None else 0) + w["fb_h"]
        fH = relu(z)
    for i in range(bX.shape[0]):
        z = bX[i] @ w["bW_xh"] + (bH @ w["bW_hh"] if bH is not None else 0) + w["bb_h"]
        bH = relu(z)
    return (fH @ w["fW_hq"] + w["fb_q"]) * (bH @ w["bW_hq"] + w["bb_q"])


def notebook_loss(Y_hat, Y):     # (N, 1) - (N,) broadcasts to N x N, as the notebook computes it
    return jnp.mean((Y_hat - Y) ** 2)


def fixed_loss(Y_hat, Y):
    return jnp.mean((Y_hat.flatten() - Y) ** 2)


def clip(grads, alpha=1.0):
    """gradientClipping: each parameter's gradient on its own, theta = alpha * numel."""
    def one(g):
        norm = jnp.linalg.norm(g.flatten())
        theta = alpha * g.size
        return jnp.where(norm > theta, g * (theta / norm), g)
    return jax.tree_util.tree_map(one, grads)


def sgd(params, grads, lr):
    return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)


def shuffled(key, X, Y):
    key, sub = jax.random.split(key)
    p = jax.random.permutation(sub, X.shape[0])
    return key, X[p], Y[p]


# ---- One epoch of each workload: state -> (state, printed loss), all inside one jit ----------

def deep_scratch_epoch(state, X, Y):
    last, first, first_grad, key = state
    key, X, Y = shuffled(key, X, Y)
    x, y = x_transform(X), y_transform(Y)
    forward = deep_forward(drnn_forward, drnn_forward_scan)
    loss = lambda last, first: sequence_loss(forward(last, first, x), y)
    g_last, g_first = jax.grad(loss, argnums=(0, 1))(last, first)
    last = sgd(last, clip(g_last), 1e-4)
    first_grad = jax.tree_util.tree_map(jnp.add, first_grad, g_first)   # PyTorch's .grad, never zeroed
    return (last, first, first_grad, key), loss(last, first)


def deep_concise_epoch(state, X, Y):
    w, key = state
    key, X, Y = shuffled(key, X, Y)
    x, y = x_transform(X), y_transform(Y)
    forward = deep_forward(concise_forward, concise_forward_scan)
    loss = lambda w: sequence_loss(forward(w, x), y)
    w = sgd(w, jax.grad(loss)(w), 0.03)
    return (w, key), loss(w)


def brnn_epoch(loss_fn):
    def epoch(state, X, Y):
        w, key = state
        key, X, Y = shuffled(key, X, Y)
        fX, bX = x_transform(X[:, 0:3]), x_transform(X[:, 3:6], flip=True)
        loss = lambda w: loss_fn(brnn_forward(w, fX, bX), Y)
        w = sgd(w, clip(jax.grad(loss)(w)), 0.01)
        return (w, key), loss(w)
    return epoch


def workloads(seed=0):
    """name -> (epoch function, initial state, X, Y), each model drawn afresh as in the PyTorch script."""
    rng = np.random.default_rng(seed)
    X, Y = deep_data(rng)
    dX, dY = digit_data(rng)
    key = jax.random.key(seed)
    last, first = deep_scratch_weights(rng)
    zeros = {k: np.zeros_like(v) for k, v in first.items()}
    return {
        "deep_scratch": (deep_scratch_epoch, (last, first, zeros, key), X, Y),
        "deep_concise": (deep_concise_epoch, (deep_concise_weights(rng), key), X, Y),
        "brnn_notebook_loss": (brnn_epoch(notebook_loss), (brnn_weights(rng), key), dX, dY),
        "brnn_fixed_loss": (brnn_epoch(fixed_loss), (brnn_weights(rng), key), dX, dY),
    }


# ---- Timing -----------------------------------------------------------------------------------

def measure(epoch, state, X, Y, warm_up, repetitions):
    # A new function for each time loop: jax.jit caches its traces per function.
    f = jax.jit(lambda state, X, Y: epoch(state, X, Y))
    state, X, Y = jax.device_put((state, X, Y))
    start = time.perf_counter()
    state, loss = jax.block_until_ready(f(state, X, Y))          # traces and compiles, then runs
    first_call = time.perf_counter() - start
    for _ in range(warm_up):
        state, loss = jax.block_until_ready(f(state, X, Y))
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        state, loss = jax.block_until_ready(f(state, X, Y))
        times.append(time.perf_counter() - start)
    return {"median_ms": statistics.median(times) * 1e3, "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3,
            "repetitions": repetitions, "first_call_ms": first_call * 1e3, "last_printed_loss": float(loss)}


# ---- The check: numpy in float64, gradients by hand ------------------------------------------

def np_drnn(last, first, x, y):
    """Loss and gradients (of the last and of the first layer) of the notebook's DRNN."""
    T, B = x.shape[0], x.shape[1]
    H0, H1 = [], []
    for layer, inputs, out in ((first, x, H0), (last, H0, H1)):
        H = None
        for t in range(T):
            Z = inputs[t] @ layer["W_xh"] + (H @ layer["W_hh"] if H is not None else 0) + layer["b_h"]
            out.append(Z)
            H = Z
    O = [H1[t] @ last["W_hq"] + last["b_q"] for t in range(T)]
    r = np.concatenate(O) - y.reshape(-1, 1)
    loss = np.mean(r ** 2)
    dO = (2 * r / r.size).reshape(T, B, -1)
    g1 = {k: np.zeros_like(v) for k, v in last.items()}
    g0 = {k: np.zeros_like(v) for k, v in first.items()}
    dH0 = [None] * T
    carry = 0
    for t in reversed(range(T)):
        g1["W_hq"] += H1[t].T @ dO[t]
        g1["b_q"] += dO[t].sum(0)
        dZ = dO[t] @ last["W_hq"].T + carry
        g1["W_xh"] += H0[t].T @ dZ
        if t > 0:
            g1["W_hh"] += H1[t - 1].T @ dZ
        g1["b_h"] += dZ.sum(0)
        dH0[t] = dZ @ last["W_xh"].T
        carry = dZ @ last["W_hh"].T
    carry = 0
    for t in reversed(range(T)):
        dZ = dH0[t] + carry
        g0["W_xh"] += x[t].T @ dZ
        if t > 0:
            g0["W_hh"] += H0[t - 1].T @ dZ
        g0["b_h"] += dZ.sum(0)
        carry = dZ @ first["W_hh"].T
    return loss, g1, g0


def np_concise(w, x, y):
    T, B = x.shape[0], x.shape[1]
    inputs, layers = [x[t] for t in range(T)], []
    for l in range(2):
        H, outs = np.zeros((B, w[f"W_hh{l}"].shape[0])), []
        for t in range(T):
            H = np.tanh(inputs[t] @ w[f"W_ih{l}"].T + w[f"b_ih{l}"] + H @ w[f"W_hh{l}"].T + w[f"b_hh{l}"])
            outs.append(H)
        layers.append((inputs, outs))
        inputs = outs
    O = [inputs[t] @ w["W_hq"] + w["b_q"] for t in range(T)]
    r = np.concatenate(O) - y.reshape(-1, 1)
    loss = np.mean(r ** 2)
    dO = (2 * r / r.size).reshape(T, B, -1)
    g = {k: np.zeros_like(v) for k, v in w.items()}
    dH = []
    for t in range(T):
        g["W_hq"] += inputs[t].T @ dO[t]
        g["b_q"] += dO[t].sum(0)
        dH.append(dO[t] @ w["W_hq"].T)
    for l in reversed(range(2)):
        ins, outs = layers[l]
        dIn, carry = [None] * T, 0
        for t in reversed(range(T)):
            dZ = (dH[t] + carry) * (1 - outs[t] ** 2)
            g[f"W_ih{l}"] += dZ.T @ ins[t]
            if t > 0:
                g[f"W_hh{l}"] += dZ.T @ outs[t - 1]
            g[f"b_ih{l}"] += dZ.sum(0)
            g[f"b_hh{l}"] += dZ.sum(0)
            dIn[t] = dZ @ w[f"W_ih{l}"]
            carry = dZ @ w[f"W_hh{l}"]
        dH = dIn
    return loss, g


def np_brnn(w, fX, bX, Y, notebook):
    def run(prefix, X):
        Hs, H = [], None
        for i in range(X.shape[0]):
            Z = X[i] @ w[prefix + "W_xh"] + (H @ w[prefix + "W_hh"] if H is not None else 0) + w[prefix + "b_h"]
            H = np.maximum(Z, 0)
            Hs.append(H)
        return Hs
    fH, bH = run("f", fX), run("b", bX)
    o3, o5 = fH[-1] @ w["fW_hq"] + w["fb_q"], bH[-1] @ w["bW_hq"] + w["bb_q"]
    yhat = (o3 * o5).flatten()
    N = len(Y)
    if notebook:     # mean over i, j of (yhat_i - Y_j)^2
        loss = np.mean(yhat ** 2) - 2 * np.mean(yhat) * np.mean(Y) + np.mean(Y ** 2)
        dy = 2 * (yhat - np.mean(Y)) / N
    else:
        loss = np.mean((yhat - Y) ** 2)
        dy = 2 * (yhat - Y) / N
    dy = dy.reshape(-1, 1)
    g = {k: np.zeros_like(v) for k, v in w.items()}
    for prefix, Hs, X, do, other in (("f", fH, fX, dy * o5, None), ("b", bH, bX, dy * o3, None)):
        g[prefix + "W_hq"] += Hs[-1].T @ do
        g[prefix + "b_q"] += do.sum(0)
        dH = do @ w[prefix + "W_hq"].T
        for i in reversed(range(X.shape[0])):
            dZ = dH * (Hs[i] > 0)
            g[prefix + "W_xh"] += X[i].T @ dZ
            if i > 0:
                g[prefix + "W_hh"] += Hs[i - 1].T @ dZ
            g[prefix + "b_h"] += dZ.sum(0)
            dH = dZ @ w[prefix + "W_hh"].T
    return loss, g


def np_clip(g, clipped, alpha=1.0):
    out = {}
    for k, v in g.items():
        norm, theta = np.linalg.norm(v.flatten()), alpha * v.size
        out[k] = v * (theta / norm) if norm > theta else v
        if norm > theta:
            clipped.add(k)
    return out


def np_sgd(w, g, lr):
    return {k: w[k] - lr * g[k] for k in w}


def finite_difference_check(loss_of, w, rng, count=3):
    """The largest difference of the hand-written gradient and central differences of the loss, relative
    to the largest entry of that parameter's gradient; for each entry, the best of steps 1e-1 to 1e-7
    (a right gradient agrees at some step, a wrong one at none; the loss is quadratic in some
    parameters, whose small gradients need a long step to rise above the loss's rounding)."""
    loss, g = loss_of(w)
    worst = 0.0
    for k, v in w.items():
        for _ in range(min(count, v.size)):
            i = tuple(rng.integers(0, s) for s in v.shape)
            best = np.inf
            for step in 10.0 ** -np.arange(1, 8):
                h = step * max(1.0, abs(v[i]))
                plus, minus = {**w, k: v.copy()}, {**w, k: v.copy()}
                plus[k][i] += h
                minus[k][i] -= h
                fd = (loss_of(plus)[0] - loss_of(minus)[0]) / (2 * h)
                best = min(best, abs(fd - g[k][i]) / max(np.max(np.abs(g[k])), 1e-30))
            worst = max(worst, best)
    return worst


def as_float64(tree):
    return jax.tree_util.tree_map(lambda a: a.astype(np.float64) if isinstance(a, np.ndarray) else a, tree)


def check(float64, epochs=5):
    """JAX (the timed epoch functions, in float32, or all in float64) against numpy in float64; 0 if they agree."""
    loss_tolerance, weight_tolerance = (1e-12, 1e-12) if float64 else (1e-5, 1e-4)
    print(f"-- JAX in {'float64 (jax_enable_x64)' if float64 else 'float32 (as timed)'} against numpy in float64, "
          f"{epochs} epochs from the same weights; tolerance: loss {loss_tolerance:.0e}, weights {weight_tolerance:.0e} "
          f"(of each parameter's largest entry)", file=sys.stderr)
    rng = np.random.default_rng(1)
    f64 = lambda tree: {k: np.asarray(v, np.float64) for k, v in tree.items()}
    rel = lambda a, b: abs(a - b) / max(abs(b), 1e-30)
    failed = False
    for name, (epoch, state, X, Y) in workloads().items():
        if float64:
            state, X, Y = as_float64((state, X, Y))
        f = jax.jit(lambda state, X, Y, epoch=epoch: epoch(state, X, Y))
        key = state[-1]
        X64, Y64 = X.astype(np.float64), Y.astype(np.float64)
        if name == "deep_scratch":
            last, first = f64(state[0]), f64(state[1])
            first_grad = {k: np.zeros_like(v) for k, v in first.items()}
            x_of = lambda p: X64[p].T.reshape(X.shape[1], -1, 1)
            p0 = np.arange(len(X))
            fd = finite_difference_check(lambda w: (lambda r: (r[0], r[1]))(np_drnn(w, first, x_of(p0), Y64.T)), last, rng)
            fd = max(fd, finite_difference_check(lambda w: (lambda r: (r[0], r[2]))(np_drnn(last, w, x_of(p0), Y64.T)), first, rng))
        elif name == "deep_concise":
            w = f64(state[0])
            x_of = lambda p: X64[p].T.reshape(X.shape[1], -1, 1)
            fd = finite_difference_check(lambda v: np_concise(v, x_of(np.arange(len(X))), Y64.T), w, rng)
        else:
            w = f64(state[0])
            notebook = name == "brnn_notebook_loss"
            fb = lambda p: (X64[p][:, 0:3].T.reshape(3, -1, 1), X64[p][:, 3:6][:, ::-1].T.reshape(3, -1, 1))
            # Away from ReLU's kink: with zero biases, a digit 0 makes z = 0 exactly, where the
            # derivative is one-sided (0 in torch, jax.nn.relu and here) and central differences are not.
            off = {k: v + (0.1 * rng.standard_normal(v.shape) if k.endswith(("b_h", "b_q")) else 0) for k, v in w.items()}
            fd = finite_difference_check(lambda v: np_brnn(v, *fb(np.arange(len(X))), Y64, notebook), off, rng)
        worst_loss, clipped, lines = 0.0, set(), []
        for e in range(epochs):
            key, sub = jax.random.split(key)
            p = np.asarray(jax.random.permutation(sub, len(X)))
            state, printed = f(state, X, Y)
            if name == "deep_scratch":
                x, y = x_of(p), Y64[p].T
                _, g1, g0 = np_drnn(last, first, x, y)
                last = np_sgd(last, np_clip(g1, clipped), 1e-4)
                first_grad = {k: first_grad[k] + g0[k] for k in g0}
                reference = np_drnn(last, first, x, y)[0]
                weights = [(last, state[0]), ({"first layer's .grad " + k: v for k, v in first_grad.items()},
                                              {"first layer's .grad " + k: v for k, v in state[2].items()})]
            elif name == "deep_concise":
                x, y = x_of(p), Y64[p].T
                w = np_sgd(w, np_concise(w, x, y)[1], 0.03)
                reference = np_concise(w, x, y)[0]
                weights = [(w, state[0])]
            else:
                fX, bX = fb(p)
                w = np_sgd(w, np_clip(np_brnn(w, fX, bX, Y64[p], notebook)[1], clipped), 0.01)
                reference = np_brnn(w, fX, bX, Y64[p], notebook)[0]
                weights = [(w, state[0])]
            worst_loss = max(worst_loss, rel(float(printed), reference))
            lines.append(f"{float(printed):.7g}/{reference:.7g}")
        worst_weight, worst_name = max((float(np.max(np.abs(np.asarray(b[k], np.float64) - a[k]))
                                              / (np.max(np.abs(a[k])) or 1)), k) for a, b in weights for k in a)
        ok = worst_loss <= loss_tolerance and worst_weight <= weight_tolerance and fd <= 1e-6
        failed |= not ok
        print(f"{name:20s} {'ok  ' if ok else 'FAIL'} printed loss JAX/numpy per epoch: {', '.join(lines)}", file=sys.stderr)
        print(f"{'':20s}      largest relative difference: loss {worst_loss:.1e}, weights {worst_weight:.1e} ({worst_name}); "
              f"numpy gradient vs finite differences {fd:.1e}; clipped: {', '.join(sorted(clipped)) or 'none'}",
              file=sys.stderr)
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=50, help="timed epochs per workload")
    parser.add_argument("--time-loop", choices=["both", "unrolled", "scan"], default="both",
                        help="the deep RNNs' time loops unrolled in the trace, a jax.lax.scan, or both timed "
                             "and the faster kept (the default; --check: both checked)")
    parser.add_argument("--check", action="store_true",
                        help="instead of timing, compare 5 epochs of each workload with numpy in float64")
    args = parser.parse_args()
    loops = ["unrolled", "scan"] if args.time_loop == "both" else [args.time_loop]
    if args.check:
        status = 0
        for float64 in (False, True):
            jax.config.update("jax_enable_x64", float64)
            for loop in loops:
                TIME_LOOP["loop"] = loop
                print(f"== time loops: {loop}", file=sys.stderr)
                status |= check(float64=float64)
        sys.exit(status)

    results = {}
    for name in workloads():
        deep = name.startswith("deep_")
        timed = {}
        for loop in loops if deep else ["unrolled"]:
            TIME_LOOP["loop"] = loop
            epoch, state, X, Y = workloads()[name]
            reps = args.repetitions if name != "brnn_notebook_loss" else max(5, args.repetitions // 5)
            timed[loop] = measure(epoch, state, X, Y, 5, reps)
            row = timed[loop]
            print(f"{name:20s} jit {row['median_ms']:9.3f} ms  [{row['min_ms']:.3f} – {row['max_ms']:.3f}]"
                  f"   first call (compile) {row['first_call_ms']:8.1f} ms   time loop: {loop}", file=sys.stderr)
        kept = min(timed, key=lambda loop: timed[loop]["median_ms"])
        results[name] = {"fast": dict(timed[kept], time_loop=kept,
                                      **{f"{loop}_median_ms": row["median_ms"] for loop, row in timed.items()})}
    try:
        schedulable = len(os.sched_getaffinity(0))
    except AttributeError:
        schedulable = os.cpu_count()
    print(json.dumps({
        "jax": jax.__version__, "jaxlib": jaxlib.__version__,
        "python": platform.python_version(), "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        # XLA's CPU client runs an intra-op thread pool of one thread per schedulable core by default.
        "threads": schedulable, "cpu_count": os.cpu_count(),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "shuffle": "inside the jit: jax.random.permutation of the rows, key split per epoch",
        "results": results}))


if __name__ == "__main__":
    main()
