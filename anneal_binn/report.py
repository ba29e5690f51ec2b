"""Typed, frozen reports of decoded BiNNs: what ``problem.evaluate(sampleset)`` returns.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> report = problem.evaluate(ab.solve(problem, solver="exact"))
    >>> report.best.loss, report.best.accuracy.train, report.gap
    (0.0, 1.0, 0.0)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Accuracy:
    train: float
    test: float


@dataclass(frozen=True)
class LayerParams:
    """One decoded layer: weights (units, inputs) in {-1, 0, +1} (0 = absent), bias, choices."""

    weights: np.ndarray
    bias: np.ndarray | None
    activation: str
    width: int
    active_units: tuple[int, ...]
    mask: np.ndarray | None

    def to_dict(self) -> dict:
        return {
            "weights": self.weights.astype(int).tolist(),
            "bias": None if self.bias is None else self.bias.astype(int).tolist(),
            "activation": self.activation,
            "width": self.width,
            "active_units": list(self.active_units),
            "mask": None if self.mask is None else self.mask.astype(int).tolist(),
        }


@dataclass(frozen=True)
class Net:
    """A decoded BiNN: parameters, hyperparameters and architecture of one configuration."""

    layers: tuple[LayerParams, ...]

    def to_dict(self) -> dict:
        return {"layers": [layer.to_dict() for layer in self.layers]}

    def describe(self) -> str:
        lines = []
        for l, layer in enumerate(self.layers):
            kind = "output" if l == len(self.layers) - 1 else f"hidden {l}"
            lines.append(f"  layer {l} ({kind}): width {layer.width}, activation {layer.activation}"
                         + (f", active units {list(layer.active_units)}" if len(layer.active_units) != layer.weights.shape[0] else ""))
            for u in layer.active_units:
                w = " ".join({1: "+", -1: "-", 0: "."}[int(v)] for v in layer.weights[u])
                b = "" if layer.bias is None else f"  bias {int(layer.bias[u]):+d}"
                lines.append(f"    unit {u}: weights [{w}]{b}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Best:
    """The lowest-loss row of a sample set."""

    loss: float
    accuracy: Accuracy
    sample: dict
    row: int
    net: Net


@dataclass(frozen=True)
class Report:
    """Evaluation of a sample set, aligned with its rows.

    Attributes:
        losses: true loss of each row's decoded net.
        accuracy_train, accuracy_test: per row.
        best: the lowest-loss row.
        optimum, num_optima: exact optimum and its multiplicity when known, else None.
        gap: ``best.loss - optimum`` when the optimum is known, else None.
    """

    losses: np.ndarray
    accuracy_train: np.ndarray
    accuracy_test: np.ndarray
    best: Best
    optimum: float | None = None
    num_optima: int | None = None
    gap: float | None = None
    extra: dict = field(default_factory=dict)

    def success_probability(self, epsilon: float = 1e-9) -> float | None:
        """Fraction of rows whose loss is within ``epsilon`` of the exact optimum."""
        if self.optimum is None:
            return None
        return float(np.mean(self.losses <= self.optimum + epsilon))

    def to_dict(self) -> dict:
        return {
            "losses": self.losses.tolist(),
            "best": {
                "loss": self.best.loss,
                "accuracy": {"train": self.best.accuracy.train, "test": self.best.accuracy.test},
                "sample": [int(self.best.sample[v]) for v in sorted(self.best.sample)],
                "row": self.best.row,
                "net": self.best.net.to_dict(),
            },
            "exact": {"optimum": self.optimum, "num_optima": self.num_optima},
            "gap": self.gap,
        }
