"""What the benchmarks share: one thread for every library, set before numpy is imported (import this
module first), and a best-of-n wall-clock timer."""

from __future__ import annotations

import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def best_time(fn, repeats=3):
    """Shortest wall time of ``repeats`` calls of ``fn()``, and the last output."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out
