"""Seed 003's Boolean toy problems: all 8 inputs of {-1,+1}^3 with a sign-function label."""
from __future__ import annotations

import itertools

import numpy as np

from anneal_binn.data import Dataset, check_keys
from anneal_binn.errors import SpecError


def sign(x):
    """sign with sign(0) = +1, as in seed 003 (and the majority function it implements)."""
    return np.where(np.asarray(x) >= 0, 1, -1)


def fawaz_inputs() -> np.ndarray:
    """The 8 points of {-1,+1}^3, x1 varying slowest."""
    return np.array(list(itertools.product([-1, 1], repeat=3)), dtype=np.float64)


LABELS = {
    1: lambda x: sign(x[:, 2] * x[:, 0] + x[:, 1]),  # y = sign(x3*x1 + x2)
    2: lambda x: sign(x[:, 0] + x[:, 1] + x[:, 2]),  # y = sign(x1 + x2 + x3)
}


def load_fawaz(cfg: dict, seed: int) -> Dataset:
    """Problem 1 or 2 of seed 003 §4.2. Train and test are the same 8 points (the task is to fit them).

    Examples:
        >>> load_fawaz({"source": "fawaz", "problem": 2}, 0).y_train.tolist()
        [-1, -1, -1, 1, -1, 1, 1, 1]
    """
    check_keys(cfg, {"source", "problem"})
    problem = cfg.get("problem", 1)
    if problem not in LABELS:
        raise SpecError("data.problem", f"must be 1 or 2, got {problem!r}")
    x = fawaz_inputs()
    y = LABELS[problem](x).astype(np.int64)
    return Dataset(
        name=f"fawaz problem {problem}",
        x_train=x,
        y_train=y,
        x_test=x.copy(),
        y_test=y.copy(),
        meta={"problem": problem},
    )
