"""Inverse Potts learning: course_utils.potts.boltzmann_learning_potts against adabmDCA (bmDCA).

Both learners get the same synthetic data (the planted sparse Potts model of lecture 09:
L = 16 sites, q = 4 states, 2000 Gibbs samples), the same one- and two-site frequencies
(no pseudocount, no reweighting), the same start (h = log f_i, J = 0), the same learning
rate, number of persistent chains and Gibbs sweeps per step, and the same update rule
(adabmDCA's ``update_params`` is dh = lr (f - p), dJ = lr (f2 - p2), as ours). We call
``adabmDCA.training.train_graph`` rather than the public ``train_model`` because the latter
removes duplicate sequences before computing frequencies, which would change the target
statistics of low-entropy synthetic data.

Reported: wall time to reach Pearson 0.95 of the connected correlations (each learner's own
persistent-chain estimate, as adabmDCA uses for its stopping rule) and the final Pearson of
fresh samples from each learned model after the same number of steps (3000 sequences, the
same course sampler for both),
as values and as ratios (course / adabmDCA). One thread for both. Run from the repo root:

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_potts_adabmdca.py
"""

from __future__ import annotations

import time

import numpy as np
import torch

import course_utils as cu
from course_utils import potts

L_SEQ, Q, N_DATA = 16, 4, 2000
LR, N_CHAINS, SWEEPS, MAX_STEPS, TARGET = 0.4, 1000, 2, 300, 0.95


class Timed:
    """A function wrapper that adds up the wall time spent inside it (the sampler's share of a run)."""

    def __init__(self, fn):
        self.fn, self.seconds = fn, 0.0

    def __call__(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - t0


def fresh_pearson(h, J, C_data, seed=5):
    seqs = potts.gibbs_sequences(h, J, n_samples=3000, sweeps=40, seed=seed)
    return potts.correlation_pearson(C_data, potts.connected_correlations(*potts.site_frequencies(seqs, Q)))


def run_course(data, C_data):
    sampler = potts.gibbs_sequences = Timed(potts.gibbs_sequences)  # boltzmann_learning_potts calls it by name
    try:
        t0 = time.perf_counter()
        out = potts.boltzmann_learning_potts(data, Q, steps=MAX_STEPS, lr=LR, n_chains=N_CHAINS, sweeps=SWEEPS,
                                             seed=0, record_every=1)
        total = time.perf_counter() - t0
    finally:
        potts.gibbs_sequences = sampler.fn
    reached = np.flatnonzero(out["pearson"] >= TARGET)
    # every step costs the same (one Gibbs block, one frequency estimate, one Pearson), so
    # the time to the first step at the target is its share of the total
    step = int(out["step"][reached[0]]) if reached.size else None
    t_target = total * step / MAX_STEPS if step else float("nan")
    return {"steps_to_target": step, "time_to_target": t_target, "final_chain_pearson": float(out["pearson"][-1]),
            "fresh_pearson": fresh_pearson(out["h"], out["J"], C_data), "total_time": total,
            "sampler_time": sampler.seconds}


def run_adabmdca(data, C_data):
    from adabmDCA.sampling import prepare_training_sampler
    from adabmDCA.stats import get_freq_single_point, get_freq_two_points
    from adabmDCA.training import train_graph
    from adabmDCA.utils import init_chains, init_parameters

    torch.manual_seed(0)
    onehot = torch.nn.functional.one_hot(torch.as_tensor(data), num_classes=Q).to(torch.float32)
    fi, fij = get_freq_single_point(onehot), get_freq_two_points(onehot)
    fi = fi.clamp_min(1.0 / (10 * N_DATA))  # as ours: log f_i start needs f_i > 0
    params = init_parameters(fi=fi)
    mask = torch.ones((L_SEQ, Q, L_SEQ, Q), dtype=torch.bool)
    mask[torch.arange(L_SEQ), :, torch.arange(L_SEQ), :] = False
    chains = init_chains(num_chains=N_CHAINS, L=L_SEQ, q=Q, device=torch.device("cpu"), fi=fi)
    sampler = Timed(prepare_training_sampler("gibbs", torch.device("cpu")))
    # run all MAX_STEPS (an unreachable target), read the time to TARGET from its own log
    chains, params, _, history = train_graph(sampler=sampler, chains=chains, mask=mask, fi_target=fi,
                                             fij_target=fij, params=params, nsweeps=SWEEPS, lr=LR,
                                             max_epochs=MAX_STEPS, target_pearson=1.01)
    pearson_hist = np.array([float(x) for x in history["Pearson"]])
    time_hist = np.array([float(x) for x in history["Time"]])
    reached = np.flatnonzero(pearson_hist >= TARGET)
    h = params["bias"].double().numpy()
    J = params["coupling_matrix"].double().numpy()
    J = 0.5 * (J + J.transpose(2, 3, 0, 1))  # symmetric already, up to float32 round-off
    return {"steps_to_target": int(reached[0]) + 1 if reached.size else None,
            "time_to_target": float(time_hist[reached[0]]) if reached.size else float("nan"),
            "final_chain_pearson": float(pearson_hist[-1]), "total_time": float(time_hist[-1]),
            "fresh_pearson": fresh_pearson(h, J, C_data), "sampler_time": sampler.seconds}


def main():
    cu.setup(seed=0, plots=False)
    h_true, J_true = potts.random_sequence_model(L_SEQ, Q, coupling_std=1.0, field_std=0.5, degree=3, seed=0)
    data = potts.gibbs_sequences(h_true, J_true, n_samples=N_DATA, sweeps=40, seed=1)
    C_data = potts.connected_correlations(*potts.site_frequencies(data, Q))
    ours = run_course(data, C_data)
    theirs = run_adabmdca(data, C_data)
    print(f"synthetic Potts model L={L_SEQ}, q={Q}, {N_DATA} samples; lr={LR}, {N_CHAINS} chains, "
          f"{SWEEPS} Gibbs sweeps/step, target Pearson {TARGET}, 1 thread, CPU")
    print(f"{'':14s}{'steps->0.95':>12s}{'time->0.95 [s]':>16s}{'fresh Pearson':>15s}")
    for name, r in (("course_utils", ours), ("adabmDCA", theirs)):
        print(f"{name:14s}{str(r['steps_to_target']):>12s}{r['time_to_target']:>16.2f}{r['fresh_pearson']:>15.3f}")
    print(f"ratio course/adabmDCA: time to 0.95 = {ours['time_to_target'] / theirs['time_to_target']:.2f}, "
          f"final (fresh) Pearson = {ours['fresh_pearson'] / theirs['fresh_pearson']:.3f}")
    print(f"all {MAX_STEPS} steps: course_utils {ours['total_time']:.2f} s, adabmDCA {theirs['total_time']:.2f} s "
          f"(ratio {ours['total_time'] / theirs['total_time']:.2f}); fresh Pearson after {MAX_STEPS} steps for both")
    # where the time goes: the Gibbs sampler's share of each run (wall time inside the sampler call)
    for name, r in (("course_utils", ours), ("adabmDCA", theirs)):
        print(f"{name:14s}Gibbs sampler {r['sampler_time']:.2f} s = {100 * r['sampler_time'] / r['total_time']:.0f} % "
              f"of the run; everything else {r['total_time'] - r['sampler_time']:.2f} s")
    rest = [r["total_time"] - r["sampler_time"] for r in (ours, theirs)]
    print(f"sampler time ratio course/adabmDCA: {ours['sampler_time'] / theirs['sampler_time']:.2f}; "
          f"the rest: {rest[0] / rest[1]:.2f}")


if __name__ == "__main__":
    main()
