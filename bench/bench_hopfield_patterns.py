"""Hebbian Glauber dynamics at large N: run_dynamics (N x N couplings) vs run_dynamics_from_patterns.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_hopfield_patterns.py

Same problem for all: P = alpha N random patterns, B replicas started on patterns 1..B with 10 %
of the bits flipped, sequential Glauber dynamics at T = 0.1 for a few sweeps. Three samplers:
``hopfield.run_dynamics(hebbian_couplings(xi), ...)`` (forms J, N^2 memory, N B N work per sweep),
``hopfield.run_dynamics_from_patterns(xi, ...)`` (overlaps M = xi sigma, N P memory, N B P work)
and a compiled numba loop with the from-patterns algorithm (the simplest fast reference). The two
course samplers use the same random stream and must return identical states (checked); the
numba loop draws its own numbers, so only its final overlap is compared. Seconds per sweep are
the best of two runs, one thread; the time to form J is reported separately.
"""

from __future__ import annotations

# isort: off
from _common import best_time  # first: holds every library to one thread before numpy is imported

import numba  # noqa: E402
import numpy as np  # noqa: E402

import course_utils as cu  # noqa: E402
from course_utils import hopfield  # noqa: E402
# isort: on


@numba.njit(fastmath=True)
def glauber_patterns_numba(xi, sigma, T, sweeps, seed):
    """Reference: phi_i = (sum_mu xi_i^mu M_mu - P sigma_i) / N, M updated on each flip."""
    np.random.seed(seed)  # noqa: NPY002
    P, N = xi.shape
    B = sigma.shape[0]
    s = sigma.copy()
    M = s @ xi.T
    for _ in range(sweeps):
        order = np.random.permutation(N)  # noqa: NPY002
        for i in order:
            for b in range(B):
                phi = -P * s[b, i]
                for mu in range(P):
                    phi += xi[mu, i] * M[b, mu]
                new = 1.0 if np.random.random() < 0.5 * (1.0 + np.tanh(phi / (N * T))) else -1.0  # noqa: NPY002
                if new != s[b, i]:
                    d = new - s[b, i]
                    s[b, i] = new
                    for mu in range(P):
                        M[b, mu] += d * xi[mu, i]
    return s


def main():
    cu.setup(seed=0, plots=False)
    alpha, B, T, sweeps = 0.05, 8, 0.1, 2
    glauber_patterns_numba(np.ones((2, 4)), np.ones((1, 4)), 0.5, 1, 0)  # compile before timing
    print(f"alpha = {alpha}, B = {B}, T = {T}, sequential sweeps, one thread; numba {numba.__version__}")
    print(f"{'N':>6} {'form J [s]':>10} {'run_dynamics':>13} {'from_patterns':>14} {'numba':>7}"
          f" {'speed-up':>9} {'identical':>9}   m: J / patterns / numba   [s per sweep]")
    for N in (2000, 10000):
        P = int(alpha * N)
        xi = hopfield.random_patterns(P, N, seed=1)
        rng = cu.make_rng(2)
        start = xi[:B] * np.where(rng.random((B, N)) < 0.1, -1.0, 1.0)
        t_J, J = best_time(lambda xi=xi: hopfield.hebbian_couplings(xi), repeats=1)
        t_a, a = best_time(lambda J=J, s0=start: hopfield.run_dynamics(J, s0, T, sweeps, seed=3), repeats=2)
        del J
        t_b, b = best_time(lambda xi=xi, s0=start: hopfield.run_dynamics_from_patterns(xi, s0, T, sweeps, seed=3),
                           repeats=2)
        t_c, c = best_time(lambda xi=xi, s0=start: glauber_patterns_numba(xi, s0, T, sweeps, 3), repeats=2)
        m = [np.mean(np.sum(out * xi[:B], axis=1) / N) for out in (a, b, c)]
        print(f"{N:>6} {t_J:>10.2f} {t_a / sweeps:>13.3f} {t_b / sweeps:>14.3f} {t_c / sweeps:>7.3f}"
              f" {t_a / t_b:>9.1f} {str(np.array_equal(a, b)):>9}   {m[0]:.3f} / {m[1]:.3f} / {m[2]:.3f}")


if __name__ == "__main__":
    main()
