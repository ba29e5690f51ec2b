"""Seed 002's two-dimensional Gaussian mixture (§II.3, §II.4, §II.7).

A point is drawn from a red Gaussian with probability 1/2 and from each of three blue
Gaussians with probability 1/6; it is labelled by the colour of its Gaussian:
**red = +1, blue = -1**.

The default means sit at (±5, ±5): red at (5, 5), blue at (-5, 5), (5, -5) and (-5, -5),
all with standard deviation 1. The scale matters because the nets it is made for have
weights and biases in {-1, +1}: a sigmoid output reaches the ~0.008 binary cross-entropy of
seed 002 only when its pre-activation is |z| >~ 5 on most points, so the clusters must lie a
few units from the origin. Brute force over all 2^14 nets of the 2-3-1 BiNN with an
activation-choice bit (sigmoid or ReLU hidden layer, sigmoid output, BCE) on the defaults
(200 training points) gives an optimum BCE of 0.0079 with seed 0 (0.0066-0.0087 over seeds
0-4), 100% train and test accuracy, ReLU chosen, 6 optimal nets (the 3! orders of the hidden
units); the best sigmoid net only reaches ~0.28-0.31. Each hidden ReLU detects one cluster, so
the fourth cluster is left at z = -3, which is what sets the ~0.008 floor.

For the overfitting study of §II.7 bring the Gaussians closer with ``spread`` < 1 (it scales
every mean about the origin) and make ``n_train`` small: with ``spread = 0.3`` and 4 training
points (seed 0) the optimum fits them to BCE 0.04 but scores 0.71 (67% accuracy) on the test
set, against 0.24 for the best net on the test set itself.
"""
from __future__ import annotations

from numbers import Real

import numpy as np

from anneal_binn.data import Dataset, check_keys
from anneal_binn.data._validate import get_float, get_int
from anneal_binn.errors import SpecError

DEFAULT_MEANS = ((5.0, 5.0), (-5.0, 5.0), (5.0, -5.0), (-5.0, -5.0))
DEFAULT_WEIGHTS = (1 / 2, 1 / 6, 1 / 6, 1 / 6)
DEFAULT_LABELS = (1, -1, -1, -1)
KEYS = {"source", "means", "stds", "weights", "labels", "n_train", "n_test", "spread", "test_seed"}


def _real_list(cfg: dict, key: str, default, length: int | None = None) -> list:
    """A list of finite numbers (or of [x, y] pairs when ``key == "means"``)."""
    if key not in cfg:
        return [list(v) if isinstance(v, tuple) else v for v in default]
    value = cfg[key]
    if not isinstance(value, (list, tuple)) or len(value) == 0:
        raise SpecError(f"data.{key}", f"must be a non-empty list, got {value!r}")
    if length is not None and len(value) != length:
        raise SpecError(
            f"data.{key}", f"must have one entry per Gaussian ({length}, as in data.means), got {len(value)}"
        )
    return list(value)


