"""The workbook's checkpoints in PyTorch, and PyTorch's models in the workbook.

    python -m venv venv && venv/bin/pip install torch safetensors numpy
    swift run Chapter05-Training
    venv/bin/python scripts/load_in_pytorch.py                    # into PyTorch
    swift run Chapter06-Approximation                             # the same numbers, from Swift

    venv/bin/python scripts/load_in_pytorch.py --train-and-save pytorch-checkpoints --epochs 3
    swift run Chapter06-Approximation --checkpoints-dir pytorch-checkpoints --epochs 3

    venv/bin/python scripts/load_in_pytorch.py --train-and-save plain --epochs 3 --plain
    swift run Chapter06-Approximation --checkpoint deep-rnn-concise=plain/deep-rnn-concise.safetensors

Into PyTorch: loads the three checkpoints Chapter05-Training writes (checkpoints/*.safetensors)
with safetensors.torch.load_file into the notebooks' own classes (copied below: the from-scratch
DRNN, nn.Sequential(nn.RNN, OutputLayer), BRNN) with load_state_dict(strict=True), runs the
notebooks' approximation and testing cells, and prints the numbers Chapter06-Approximation prints.

The notebook's DRNN registers only its last layer's W_xh, W_hh and b_h (it assigns them again for
each layer), so its state_dict has no first layer. The workbook saves that layer beside the
state_dict as l0.W_xh, l0.W_hh and l0.b_h; this script puts them into drnn.drnn_parameters[0].

Out of PyTorch (--train-and-save DIR): seeds and builds the notebooks' models as the workbook
does (torch.manual_seed(seed) before the deep RNN's data and weights, again before the concise
model, again before the digits and the BRNN), trains each for --epochs epochs with the notebooks'
training cells, saves its state_dict with safetensors.torch.save_file and the metadata the
workbook checks (model, seed, epochs, corrected, and crc32: the CRC-32 of the data section), then prints
its numbers (also into DIR/pytorch-outputs.json). Chapter06-Approximation --checkpoints-dir DIR --epochs N loads them (the epochs
recorded must be the run's, or the chapter trains its own) and prints the same; --checkpoint NAME=FILE
loads a file whatever settings it records.

With --plain, the files are what a PyTorch user saves, safetensors.torch.save_file(model.state_dict(),
path), with no metadata (the fixtures in Tests/ChapterTests/Fixtures/pytorch-plain, with variants
under nn.RNN's own names and in float16 and float64); the workbook loads them as they are.

Only the notebooks' models as written (not --corrected) and the default sizes are handled.
"""
import argparse
import json
import os
import struct
import sys
import zlib

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

torch.set_num_threads(1)

MODELS = {
    "deep-rnn-scratch": "DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, variant: notebook)",
    "deep-rnn-concise": "Sequential(RNN(1, 8, numLayers: 2), OutputLayer(8, 1))",
    "brnn": "BRNN(1, 32, 1), notebook loss",
}
UNREGISTERED = ("l0.W_xh", "l0.W_hh", "l0.b_h")


# ---- The deep RNN notebook's cells -------------------------------------------------------------

def deep_rnn_data(seed):
    torch.manual_seed(seed)
    num_data = 200
    x = torch.arange(0, num_data, dtype=torch.float32)
    B_0, B_1 = 5, 7
    data = B_0 + B_1 * x
    data += torch.distributions.normal.Normal(0, 10).sample((num_data,))
    data_trans = data[1:] - data[:-1]
    return data_trans


def sequencesPreparation(input_data_1d, sequence_len):
    X, Y = [], []
    for i in range(len(input_data_1d) - sequence_len):
        X.append(input_data_1d[i:i + sequence_len])
        Y.append(input_data_1d[(i + 1):(i + 1) + sequence_len])
    return torch.stack(X), torch.stack(Y)


