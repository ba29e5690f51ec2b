"""Cost vectors ``C`` (length ``2**N``, bit ``i`` of the index = variable ``i``) from polynomials.

A ``dimod.BinaryPolynomial`` over the variables ``0..N-1`` is evaluated on all ``2**N``
assignments with a fast subset (BINARY) or Walsh (SPIN) transform, ``O(N 2**N)`` whatever the
number of terms, so a full Fourier HUBO of a landscape converts back in milliseconds.

Examples:
    >>> import dimod
    >>> poly = dimod.BinaryPolynomial({(0,): 1.0, (0, 1): -2.0, (): 0.5}, "BINARY")
    >>> cost_vector(poly).tolist()   # indices 0b00, 0b01 (x0=1), 0b10 (x1=1), 0b11
    [0.5, 1.5, 0.5, -0.5]
"""
from __future__ import annotations

import numpy as np

from anneal_binn.errors import TooLargeError

MAX_VARIABLES = 30


def polynomial_variables(poly) -> list:
    """The variables a cost vector of ``poly`` is indexed by: ``0..N-1`` when the labels are those ints."""
    labels = set(poly.variables)
    if all(isinstance(v, (int, np.integer)) for v in labels):
        n = (max(labels) + 1) if labels else 0
        return list(range(n))
    from anneal_binn.polynomial import variable_order

    return variable_order(labels)


def cost_vector(poly, num_variables: int | None = None, variables=None) -> np.ndarray:
    """Evaluate a ``dimod.BinaryPolynomial`` on every assignment.

    Args:
        poly: BINARY or SPIN polynomial. Integer labels ``0..N-1`` map to bits ``0..N-1``;
            other labels map to bits in sorted order (see :func:`polynomial_variables`).
        num_variables: N, when the polynomial does not mention the last variables.
        variables: explicit variable order (bit ``i`` = ``variables[i]``).

    Returns:
        float64 array of length ``2**N``; index bit ``i`` set means variable ``i`` is 1 (BINARY)
        or +1 (SPIN).
    """
    import dimod

    if not isinstance(poly, dimod.BinaryPolynomial):
        raise TypeError(f"poly: expected a dimod.BinaryPolynomial, got {type(poly).__name__}")
    order = list(variables) if variables is not None else polynomial_variables(poly)
    if num_variables is not None:
        if variables is None and len(order) > num_variables:
            raise ValueError(f"num_variables: {num_variables} is less than the polynomial's {len(order)} variables")
        order = order + list(range(len(order), num_variables)) if variables is None else order
    n = len(order)
    if n > MAX_VARIABLES:
        raise TooLargeError(f"cost vector over {n} variables needs {8 * 2.0**n / 2**30:.0f} GiB (limit {MAX_VARIABLES})")
    pos = {v: i for i, v in enumerate(order)}
    a = np.zeros(2**n, dtype=np.float64)
    for term, bias in poly.items():
        mask = 0
        for v in term:
            if v not in pos:
                raise ValueError(f"variables: {v!r} of the polynomial is not in the variable order")
            mask |= 1 << pos[v]
        a[mask] += bias
    spin = poly.vartype is dimod.SPIN
    for i in range(n):
        view = a.reshape(-1, 2, 2**i)
        lo, hi = view[:, 0, :], view[:, 1, :]
        if spin:
            # value at s_i=+1 (bit 1): lo + hi; at s_i=-1 (bit 0): lo - hi
            new_hi = lo + hi
            lo -= hi
            view[:, 1, :] = new_hi
        else:
            hi += lo
    return a
