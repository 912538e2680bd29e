"""Glauber sampler throughput: course_utils.hopfield.run_dynamics against a compiled numba loop.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_spin_sampler.py

Same problem for both: a Hebbian network of N neurons storing P = alpha N random patterns,
B replicas started on pattern 1, sequential Glauber dynamics (a random site order per sweep,
each update P[sigma_i = +1] = (1 + tanh(phi_i / T))/2) at temperature T. Two compiled
references: "same", the algorithm of run_dynamics (phi_i = sum_j J_ij sigma_j recomputed,
O(N) per update), and "fields", the fast serial algorithm that stores all local fields and
updates them, O(N), only when a spin flips (cheap when few spins flip, as in retrieval).
Throughput is spin updates per second (N x B x sweeps / wall time, best of three runs). All
run single-threaded; the numba functions are compiled before timing. The final mean overlaps
are printed as a check that the samplers simulate the same process (they agree within the
statistical error, not bit for bit: the random streams differ).
"""

from __future__ import annotations

# isort: off
from _common import best_time  # first: holds every library to one thread before numpy is imported

import numba  # noqa: E402
import numpy as np  # noqa: E402

import course_utils as cu  # noqa: E402
from course_utils import hopfield  # noqa: E402
# isort: on


# numba supports only the legacy global RNG inside compiled code, hence the NPY002 waivers
@numba.njit(fastmath=True)
def glauber_numba(J, sigma, T, sweeps, seed):
    """Reference 1, same algorithm: the field phi_i = sum_j J_ij sigma_j recomputed at every update."""
    np.random.seed(seed)  # noqa: NPY002
    B, N = sigma.shape
    s = sigma.copy()
    for _ in range(sweeps):
        order = np.random.permutation(N)  # noqa: NPY002
        for i in order:
            for b in range(B):
                phi = 0.0
                for j in range(N):
                    phi += J[i, j] * s[b, j]
                up = np.random.random() < 0.5 * (1.0 + np.tanh(phi / T[b]))  # noqa: NPY002
                s[b, i] = 1.0 if up else -1.0
    return s


@numba.njit(fastmath=True)
def glauber_numba_fields(J, sigma, T, sweeps, seed):
    """Reference 2, the fast serial algorithm: keep all local fields, update them only on a flip."""
    np.random.seed(seed)  # noqa: NPY002
    B, N = sigma.shape
    s = sigma.copy()
    phi = s @ J
    for _ in range(sweeps):
        order = np.random.permutation(N)  # noqa: NPY002
        for i in order:
            for b in range(B):
                new = 1.0 if np.random.random() < 0.5 * (1.0 + np.tanh(phi[b, i] / T[b])) else -1.0  # noqa: NPY002
                if new != s[b, i]:
                    d = new - s[b, i]
                    s[b, i] = new
                    for j in range(N):
                        phi[b, j] += d * J[i, j]
    return s


def main():
    cu.setup(seed=0, plots=False)
    N, alpha, T, sweeps = 1000, 0.05, 0.4, 10
    xi = hopfield.random_patterns(int(alpha * N), N, seed=1)
    J = hopfield.hebbian_couplings(xi)
    for fn in (glauber_numba, glauber_numba_fields):  # compile before timing
        fn(J, np.repeat(xi[:1], 2, axis=0), np.full(2, T), 1, 0)
    print(f"N = {N}, alpha = {alpha}, T = {T}, {sweeps} sequential sweeps, one thread; numba {numba.__version__}")
    print("spin updates per second (best of 3); ratio = course_utils / numba")
    print(f"{'B':>5} {'course_utils':>13} {'numba same':>11} {'ratio':>6} {'numba fields':>13} {'ratio':>6}"
          f"   final m: course / same / fields")
    rows = []
    for B in (1, 8, 32, 128):
        start = np.repeat(xi[:1], B, axis=0)
        temps = np.full(B, T)
        runs = [
            best_time(lambda s0=start, t=temps: hopfield.run_dynamics(J, s0, t, sweeps, seed=2)),
            best_time(lambda s0=start, t=temps: glauber_numba(J, s0, t, sweeps, 2)),
            best_time(lambda s0=start, t=temps: glauber_numba_fields(J, s0, t, sweeps, 2)),
        ]
        rate = [N * B * sweeps / sec for sec, _ in runs]
        m = [(out @ xi[0]).mean() / N for _, out in runs]
        rows.append((B, *rate))
        print(f"{B:>5} {rate[0]:>13.3g} {rate[1]:>11.3g} {rate[0] / rate[1]:>6.2f} {rate[2]:>13.3g} "
              f"{rate[0] / rate[2]:>6.2f}   {m[0]:.3f} / {m[1]:.3f} / {m[2]:.3f}")
    return rows


if __name__ == "__main__":
    main()
