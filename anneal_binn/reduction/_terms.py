"""Canonical integer form of a HUBO.

Private to :mod:`anneal_binn.reduction`. Every ordering decision made by the reducers is taken on
these integer ids, so the output never depends on ``PYTHONHASHSEED`` or on the order in which a
:class:`dimod.BinaryPolynomial` happens to store its terms.
"""
from __future__ import annotations

import itertools
import math

import dimod
import numpy as np

from anneal_binn.polynomial import variable_order

Term = tuple[int, ...]


def to_int_terms(poly: dimod.BinaryPolynomial) -> tuple[list, dict[Term, float], float]:
    """BINARY copy of ``poly`` as ``(labels, {sorted id tuple: coefficient}, offset)``.

    Zero coefficients are dropped; the constant term becomes the offset.
    """
    if not isinstance(poly, dimod.BinaryPolynomial):
        raise TypeError(
            f"hubo: expected a dimod.BinaryPolynomial, got {type(poly).__name__}; "
            "build one with dimod.BinaryPolynomial(terms, 'BINARY')"
        )
    labels = variable_order(poly.variables)  # the package's one order
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
