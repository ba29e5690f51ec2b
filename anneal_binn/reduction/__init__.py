"""HUBO -> QUBO reduction: exact gadgets, automatic penalties, verified ground states.

Examples:
    >>> import dimod
    >>> from anneal_binn.reduction import reduce
    >>> hubo = dimod.BinaryPolynomial({(0, 1, 2, 3): -1.0, (0, 1, 4): 0.5}, "BINARY")
    >>> bqm, red = reduce(hubo)
    >>> red.num_ancillas, bool(red.verify())
    (2, True)
"""
from __future__ import annotations

from anneal_binn.reduction.core import METHODS, reduce
from anneal_binn.reduction.record import Ancilla, Reduction, Verification

__all__ = ["METHODS", "Ancilla", "Reduction", "Verification", "reduce"]
