"""Bad-input rows for the newer course_utils.interpolants callables (read by tests/test_bad_input.py);
the older ones have their rows in tests/test_bad_input.py itself."""

import numpy as np

X2 = np.random.default_rng(5).normal(size=(6, 2))


def _schedule():
    from course_utils import interpolants

    return interpolants.schedule("linear", 1.0)


_schedule.lazy = True


def rows(R):
    return {
        "interpolants.score_from_velocity": R(dict(b=X2, x=X2, t=0.5, sched=_schedule),
                                              extra=[("t", "above 1", 1.5), ("t", "at t = 1", 1.0),
                                                     ("b", "wrong shape", np.zeros((3, 2)))]),
    }