def XYdataLoader(input_data_1d, sequence_len, batch_size, shuffle):
    X, Y = sequencesPreparation(input_data_1d, sequence_len)
    dataset = torch.utils.data.TensorDataset(X, Y)
    return torch.utils.data.DataLoader(dataset, batch_size, shuffle=shuffle)


class DRNN(nn.Module):
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
        outputs = []
        hspl = []
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
        outputs = []
        for t in range(len(HS)):
            outputs.append(torch.matmul(HS[t], self.W_hq) + self.b_q)
        return outputs


def concise_model():
    x_size, h_size, q_size = 1, 8, 1
    return nn.Sequential(
        torch.nn.RNN(input_size=x_size, hidden_size=h_size, num_layers=2, nonlinearity='tanh'),
        OutputLayer(h_size, q_size))


def drnn_loss(Y_hat, Y):
    Y_hat = torch.cat(Y_hat, dim=0)
    Y = Y.flatten().reshape(-1, 1)
    return ((Y_hat - Y) ** 2).mean()


def XTransform(X, flip=False):
    if flip:
        X = torch.flip(X, dims=(1,))
    X = torch.transpose(X, 0, 1)
    X = X.reshape(X.shape[0], -1, 1)
    return X


def YTransform(Y):
    return torch.transpose(Y, 0, 1)


def gradientClipping(model, alpha=1):
    for param in model.parameters():
        if param.requires_grad:
            norm = torch.norm(param.grad.flatten())
            theta = alpha * param.numel()
            if norm > theta:
                param.grad *= theta / norm


def train(model, dataset, step_loss, optimizer, num_epochs):
    for epoch in range(num_epochs):
        for batch in dataset:
            optimizer.zero_grad()
            l = step_loss(model, batch)
            l.backward()
            gradientClipping(model)
            optimizer.step()


def DRNNapproximation(drnn, dataset):
    drnn.eval()
    with torch.no_grad():
        Y_hat = None
        for X, Y in dataset:
            X = XTransform(X)
            Y_hat_batch = drnn(X)
            if Y_hat is None:
                Y_hat = Y_hat_batch[-1]
            else:
                Y_hat = torch.cat([Y_hat, Y_hat_batch[-1]], dim=0)
    return Y_hat


# ---- The bidirectional notebook's cells --------------------------------------------------------

def digits(seed):
    torch.manual_seed(seed)
    num_data = 5000
    X = torch.floor(10 * torch.rand((num_data, 6)))
    d = X.long()
    forward = d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]
    backward = d[:, 5] * 100 + d[:, 4] * 10 + d[:, 3]
    Y = ((forward < 500) & (backward > 500)).float()
    return X, Y


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


def brnn_loss(Y_hat, Y):
    return ((Y_hat - Y) ** 2).mean()      # (N, 1) against (N,): the notebook's N x N broadcast


def testBRNN(brnn, X_test, Y_test):
    with torch.no_grad():
        fX, bX = XTransform(X_test[:, 0:3]), XTransform(X_test[:, 3:6], flip=True)
        return brnn_loss(brnn(fX, bX), Y_test).item()


# ---- Checkpoints -------------------------------------------------------------------------------

