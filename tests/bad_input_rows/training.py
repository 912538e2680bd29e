"""Bad-input rows for the newer course_utils.training callables (read by tests/test_bad_input.py).

The older training functions have their rows in tests/test_bad_input.py itself."""

import numpy as np

X = np.arange(24.0).reshape(8, 3) / 24
Y = np.arange(8.0) / 8


def rows(R):
    return {
        "training.train_stacked_mlp": R(
            dict(X=X, y=Y, width=4, lrs=[0.01, 0.02], steps=2, parameterization="mup", base_width=2, n_seeds=2,
                 weight_decay=0.0, dropout=0.1, ema_decay=0.9, eval_sets={"val": (X[:4], Y[:4])}, batch_size=4,
                 seed=0),
            pos=["lrs"], nonneg=["weight_decay", "dropout"], counts=["width", "base_width", "n_seeds", "batch_size"],
            counts0=["steps"], free=["eval_sets", "ema_decay"],
            extra=[("y", "wrong length", np.zeros(5)),
                   ("dropout", "equal to 1", 1.0),
                   ("ema_decay", "equal to 1", 1.0),
                   ("parameterization", "unknown", "ntk"),
                   ("lrs", "2-d", np.full((2, 2), 0.01)),
                   ("batch_size", "above the number of samples", 9),
                   ("eval_sets", "not a dict", [(X, Y)]),
                   ("eval_sets", "wrong width", {"val": (np.zeros((4, 2)), np.zeros(4))}),
                   ("eval_sets", "not a pair", {"val": X})]),
    }
