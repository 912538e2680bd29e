"""RealNVP in course_utils against normflows: same architecture, data, seed and budget.

Both flows: 6 affine coupling layers with alternating masks on 2-D data, each conditioner an
MLP with two hidden ReLU layers of 64 units whose last layer starts at zero, scale
s = 2 tanh(s_raw / 2), shift t, base N(0, I). Both are trained by maximum likelihood with Adam
(lr 5e-3, cosine decay to lr/20) on the same minibatches (256 points drawn with the same
generator) for the same number of steps, one after the other in this process (alternating
which goes first), on one thread. The initial weights differ (each library draws its own);
both flows start as the identity because the last layers are zero.
Prints the test NLL of each (nats), their difference and the training-time ratio.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_realnvp.py [--steps 400] [--data ring]
"""

from __future__ import annotations

import argparse
import time

import normflows as nf
import numpy as np
import torch
from torch import nn

import course_utils as cu
from course_utils import flows

N_LAYERS, HIDDEN, S_MAX = 6, 64, 2.0


class BoundedScale(nn.Module):
    """normflows' AffineCoupling reads (shift, scale) from channels (0::2, 1::2): bound the scale
    as course_utils does, s = s_max tanh(s_raw / s_max)."""

    def __init__(self, net: nn.Module, s_max: float = S_MAX):
        super().__init__()
        self.net, self.s_max = net, s_max

    def forward(self, x):
        out = self.net(x)
        shift, scale = out[:, 0::2], out[:, 1::2]
        return torch.stack([shift, self.s_max * torch.tanh(scale / self.s_max)], dim=2).flatten(1)


def normflows_realnvp() -> nf.NormalizingFlow:
    layers = []
    for _ in range(N_LAYERS):
        mlp = nf.nets.MLP([1, HIDDEN, HIDDEN, 2], init_zeros=True)  # ReLU hidden layers, zero last layer
        layers += [nf.flows.AffineCouplingBlock(BoundedScale(mlp), scale_map="exp", split_mode="channel"),
                   nf.flows.Permute(2, mode="swap")]
    return nf.NormalizingFlow(q0=nf.distributions.DiagGaussian(2, trainable=False), flows=layers)


def train(loss_fn, params, data, steps, batch, lr, seed):
    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 20)
    gen = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    for _ in range(steps):
        idx = torch.randint(data.shape[0], (batch,), generator=gen)
        loss = loss_fn(data[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--data", default="ring", choices=flows.TOY_DATA)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    cu.setup(seed=0, plots=False)
    x = flows.toy_data(args.data, 8000, seed=10)
    train_x = torch.as_tensor(x[:4000], dtype=torch.float32)
    test_x = torch.as_tensor(x[4000:], dtype=torch.float32)
    rows = []
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        ours = flows.RealNVP(2, N_LAYERS, HIDDEN, s_max=S_MAX)
        torch.manual_seed(seed)
        peer = normflows_realnvp()
        jobs = {"ours": (lambda b, f=ours: -f.log_prob(b).mean(), ours),
                "peer": (peer.forward_kld, peer)}
        seconds = {}
        # alternate which one runs first, so that a drift in machine load does not favour either
        for key in (("ours", "peer") if seed % 2 == 0 else ("peer", "ours")):
            loss_fn, model = jobs[key]
            seconds[key] = train(loss_fn, model.parameters(), train_x, args.steps, 256, 5e-3, seed)
        t_ours, t_peer = seconds["ours"], seconds["peer"]
        with torch.no_grad():
            nll_ours = -ours.log_prob(test_x).mean().item()
            nll_peer = -peer.log_prob(test_x).mean().item()
        n_ours = sum(p.numel() for p in ours.parameters())
        n_peer = sum(p.numel() for p in peer.parameters())
        rows.append((seed, nll_ours, nll_peer, t_ours, t_peer))
        print(f"seed {seed}: test NLL course_utils {nll_ours:.3f}, normflows {nll_peer:.3f} nats; "
              f"train time {t_ours:.2f} s vs {t_peer:.2f} s; parameters {n_ours} vs {n_peer}", flush=True)
    r = np.array(rows)
    diff = r[:, 1] - r[:, 2]
    print(f"data={args.data} steps={args.steps} layers={N_LAYERS} hidden={HIDDEN} seeds={args.seeds}")
    print(f"mean test NLL: course_utils {r[:, 1].mean():.3f}, normflows {r[:, 2].mean():.3f} nats")
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    print(f"NLL difference course_utils - normflows: {diff.mean():+.3f} +- {se:.3f} nats (mean +- SE over seeds)")
    print(f"training-time ratio course_utils / normflows: {r[:, 3].sum() / r[:, 4].sum():.2f}")


if __name__ == "__main__":
    main()
