"""Canonical integer form of a HUBO, and a vectorized evaluator.

Private to :mod:`anneal_binn.reduction`. Every ordering decision made by the reducers is taken on
these integer ids, so the output never depends on ``PYTHONHASHSEED`` or on the order in which a
:class:`dimod.BinaryPolynomial` happens to store its terms.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Sequence

import dimod
import numpy as np

Term = tuple[int, ...]


def canonical_order(labels: Iterable[Hashable]) -> list:
    """Sort labels deterministically: natural order when comparable, else by (type name, repr)."""
    labels = list(labels)
    try:
        return sorted(labels)
    except TypeError:
        return sorted(labels, key=lambda v: (type(v).__name__, repr(v)))


def to_int_terms(poly: dimod.BinaryPolynomial) -> tuple[list, dict[Term, float], float]:
    """BINARY copy of ``poly`` as ``(labels, {sorted id tuple: coefficient}, offset)``.

    Zero coefficients are dropped; the constant term becomes the offset.
    """
    if not isinstance(poly, dimod.BinaryPolynomial):
        raise TypeError(
            f"hubo: expected a dimod.BinaryPolynomial, got {type(poly).__name__}; "
            "build one with dimod.BinaryPolynomial(terms, 'BINARY')"
        )
    labels = canonical_order(poly.variables)
    index = {v: i for i, v in enumerate(labels)}
    parts: dict[Term, list[float]] = {}
    spin = poly.vartype is dimod.SPIN
    for term, bias in poly.items():
        bias = float(bias)
        if not np.isfinite(bias):
            raise ValueError(f"hubo: coefficient of term {sorted(term, key=repr)} is {bias}; it must be finite")
        if bias == 0.0:
            continue
        key = tuple(sorted(index[v] for v in term))
        if not spin:
            parts.setdefault(key, []).append(bias)
            continue
        # prod(2x - 1) = sum over subsets S of 2^|S| (-1)^(|T|-|S|) x_S; every part is exact
        # (a power-of-two multiple), and fsum rounds their sum once, so the result does not
        # depend on the order terms arrive in (dimod's own to_binary does, via string hashes)
        k = len(key)
        for r in range(k + 1):
            part = bias * 2.0**r * (-1.0) ** (k - r)
            for sub in itertools.combinations(key, r):
                parts.setdefault(sub, []).append(part)
    terms: dict[Term, float] = {}
    offset = 0.0
    for key in sorted(parts, key=lambda t: (len(t), t)):
        c = math.fsum(parts[key])
        if c == 0.0:
            continue
        if key:
            terms[key] = c
        else:
            offset = c
    return labels, dict(sorted(terms.items())), offset


EVAL_CHUNK_BYTES = 64 * 2**20  # temporaries of one block of rows: bounded whatever the row count


def evaluate_terms(terms: Sequence[tuple[Term, float]], offset: float, X: np.ndarray) -> np.ndarray:
    """Energies of ``sum c * prod(X[:, t])`` for every row of the 0/1 matrix ``X``.

    Terms are grouped by degree so each group is one fancy-index, one product and one dot product.
    Rows go in blocks sized so a block's (rows x terms) temporaries stay within
    :data:`EVAL_CHUNK_BYTES`: evaluating 100,000 terms on all 2^17 rows at once needed ~100 GB.

    Examples:
        >>> import numpy as np
        >>> evaluate_terms([((0, 1), 2.0), ((2,), -1.0)], 0.5, np.array([[1, 1, 1], [1, 0, 1]]))
        array([ 1.5, -0.5])
    """
    X = np.asarray(X)
    out = np.full(X.shape[0], float(offset))
    by_degree: dict[int, tuple[list, list]] = {}
    for t, c in terms:
        idx, coef = by_degree.setdefault(len(t), ([], []))
        idx.append(t)
        coef.append(c)
    groups = [(d, np.asarray(idx, dtype=np.intp), np.asarray(coef, dtype=np.float64))
              for d, (idx, coef) in sorted(by_degree.items())]
    widest = max((len(coef) for _, _, coef in groups), default=1)
    rows = max(1, EVAL_CHUNK_BYTES // (10 * widest))  # a bool product and its float64 copy
    Xb = X.astype(bool, copy=False)
    for r0 in range(0, X.shape[0], rows):
        Xr = Xb[r0 : r0 + rows]
        for d, cols, coef in groups:
            prod = Xr[:, cols[:, 0]]
            for k in range(1, d):
                prod = prod & Xr[:, cols[:, k]]
            out[r0 : r0 + rows] += prod.astype(np.float64) @ coef
    return out
