"""Dense transforms between a function on {0,1}^n and its polynomial coefficients, and fast
evaluation of ``dimod.BinaryPolynomial`` objects.

Indexing: entry ``k`` of a dense vector is the assignment whose variable ``i`` is bit ``i`` of
``k``, and the coefficient of the monomial over the variable set ``S`` sits at the bitmask of
``S``. In SPIN form the spin of a variable is ``s = 2x - 1`` (bit 1 is spin +1).

- BINARY coefficients are the Möbius transform of the values (``x_i^2 = x_i``).
- SPIN coefficients are the Walsh–Hadamard (Fourier) transform (``s_i^2 = 1``).

Both are O(n 2^n) in-place butterflies.

Examples:
    >>> import numpy as np
    >>> values = np.array([0.0, 1.0, 1.0, 3.0])       # f(x0, x1) = x0 + x1 + x0*x1
    >>> mobius(values).tolist()
    [0.0, 1.0, 1.0, 1.0]
    >>> zeta(mobius(values)).tolist() == values.tolist()
    True
"""
from __future__ import annotations

import dimod
import numpy as np

from anneal_binn.errors import TooLargeError
from anneal_binn.memory import check_memory

DENSE_LIMIT = 30  # 2^30 float64 = 8 GiB: beyond that dense transforms are refused


def check_dense(n: int, limit: int = DENSE_LIMIT, what: str = "a dense transform") -> None:
    """Refuse, before allocating, a dense vector over 2^n assignments when n > limit."""
    if n > limit:
        need = 8 * 2**n
        raise TooLargeError(
            f"{what} over {n} variables needs 2^{n} = {2**n:,} values ({need / 2**30:,.1f} GiB); "
            f"the limit is {limit} variables. Use a truncated or symbolic HUBO and a heuristic solver."
        )


def _butterfly(a: np.ndarray, op) -> np.ndarray:
    n = a.size.bit_length() - 1
    if a.size != 1 << n:
        raise ValueError(f"length must be a power of two, got {a.size}")
    for i in range(n):
        v = a.reshape(-1, 2, 1 << i)
        op(v[:, 0, :], v[:, 1, :])
    return a


def mobius(values: np.ndarray) -> np.ndarray:
    """BINARY coefficients of the function given by its 2^n values."""
    a = np.array(values, dtype=np.float64)

    def op(lo, hi):
        hi -= lo

    return _butterfly(a, op)


def zeta(coefficients: np.ndarray) -> np.ndarray:
    """Values on all 2^n assignments of the BINARY polynomial with dense coefficients."""
    a = np.array(coefficients, dtype=np.float64)

    def op(lo, hi):
        hi += lo

    return _butterfly(a, op)


def fwht(values: np.ndarray) -> np.ndarray:
    """Unnormalized Walsh–Hadamard transform: out[S] = sum_x (-1)^{|S & x|} values[x]."""
    a = np.array(values, dtype=np.float64)

    def op(lo, hi):
        t = lo.copy()
        lo += hi
        np.subtract(t, hi, out=hi)

    return _butterfly(a, op)


def _parity_sign(n: int) -> np.ndarray:
    """(-1)^{popcount(k)} for k < 2^n."""
    return 1.0 - 2.0 * (popcount(np.arange(1 << n)) & 1)


def popcount(k: np.ndarray) -> np.ndarray:
    """Number of set bits of each entry (int64)."""
    k = np.asarray(k, dtype=np.int64)
    c = np.zeros_like(k)
    while True:
        nz = k != 0
        if not nz.any():
            return c
        c += nz
        k = k & (k - 1)


def spin_coefficients(values: np.ndarray) -> np.ndarray:
    """SPIN (Fourier) coefficients f_S with values[x] = sum_S f_S prod_{i in S} s_i(x)."""
    n = values.size.bit_length() - 1
    # prod s_i = (-1)^{|S|} (-1)^{S.x} because s_i = -(-1)^{x_i}.
    return fwht(values) * _parity_sign(n) / values.size


def spin_values(coefficients: np.ndarray) -> np.ndarray:
    """Inverse of :func:`spin_coefficients`."""
    n = coefficients.size.bit_length() - 1
    return fwht(coefficients * _parity_sign(n))


