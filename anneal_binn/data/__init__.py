"""Data sets, all available offline: nothing is downloaded at run time.

Every loader takes the spec's ``[data]`` table (a dict) and a seed and returns a
:class:`Dataset`. Binary labels are ``-1``/``+1``; multi-class labels are class indices
``0..K-1``. Loaders are looked up by ``data.source`` in :data:`SOURCES`.

Examples:
    >>> ds = load_dataset({"source": "fawaz", "problem": 1}, seed=0)
    >>> ds.x_train.shape, ds.num_classes
    ((8, 3), 2)
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from anneal_binn.errors import SpecError


@dataclass(frozen=True)
class Dataset:
    """A supervised data set split into train and test.

    Attributes:
        name: short description, e.g. ``"digits 0 vs 1, 4x4 block means"``.
        x_train, x_test: float64 arrays of shape (P, d).
        y_train, y_test: int64 arrays of shape (P,): ``±1`` when ``num_classes == 2``,
            else class indices ``0..K-1``.
        num_classes: number of classes K (2 for binary tasks).
        classes: the original label of each class (index order; for binary, ``classes[0]`` is -1).
        meta: anything else worth reporting (parameters, source file, fit errors).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int = 2
    classes: tuple = (-1, 1)
    meta: dict = field(default_factory=dict)

    @property
    def num_features(self) -> int:
        return int(self.x_train.shape[1])


# data.source -> "module:function" in this package; each function is load(cfg: dict, seed: int) -> Dataset
SOURCES: dict[str, str] = {
    "fawaz": "boolean:load_fawaz",
    "gaussian-mixture": "gaussian:load_gaussian_mixture",
    "digits": "digits:load_digits",
    "mnist": "digits:load_mnist",
    "perceptron": "perceptron:load_perceptron",
}


def check_keys(cfg: dict, allowed: set[str], where: str = "data") -> None:
    """Raise SpecError naming the first unknown key of ``cfg``."""
    for key in sorted(cfg):
        if key not in allowed:
            raise SpecError(f"{where}.{key}", f"unknown key; allowed keys are {', '.join(sorted(allowed))}")


def load_dataset(cfg: dict, seed: int = 0) -> Dataset:
    """Load the data set described by a spec's ``[data]`` table."""
    if not isinstance(cfg, dict):
        raise SpecError("data", "must be a table, e.g. [data] source = \"fawaz\"")
    source = cfg.get("source")
    if not isinstance(source, str):
        raise SpecError("data.source", f"required string; one of {', '.join(sorted(SOURCES))}")
    if source not in SOURCES:
        raise SpecError("data.source", f"unknown data set {source!r}; choose one of {', '.join(sorted(SOURCES))}")
    module_name, func = SOURCES[source].split(":")
    module = importlib.import_module(f"anneal_binn.data.{module_name}")
    return getattr(module, func)(cfg, seed)
