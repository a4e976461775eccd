# Makes adam_weight_decay.json: torch.optim.Adam with weight_decay (the L2 penalty added to the
# gradient), five steps on a small tensor whose gradient is that of sum(w * p**2).
# Run from this folder: python make_adam_weight_decay_fixture.py
import json
import torch

torch.manual_seed(0)
p = torch.randn(7, requires_grad=True)
w = torch.randn(7)
start = p.detach().clone()
optimizer = torch.optim.Adam([p], lr=0.01, weight_decay=1.0)
after = []
for _ in range(5):
    optimizer.zero_grad()
    (w * p ** 2).sum().backward()
    optimizer.step()
    after.append([float(x) for x in p.detach()])
json.dump({"torch": torch.__version__, "lr": 0.01, "weight_decay": 1.0,
           "start": [float(x) for x in start], "w": [float(x) for x in w], "after_each_step": after},
          open("adam_weight_decay.json", "w"), indent=1)
