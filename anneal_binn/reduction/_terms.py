"""Canonical integer form of a HUBO.

Private to :mod:`anneal_binn.reduction`. Every ordering decision made by the reducers is taken on
these integer ids, so the output never depends on ``PYTHONHASHSEED`` or on the order in which a
:class:`dimod.BinaryPolynomial` happens to store its terms.
"""
from __future__ import annotations

import dimod

from anneal_binn.hubo import as_hubo

Term = tuple[int, ...]


def to_int_terms(poly) -> tuple[list, dict[Term, float], float]:
    """BINARY copy of ``poly`` as ``(labels, {sorted id tuple: coefficient}, offset)``.

    Zero coefficients are dropped; the constant term becomes the offset. The dict view of the
    array form (:class:`anneal_binn.hubo.Hubo`), for callers that want plain tuples.

    Examples:
        >>> to_int_terms(dimod.BinaryPolynomial({("b", "a"): 1.0, (): 2.0}, "SPIN"))
        (['a', 'b'], {(0,): -2.0, (1,): -2.0, (0, 1): 4.0}, 3.0)
    """
    h = as_hubo(poly).to_binary()
    terms = h.to_dict()
    terms.pop((), None)
    return list(h.variables), terms, h.offset
