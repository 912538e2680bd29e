"""2-D Ising Metropolis throughput: course_utils.mcmc.metropolis_ising2d against compiled numba loops.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_ising2d.py

Same problem for every sampler: the periodic L x L Ising model (J = 1) at T = 2.5, B chains
from random starts, Metropolis flips with probability min{1, exp(-2 s_i h_i / T)} and
checkerboard sweeps (both sublattices in turn), energy and magnetisation recorded after
every sweep. "numba typewriter" is the classic serial loop (sites in lexicographic order,
one chain after the other) with a lookup table of the five acceptance probabilities;
"numba checkerboard" is the same loop visiting the two sublattices in turn. Both are the naive
loop (periodic neighbours by modulo, a test of every site's colour, a branch on dE <= 0), so
"numba branchless" is the reference the ratio is taken against: the best simple kernel, with
neighbour tables, each sublattice's sites visited directly, one random number per site from an
inline xorshift64 generator (numpy's Mersenne Twister call costs most of the naive loops' time)
and the flip applied arithmetically (no data-dependent branch). Throughput is
spin updates per second (L^2 x B x sweeps / wall time, best of three); numba is compiled
before timing; everything is single-threaded. The mean energies printed at the end agree
within statistical error (the random streams differ), a check that all simulate the same law.
"""

from __future__ import annotations

# isort: off
from _common import best_time  # first: holds every library to one thread before numpy is imported

import numba  # noqa: E402
import numpy as np  # noqa: E402

from course_utils import mcmc  # noqa: E402
# isort: on


@numba.njit
def metropolis_numba(s, T, sweeps, seed, checkerboard):
    """Serial Metropolis on chains s (B, L, L) int8; returns the energy per spin (B, sweeps)."""
    np.random.seed(seed)  # noqa: NPY002 - numba supports only the legacy global generator
    B, L, _ = s.shape
    table = np.exp(-np.arange(0, 9) / T)  # acceptance exp(-dE/T) for dE = 0..8 (only 4, 8 used)
    energy = np.empty((B, sweeps))
    for b in range(B):
        for t in range(sweeps):
            for colour in range(2):
                for i in range(L):
                    for j in range(L):
                        if checkerboard and (i + j) % 2 != colour:
                            continue
                        if not checkerboard and colour == 1:
                            continue
                        h = s[b, (i + 1) % L, j] + s[b, i - 1, j] + s[b, i, (j + 1) % L] + s[b, i, j - 1]
                        dE = 2 * s[b, i, j] * h
                        if dE <= 0 or np.random.random() < table[dE]:  # noqa: NPY002
                            s[b, i, j] = -s[b, i, j]
            e = 0
            for i in range(L):
                for j in range(L):
                    e -= s[b, i, j] * (s[b, (i + 1) % L, j] + s[b, i, (j + 1) % L])
            energy[b, t] = e / (L * L)
    return energy


@numba.njit
def metropolis_numba_branchless(s, T, sweeps, seed):
    """Checkerboard Metropolis on chains s (B, L, L) int8 with neighbour tables and no data-dependent
    branch: s_ij <- s_ij (1 - 2 [u < min(1, exp(-dE/T))]), u the top 32 bits of an inline xorshift64
    generator (Marsaglia's 13, 7, 17 triple) compared with the acceptance as a 32-bit threshold at dE + 8."""
    B, L, _ = s.shape
    nxt, prv = np.empty(L, np.int64), np.empty(L, np.int64)
    for i in range(L):
        nxt[i], prv[i] = (i + 1) % L, (i - 1) % L
    threshold = np.empty(17, np.uint64)
    for k in range(17):
        threshold[k] = np.uint64(min(1.0, np.exp(-(k - 8) / T)) * 4294967296.0)
    x = np.uint64(seed * 2654435761 + 88172645463325252)
    energy = np.empty((B, sweeps))
    for b in range(B):
        for t in range(sweeps):
            for colour in range(2):
                for i in range(L):
                    for j in range((i + colour) % 2, L, 2):
                        x ^= x << np.uint64(13)
                        x ^= x >> np.uint64(7)
                        x ^= x << np.uint64(17)
                        h = s[b, nxt[i], j] + s[b, prv[i], j] + s[b, i, nxt[j]] + s[b, i, prv[j]]
                        flip = (x >> np.uint64(32)) < threshold[2 * s[b, i, j] * h + 8]
                        s[b, i, j] = s[b, i, j] * (1 - 2 * np.int8(flip))
            e = 0
            for i in range(L):
                for j in range(L):
                    e -= s[b, i, j] * (s[b, nxt[i], j] + s[b, i, nxt[j]])
            energy[b, t] = e / (L * L)
    return energy


def main():
    T, sweeps = 2.5, 200
    rng = np.random.default_rng(0)
    print(f"2-D Ising Metropolis, T = {T}, {sweeps} sweeps, spin updates per second (best of 3)")
    print(f"{'L':>4} {'B':>4} {'course_utils':>13} {'numba typewr.':>14} {'numba checkerb.':>16} "
          f"{'numba branchless':>17} {'ratio':>6}   <E>/N: course / typewriter / checkerboard / branchless")
    metropolis_numba(np.ones((1, 4, 4), np.int8), T, 2, 0, True)  # compile
    metropolis_numba_branchless(np.ones((1, 4, 4), np.int8), T, 2, 0)
    for L, B in ((32, 1), (32, 16), (32, 128), (128, 16)):
        n_updates = L * L * B * sweeps
        s0 = rng.choice(np.array([-1, 1], dtype=np.int8), size=(B, L, L))
        t_cu, out = best_time(lambda L=L, B=B: mcmc.metropolis_ising2d(L, T, sweeps, n_chains=B, seed=1))
        # copies: numba flips the spins in place
        t_tw, e_tw = best_time(lambda s0=s0: metropolis_numba(s0.copy(), T, sweeps, 2, False))
        t_cb, e_cb = best_time(lambda s0=s0: metropolis_numba(s0.copy(), T, sweeps, 3, True))
        t_bl, e_bl = best_time(lambda s0=s0: metropolis_numba_branchless(s0.copy(), T, sweeps, 4))
        r_cu, r_tw, r_cb, r_bl = (n_updates / t for t in (t_cu, t_tw, t_cb, t_bl))
        burn = sweeps // 4
        means = [e[:, burn:].mean() for e in (out["energy"], e_tw, e_cb, e_bl)]
        print(f"{L:4d} {B:4d} {r_cu:13.2e} {r_tw:14.2e} {r_cb:16.2e} {r_bl:17.2e} {r_cu / r_bl:6.2f}   "
              + " / ".join(f"{m:.4f}" for m in means))
    print(f"Onsager (L = infinity) <E>/N at T = {T}: {float(mcmc.onsager_energy(T)):.4f}")


if __name__ == "__main__":
    main()
