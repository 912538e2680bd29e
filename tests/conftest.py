"""Shared test set-up: one torch thread, as in the notebooks (course_utils.setup), so that
tests are as deterministic as the stored outputs and do not oversubscribe a 2-core runner."""

import torch

torch.set_num_threads(1)