def data_crc32(path):
    """The CRC-32 of a safetensors file's data section, as eight lowercase hex digits."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    return "%08x" % zlib.crc32(raw[8 + n:])


def save(tensors, path, model, seed, epochs):
    metadata = {"model": model, "seed": str(seed), "epochs": str(epochs), "corrected": "false"}
    tensors = {k: v.detach().contiguous() for k, v in tensors.items()}
    save_file(tensors, path, metadata=metadata)
    # The data section does not depend on the metadata: write again with its checksum.
    metadata["crc32"] = data_crc32(path)
    save_file(tensors, path, metadata=metadata)


def load(folder, name):
    path = os.path.join(folder, name + ".safetensors")
    from safetensors import safe_open
    with safe_open(path, "pt") as f:
        metadata = f.metadata() or {}
    if metadata.get("model") != MODELS[name]:
        sys.exit(f"error: {path} holds {metadata.get('model')!r}, not {MODELS[name]!r} (only the notebooks' models are handled)")
    if metadata.get("crc32") != data_crc32(path):
        sys.exit(f"error: {path}: the checksum does not match")
    return load_file(path), metadata


def numbers(drnn, concise, brnn, data_trans, X, Y):
    sequence_len = 19
    dataset_approx = XYdataLoader(data_trans, sequence_len, 180, False)
    actual = data_trans[sequence_len:].double()
    Y_hat = DRNNapproximation(drnn, dataset_approx).flatten()
    CY_hat = DRNNapproximation(concise, dataset_approx).flatten()
    scratch = ((Y_hat.double() - actual) ** 2).mean().item()
    conc = ((CY_hat.double() - actual) ** 2).mean().item()
    test_loss = testBRNN(brnn, X[3750:], Y[3750:])
    print(f"one-step error, from scratch: {scratch:.8g}")
    print(f"one-step error, concise:      {conc:.8g}")
    print(f"mean loss at testing time     {test_loss:.8g}")
    return {"scratch_one_step_error": scratch, "concise_one_step_error": conc, "test_loss": test_loss}


def train_models(seed, epochs):
    """The notebooks' three models, seeded as the workbook seeds them and trained for `epochs` a round."""
    data_trans = deep_rnn_data(seed)                           # (a) the data, then the DRNN's weights
    drnn = DRNN(2, 1, 8, 1)
    dataset = XYdataLoader(data_trans, 19, 180, True)
    def deep_step(model, batch):
        X, Y = batch
        return drnn_loss(model(XTransform(X)), YTransform(Y))
    train(drnn, dataset, deep_step, torch.optim.SGD(drnn.parameters(), lr=0.0001), epochs)
    torch.manual_seed(seed)                                    # (b) the concise model's weights
    concise = concise_model()
    for i in range(3):
        train(concise, dataset, deep_step, torch.optim.SGD(concise.parameters(), lr=0.03 / 10 ** i), epochs)
    X, Y = digits(seed)                                        # (c) the digits, then the BRNN's weights
    brnn = BRNN(1, 32, 1)
    def brnn_step(model, batch):
        Xb, Yb = batch
        return brnn_loss(model(XTransform(Xb[:, 0:3]), XTransform(Xb[:, 3:6], flip=True)), Yb)
    train_set = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X[:3750], Y[:3750]), 5000, shuffle=True)
    train(brnn, train_set, brnn_step, torch.optim.SGD(brnn.parameters(), lr=0.1), epochs)
    return drnn, concise, brnn, data_trans, X, Y