def _means(cfg: dict) -> np.ndarray:
    means = _real_list(cfg, "means", DEFAULT_MEANS)
    try:
        arr = np.array(means, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 2 or arr.shape[1] != 2 or not np.all(np.isfinite(arr)):
        raise SpecError("data.means", f"must be a list of [x, y] pairs of finite numbers, got {means!r}")
    return arr


def _numbers(cfg: dict, key: str, default, k: int) -> np.ndarray:
    values = _real_list(cfg, key, default, length=k)
    ok = all(isinstance(v, Real) and not isinstance(v, bool) for v in values)
    arr = np.array(values, dtype=np.float64) if ok else None
    if arr is None or not np.all(np.isfinite(arr)):
        raise SpecError(f"data.{key}", f"must be a list of {k} finite numbers, got {values!r}")
    return arr


def mixture_params(cfg: dict) -> dict:
    """Validate the mixture keys of ``cfg`` and return means (K, 2), stds (K,), weights (K,), labels (K,).

    Examples:
        >>> p = mixture_params({"source": "gaussian-mixture", "spread": 0.5})
        >>> p["means"][0].tolist(), p["labels"].tolist()
        ([2.5, 2.5], [1, -1, -1, -1])
    """
    check_keys(cfg, KEYS)
    means = _means(cfg)
    k = len(means)
    if "means" in cfg and k != 4 and ("weights" not in cfg or "labels" not in cfg):
        raise SpecError(
            "data.means",
            f"with {k} Gaussians (not the default 4) also give data.weights and data.labels, one per Gaussian",
        )
    if "stds" in cfg and not isinstance(cfg["stds"], (list, tuple)):
        std = get_float(cfg, "stds", 1.0, minimum=0.0, strict_minimum=True)
        stds = np.full(k, std)
    else:
        stds = _numbers(cfg, "stds", [1.0] * k, k)
        if np.any(stds <= 0):
            raise SpecError("data.stds", f"every standard deviation must be > 0, got {stds.tolist()}")
    weights = _numbers(cfg, "weights", DEFAULT_WEIGHTS, k)
    if np.any(weights < 0) or weights.sum() <= 0:
        raise SpecError("data.weights", f"must be non-negative with a positive sum, got {weights.tolist()}")
    if abs(weights.sum() - 1.0) > 1e-9:  # keep 1/2, 1/6, ... bit-exact when they already sum to 1
        weights = weights / weights.sum()
    labels = _numbers(cfg, "labels", DEFAULT_LABELS, k)
    if not np.all(np.isin(labels, (-1, 1))):
        raise SpecError("data.labels", f"must be +1 (red) or -1 (blue) for each Gaussian, got {labels.tolist()}")
    labels = labels.astype(np.int64)
    if len(np.unique(labels[weights > 0])) != 2:
        raise SpecError("data.labels", "the Gaussians with positive weight must include both a +1 and a -1 label")
    spread = get_float(cfg, "spread", 1.0, minimum=0.0, strict_minimum=True)
    return {"means": means * spread, "stds": stds, "weights": weights, "labels": labels, "spread": spread}


def sample_mixture(params: dict, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw ``n`` points: component indices i.i.d. with the mixture weights, then isotropic Gaussian noise.

    Returns:
        ``(x, y, component)`` with shapes (n, 2), (n,), (n,).
    """
    comp = rng.choice(len(params["weights"]), size=n, p=params["weights"])
    x = params["means"][comp] + params["stds"][comp, None] * rng.standard_normal((n, 2))
    return x, params["labels"][comp], comp.astype(np.int64)


def load_gaussian_mixture(cfg: dict, seed: int) -> Dataset:
    """Seed 002's Gaussian mixture; red = +1, blue = -1.

    Keys of the ``[data]`` table (all optional besides ``source``):
        means: list of [x, y], one per Gaussian; default [[5, 5], [-5, 5], [5, -5], [-5, -5]].
        stds: one standard deviation for all, or a list with one per Gaussian; default 1.0.
        weights: mixture probabilities (normalized); default [1/2, 1/6, 1/6, 1/6].
        labels: +1 (red) or -1 (blue) per Gaussian; default [1, -1, -1, -1].
        n_train: training points, default 200. n_test: test points, default 1000.
        spread: factor applied to every mean (< 1 brings the Gaussians closer); default 1.0.
        test_seed: seed of the test set, default the loader's ``seed``. Fix it and vary
            ``seed`` for independent training sets scored on one validation set (§II.7).

    Train and test come from two independent ``numpy.random.Generator`` streams spawned from
    ``SeedSequence(seed)`` and ``SeedSequence(test_seed)``, so the same seeds give the same
    points and the test set does not depend on ``n_train`` (:func:`sample_mixture` also returns each point's
    Gaussian, for plots). ``meta`` holds the resolved parameters (JSON-serializable).

    Examples:
        >>> ds = load_gaussian_mixture({"source": "gaussian-mixture", "n_train": 6}, seed=0)
        >>> ds.x_train.shape, sorted(set(ds.y_train.tolist()) | {-1, 1})
        ((6, 2), [-1, 1])
    """
    params = mixture_params(cfg)
    n_train = get_int(cfg, "n_train", 200, minimum=1)
    n_test = get_int(cfg, "n_test", 1000, minimum=1)
    test_seed = get_int(cfg, "test_seed", seed)
    # independent streams: the test set does not move when n_train changes, and a fixed
    # test_seed keeps one validation set across training-set realizations (seed 002 §II.7)
    train_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    test_rng = np.random.default_rng(np.random.SeedSequence(test_seed).spawn(2)[1])
    x_train, y_train, _ = sample_mixture(params, n_train, train_rng)
    x_test, y_test, _ = sample_mixture(params, n_test, test_rng)
    spread = params["spread"]
    return Dataset(
        name="gaussian mixture" + (f", spread {spread:g}" if spread != 1.0 else ""),
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        meta={
            "means": params["means"].tolist(),
            "stds": params["stds"].tolist(),
            "weights": params["weights"].tolist(),
            "labels": params["labels"].tolist(),
            "spread": spread,
            "n_train": n_train,
            "n_test": n_test,
        },
    )