def dense_to_poly(coefficients: np.ndarray, vartype, variables=None, atol: float = 0.0) -> dimod.BinaryPolynomial:
    """Dense coefficients (bitmask-indexed) → ``dimod.BinaryPolynomial``; |c| <= atol dropped."""
    coefficients = np.asarray(coefficients, dtype=np.float64)
    n = coefficients.size.bit_length() - 1
    variables = list(range(n)) if variables is None else list(variables)
    keep = np.flatnonzero(np.abs(coefficients) > atol)
    check_memory(
        poly_bytes(keep.size, int(popcount(keep).sum())),
        f"a HUBO of {keep.size:,} terms over {n} variables",
        "truncate it (to_hubo(max_degree=..., threshold=...), or a larger rtol) or solve the landscape "
        "without a polynomial (exact, grover)",
    )
    bits = ((keep[:, None] >> np.arange(n)) & 1).astype(bool)
    terms = {}
    for mask_bits, c in zip(bits, coefficients[keep]):
        terms[tuple(variables[i] for i in np.flatnonzero(mask_bits))] = float(c)
    return dimod.BinaryPolynomial(terms, vartype)


def poly_bytes(num_terms: int, total_degree: int) -> float:
    """Peak bytes of building a ``dimod.BinaryPolynomial`` of ``num_terms`` terms from dense form.

    Per term: the ``(tuple, coefficient)`` entry built first and dimod's ``frozenset`` entry (a
    frozenset of more than 4 items is 728 bytes in CPython), measured with ``tracemalloc``.

    Examples:
        >>> poly_bytes(2**21, 21 * 2**20) / 1e9 > 1
        True
    """
    mean = total_degree / max(num_terms, 1)
    frozenset_bytes = 216 if mean <= 4 else (728 if mean <= 18 else 2264)
    return num_terms * (frozenset_bytes + 8 * mean + 320.0)


def poly_to_dense(poly: dimod.BinaryPolynomial, variables=None, limit: int = DENSE_LIMIT) -> np.ndarray:
    """``dimod.BinaryPolynomial`` → dense bitmask-indexed coefficients over ``variables``."""
    variables = sorted(poly.variables, key=_sort_key) if variables is None else list(variables)
    check_dense(len(variables), limit)
    pos = {v: i for i, v in enumerate(variables)}
    dense = np.zeros(1 << len(variables))
    for term, bias in poly.items():
        mask = 0
        for v in term:
            mask |= 1 << pos[v]
        dense[mask] += bias
    return dense


def dense_energies(poly: dimod.BinaryPolynomial, variables=None, limit: int = 26) -> np.ndarray:
    """Energy of every assignment (bit i of the index = ``variables[i]`` = 1 / spin +1)."""
    dense = poly_to_dense(poly, variables, limit)
    if poly.vartype is dimod.BINARY:
        return zeta(dense)
    return spin_values(dense)


def _sort_key(v):
    # Deterministic order for mixed labels (ints before strings), independent of hashing.
    return (0, v, "") if isinstance(v, (int, np.integer)) else (1, 0, str(v))


class CompiledPolynomial:
    """A polynomial stored as one (terms, degree) index matrix per degree, for fast evaluation.

    Examples:
        >>> p = dimod.BinaryPolynomial({(0, 1): 2.0, (2,): -1.0, (): 0.5}, "BINARY")
        >>> CompiledPolynomial(p, [0, 1, 2]).energies(np.array([[1, 1, 1], [1, 0, 1]])).tolist()
        [1.5, -0.5]
    """

    def __init__(self, poly: dimod.BinaryPolynomial, variables=None):
        self.vartype = poly.vartype
        self.variables = sorted(poly.variables, key=_sort_key) if variables is None else list(variables)
        pos = {v: i for i, v in enumerate(self.variables)}
        by_degree: dict[int, tuple[list, list]] = {}
        self.offset = 0.0
        for term, bias in poly.items():
            if len(term) == 0:
                self.offset += bias
                continue
            idx, coef = by_degree.setdefault(len(term), ([], []))
            idx.append(sorted(pos[v] for v in term))
            coef.append(bias)
        self.groups = [
            (np.asarray(idx, dtype=np.intp), np.asarray(coef, dtype=np.float64))
            for _, (idx, coef) in sorted(by_degree.items())
        ]

    def energies(self, samples: np.ndarray) -> np.ndarray:
        """Energies of samples (S, n) given in the polynomial's vartype, columns in ``variables`` order."""
        s = np.asarray(samples, dtype=np.float64)
        e = np.full(s.shape[0], self.offset)
        for idx, coef in self.groups:
            prod = s[:, idx[:, 0]]
            for j in range(1, idx.shape[1]):
                prod = prod * s[:, idx[:, j]]
            e += prod @ coef
        return e


def evaluate(poly: dimod.BinaryPolynomial, samples: np.ndarray, variables=None) -> np.ndarray:
    """Energies of ``samples`` (rows in the polynomial's vartype, columns in ``variables`` order)."""
    return CompiledPolynomial(poly, variables).energies(samples)