def save_plain(drnn, concise, brnn, folder):
    """What a PyTorch user saves: each model's state_dict and nothing else. The notebook's DRNN's
    state_dict is its last layer and W_hq, b_q: its first layer is not registered, so not saved
    (it is never trained either, so it is still the seed's initial one). Beside them, the variants
    the workbook's tests load or refuse: the concise model under nn.RNN's own names (the RNN's
    state_dict and the output layer's, without nn.Sequential's 0. and 1.), and models saved in
    float16 and float64."""
    save_file(drnn.state_dict(), os.path.join(folder, "deep-rnn-scratch.safetensors"))
    save_file(concise.state_dict(), os.path.join(folder, "deep-rnn-concise.safetensors"))
    save_file(brnn.state_dict(), os.path.join(folder, "brnn.safetensors"))
    rnn, output = concise
    save_file({**rnn.state_dict(), **output.state_dict()}, os.path.join(folder, "deep-rnn-concise-bare.safetensors"))
    save_file({k: v.half() for k, v in concise.state_dict().items()}, os.path.join(folder, "deep-rnn-concise-f16.safetensors"))
    save_file({k: v.double() for k, v in brnn.state_dict().items()}, os.path.join(folder, "brnn-f64.safetensors"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoints-dir", default="checkpoints", help="where the workbook's checkpoints are (default: checkpoints)")
    parser.add_argument("--train-and-save", metavar="DIR", help="train the notebooks' models in PyTorch and save them into DIR")
    parser.add_argument("--epochs", type=int, default=3, help="with --train-and-save: epochs per round (default: 3)")
    parser.add_argument("--seed", type=int, default=0, help="with --train-and-save: the seed (default: 0)")
    parser.add_argument("--plain", action="store_true", help="with --train-and-save: save plain state_dicts, as "
                        "save_file(model.state_dict(), path) does (no metadata), and the variants the tests refuse or accept")
    parser.add_argument("--record", metavar="FILE", help="also write the numbers printed, with PyTorch's version, into "
                        "FILE (scripts/recorded/load_in_pytorch.json is what Chapter06-Approximation's prose quotes)")
    args = parser.parse_args()

    def record(key, outputs):
        if not args.record:
            return
        recorded = {}
        if os.path.exists(args.record):
            with open(args.record) as f:
                recorded = json.load(f)
        recorded[key] = dict(outputs, torch_version=torch.__version__)
        with open(args.record, "w") as f:
            json.dump(recorded, f, indent=1, sort_keys=True)
            f.write("\n")

    if args.train_and_save:
        seed, epochs, folder = args.seed, args.epochs, args.train_and_save
        os.makedirs(folder, exist_ok=True)
        drnn, concise, brnn, data_trans, X, Y = train_models(seed, epochs)
        if args.plain:
            save_plain(drnn, concise, brnn, folder)
        else:
            scratch_tensors = dict(drnn.state_dict())
            for name, tensor in zip(UNREGISTERED, drnn.drnn_parameters[0]):
                scratch_tensors[name] = tensor
            save(scratch_tensors, os.path.join(folder, "deep-rnn-scratch.safetensors"), MODELS["deep-rnn-scratch"], seed, epochs)
            save(concise.state_dict(), os.path.join(folder, "deep-rnn-concise.safetensors"), MODELS["deep-rnn-concise"], seed, epochs)
            save(brnn.state_dict(), os.path.join(folder, "brnn.safetensors"), MODELS["brnn"], seed, epochs)
        print(f"PyTorch, trained {epochs} epochs a round and saved in {folder}/{' (plain state_dicts)' if args.plain else ''}:")
        outputs = numbers(drnn, concise, brnn, data_trans, X, Y)
        if args.plain:
            outputs = dict(outputs, seed=seed, epochs=epochs, torch_version=torch.__version__)
        with open(os.path.join(folder, "pytorch-outputs.json"), "w") as f:
            json.dump(outputs, f, indent=1, sort_keys=True)
            f.write("\n")
        record(f"trained_{epochs}_epochs{'_plain' if args.plain else ''}", outputs)
        return

    folder = args.checkpoints_dir
    scratch, meta = load(folder, "deep-rnn-scratch")
    concise_tensors, _ = load(folder, "deep-rnn-concise")
    brnn_tensors, _ = load(folder, "brnn")
    seed = int(meta["seed"])
    data_trans = deep_rnn_data(seed)
    drnn = DRNN(2, 1, 8, 1)
    first = tuple(nn.Parameter(scratch.pop(name)) for name in UNREGISTERED)
    drnn.load_state_dict(scratch, strict=True)                 # the last layer, W_hq, b_q
    drnn.drnn_parameters[0] = first                            # the layer the state_dict lacks
    concise = concise_model()
    concise.load_state_dict(concise_tensors, strict=True)
    brnn = BRNN(1, 32, 1)
    brnn.load_state_dict(brnn_tensors, strict=True)
    X, Y = digits(seed)
    print(f"PyTorch, from the workbook's checkpoints in {folder}/ (seed {seed}, epochs {meta.get('epochs')}):")
    record("from_workbook", numbers(drnn, concise, brnn, data_trans, X, Y))


if __name__ == "__main__":
    main()
