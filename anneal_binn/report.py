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

    A row of an aggregated sample set stands for ``num_occurrences`` reads, so every statistic
    over reads (mean loss, success probability) weights the rows by :attr:`weights`.

    Attributes:
        losses: true loss of each row's decoded net.
        accuracy_train, accuracy_test: per row.
        best: the lowest-loss row.
        optimum, num_optima: exact optimum and its multiplicity when known, else None.
        gap: ``best.loss - optimum`` when the optimum is known, else None.
        extra: free-form additions.
        weights: reads each row stands for (the sample set's ``num_occurrences``); None means one
            read per row.

    Examples:
        >>> import numpy as np
        >>> best = Best(0.0, Accuracy(1.0, 1.0), {}, 0, Net(()))
        >>> r = Report(np.array([0.0, 2.0]), np.ones(2), np.ones(2), best, optimum=0.0,
        ...            weights=np.array([3, 1]))
        >>> r.num_reads, r.mean_loss, r.success_probability()
        (4, 0.5, 0.75)
    """

    losses: np.ndarray
    accuracy_train: np.ndarray
    accuracy_test: np.ndarray
    best: Best
    optimum: float | None = None
    num_optima: int | None = None
    gap: float | None = None
    extra: dict = field(default_factory=dict)
    weights: np.ndarray | None = None

    def __post_init__(self):
        losses = np.asarray(self.losses)
        if self.weights is None:
            w = np.ones(len(losses), dtype=np.int64)
        else:
            w = np.asarray(self.weights)
            if w.shape != losses.shape:
                raise ValueError(f"weights: need one per row ({losses.shape}), got shape {w.shape}")
            if w.size and (not np.all(np.isfinite(w)) or w.min() < 0):
                raise ValueError("weights: must be finite and non-negative (reads per row)")
        # the dataclass is frozen: object.__setattr__ is how a frozen dataclass fills a default
        object.__setattr__(self, "weights", w)

    @property
    def num_reads(self) -> int | float:
        """Reads the rows stand for (the sum of :attr:`weights`)."""
        total = self.weights.sum()
        return int(total) if np.issubdtype(self.weights.dtype, np.integer) else float(total)

    @property
    def mean_loss(self) -> float:
        """Read-weighted mean true loss."""
        return float(np.average(self.losses, weights=self.weights))

    def success_probability(self, epsilon: float = 1e-9) -> float | None:
        """Fraction of reads (rows weighted by :attr:`weights`) within ``epsilon`` of the exact optimum."""
        if self.optimum is None:
            return None
        hit = np.asarray(self.losses) <= self.optimum + epsilon
        return float(self.weights[hit].sum() / self.weights.sum())

    def to_dict(self) -> dict:
        return {
            "losses": self.losses.tolist(),
            "num_occurrences": self.weights.tolist(),
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
