"""The sparsity target of a selection: keep ``k`` of its ``n`` bits, as a penalty or exactly.

The term added to the network loss depends only on how many selection bits are on, ``c``:

- ``constraint = "penalty"``: ``strength * (c - k)^2``, a soft target;
- ``constraint = "exact"``: the k-of-n constraint. Its term is ``A * (c - k)^2`` with ``A`` larger
  than the whole range of the loss over the configurations at hand (``max - min + 1`` of the
  enumerated loss, or the ``strength`` given), so every configuration with ``c != k`` costs more
  than every one with ``c = k``: the optimum of loss + term is the constrained optimum, exactly,
  for any solver that minimizes it. Past enumeration, without a ``strength``, a configuration with
  ``c != k`` evaluates to ``inf`` (infeasible). Local selection keeps ``c = k`` throughout: each block is
  solved with the bits outside it held, so its own count is fixed too (a k_b-of-n_b constraint).

Examples:
    >>> import numpy as np
    >>> s = Sparsity(index=np.arange(4), keep=2, constraint="penalty", strength=0.5)
    >>> s.describe()
    'keep 2 of 4 bits (penalty 0.5 * (count - 2)^2)'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anneal_binn.errors import UsageError

CONSTRAINTS = ("exact", "penalty")


@dataclass(frozen=True)
class Sparsity:
    """Keep ``keep`` of the selection bits ``index`` (parent bit indices).

    Args:
        index: the parent's bit indices of every selection bit (n of them).
        keep: the target number of bits on, 0 <= keep <= n.
        constraint: ``"exact"`` (k-of-n) or ``"penalty"``.
        strength: the penalty weight (required for ``"penalty"``; for ``"exact"`` it replaces the
            automatic weight, and must exceed the loss's range for the constraint to be exact).
    """

    index: np.ndarray
    keep: int
    constraint: str = "exact"
    strength: float | None = None

    def __post_init__(self):
        idx = np.asarray(self.index, dtype=np.int64)
        object.__setattr__(self, "index", idx)
        if self.constraint not in CONSTRAINTS:
            raise UsageError("sparsity.constraint", f"choose 'exact' or 'penalty', got {self.constraint!r}")
        if not 0 <= int(self.keep) <= len(idx):
            raise UsageError("sparsity.keep", f"must lie in 0..{len(idx)} (the number of selection bits), got {self.keep}")
        if self.constraint == "penalty" and (self.strength is None or not self.strength > 0):
            raise UsageError("sparsity.strength", f"a penalty needs a positive strength, got {self.strength}")
        if self.strength is not None and not (np.isfinite(self.strength) and self.strength > 0):
            raise UsageError("sparsity.strength", f"must be a positive number, got {self.strength}")

    @property
    def n(self) -> int:
        return len(self.index)

    def describe(self) -> str:
        if self.constraint == "penalty":
            return f"keep {self.keep} of {self.n} bits (penalty {self.strength:g} * (count - {self.keep})^2)"
        return f"keep exactly {self.keep} of {self.n} bits"

    # -- counts in a restriction --------------------------------------------------------------
    def _split(self, r):
        cached = r.__dict__.get("_sparsity_split")
        if cached is None:
            in_sel = np.isin(r.free, self.index)
            outside = np.setdiff1d(self.index, r.free)
            cached = (in_sel, int(r.base[outside].sum()))
            r.__dict__["_sparsity_split"] = cached
        return cached

    def counts(self, r, bits) -> np.ndarray:
        """Selection bits on in each configuration (C, k) of restriction ``r`` (clamped ones included)."""
        in_sel, rest = self._split(r)
        return np.asarray(bits)[:, in_sel].sum(axis=1).astype(np.int64) + rest

    def feasible(self, r, bits) -> np.ndarray:
        return self.counts(r, bits) == self.keep

    def weight(self, r) -> float:
        """The factor of ``(c - k)^2`` in restriction ``r``."""
        if self.constraint == "penalty" or self.strength is not None:
            return float(self.strength)
        w = r.__dict__.get("_sparsity_weight")
        if w is None:
            if r.num_variables > r.landscape_limit:
                w = float("inf")  # past enumeration: an infeasible configuration is infinitely bad
            else:
                L = r.raw_landscape()
                w = float(L.max() - L.min()) + 1.0
            r.__dict__["_sparsity_weight"] = w
        return w

    def term(self, r, bits) -> np.ndarray:
        """The term of each configuration (C, k) of restriction ``r``."""
        d = (self.counts(r, bits) - self.keep).astype(np.float64)
        if not np.any(d):
            return np.zeros(len(d))
        w = self.weight(r)
        return np.where(d == 0, 0.0, w * d * d)
