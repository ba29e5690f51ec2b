"""Numeric engine for exact multilinear expansion, vectorized over training samples.

A loss such as ``sum_mu (p(z_mu) - y_mu)**2`` with ``z_mu = sum_i X[mu, i] s_i + b_mu`` is a
polynomial in the spins ``s`` (``s**2 = 1``) or bits ``x`` (``x**2 = x``). ``sympy.expand`` and
PyQUBO build it term by term in Python objects; here it is built on coefficient arrays:

* a monomial is a bitset (``W = ceil(n / 64)`` uint64 words per monomial), so multiplying two
  monomials is one XOR (spins: ``s**2 = 1``) or one OR (bits: ``x**2 = x``);
* a :class:`BatchPoly` holds one polynomial per training sample over a shared list of
  monomials: ``coef`` has shape ``(P, T)``;
* the sum over samples of a product, ``sum_mu w_mu A_mu B_mu``, is one matrix product
  ``A.T @ diag(w) @ B`` of shape ``(T_A, T_B)`` followed by one scatter of its entries onto the
  products of the monomial pairs (:func:`contract`); this is where the cost of a squared loss
  goes, and it runs in BLAS.

Results are :class:`SparsePoly` (plain arrays, one polynomial) and become a
``dimod.BinaryPolynomial`` only at the API boundary (:meth:`SparsePoly.to_binary_polynomial`).

Examples:
    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [3.0, -1.0]])
    >>> z = BatchPoly.linear(X, np.zeros(2), [0, 1], num_variables=2, vartype="SPIN")
    >>> loss = sum_loss(z, np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]))  # sum_mu z_mu**2
    >>> sorted(loss.to_dict().items())
    [((), 15.0), ((0, 1), -2.0)]
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Sequence

import numpy as np

from anneal_binn.errors import TooLargeError

SPIN = "SPIN"
BINARY = "BINARY"

#: default refusal threshold on the number of terms of a result (or of an intermediate).
DEFAULT_MAX_TERMS = 20_000_000
# bytes one dense intermediate may take before the work is split into chunks
_CHUNK_BYTES = 64 * 2**20
# monomial bitsets below this value are merged with a dense table instead of a sort
_DENSE_LIMIT = 2**26


def _check_vartype(vartype) -> str:
    name = getattr(vartype, "name", vartype)
    if name not in (SPIN, BINARY):
        raise ValueError(f"vartype: must be 'SPIN' or 'BINARY', got {vartype!r}")
    return name


def num_words(num_variables: int) -> int:
    """Number of uint64 words a monomial bitset over ``num_variables`` variables takes."""
    return max(1, (int(num_variables) + 63) // 64)


def monomial_bound(num_support: int, degree: int) -> int:
    """Upper bound on the terms of a multilinear polynomial: ``sum_{k<=degree} C(n, k)``.

    Examples:
        >>> monomial_bound(20, 6)
        60460
    """
    return sum(comb(int(num_support), k) for k in range(0, min(int(degree), int(num_support)) + 1))


def _refuse(predicted: int, max_terms: int | None, what: str) -> None:
    if max_terms is not None and predicted > max_terms:
        raise TooLargeError(
            f"{what} would create up to {predicted:,} terms (limit max_terms={max_terms:,}); "
            "lower the activation or loss degree, shrink the data or the net, or raise max_terms"
        )


# ---------------------------------------------------------------------------------------------
# bitset helpers


def _unit_keys(variables: Sequence[int], words: int) -> np.ndarray:
    keys = np.zeros((len(variables), words), dtype=np.uint64)
    for row, v in enumerate(variables):
        keys[row, v // 64] = np.uint64(1) << np.uint64(v % 64)
    return keys


def _combine(a: np.ndarray, b: np.ndarray, vartype: str) -> np.ndarray:
    """Products of every monomial of ``a`` with every one of ``b``: shape (len(a)*len(b), W)."""
    if vartype == SPIN:
        out = a[:, None, :] ^ b[None, :, :]
    else:
        out = a[:, None, :] | b[None, :, :]
    return out.reshape(-1, a.shape[1])


def _unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique monomials and the inverse index (deterministic: a numeric sort).

    Multi-word bitsets are first hashed to one uint64 (fast integer sort); the hash is then
    checked against the rows and a lexicographic sort is used only if two rows collide.
    """
    if keys.shape[1] == 1:
        flat = keys[:, 0]
        top = int(flat.max()) if len(flat) else 0
        if top < _DENSE_LIMIT and len(flat) > top // 64:
            # few variables: a dense table replaces the sort (linear time)
            seen = np.zeros(top + 1, dtype=bool)
            seen[flat] = True
            uniq = np.flatnonzero(seen).astype(np.uint64)
            rank = np.cumsum(seen, dtype=np.int64) - 1
            return uniq.reshape(-1, 1), rank[flat]
        uniq, inv = np.unique(flat, return_inverse=True)
        return uniq.reshape(-1, 1), inv.reshape(-1)
    keys = np.ascontiguousarray(keys)
    h = keys[:, 0].copy()
    for w in range(1, keys.shape[1]):
        h *= np.uint64(0x9E3779B97F4A7C15)  # wraps modulo 2**64 by design
        h ^= keys[:, w]
    # one unstable sort of the hashes (np.unique's return_index forces a slower stable one); the
    # representative of equal hashes is checked to equal every row below, so any one will do
    order = np.argsort(h)
    hs = h[order]
    new = np.empty(hs.size, dtype=bool)
    new[:1] = True
    np.not_equal(hs[1:], hs[:-1], out=new[1:])
    group = np.cumsum(new) - 1
    inv = np.empty(h.size, dtype=np.int64)
    inv[order] = group
    uniq = keys[order[new]]
    if np.array_equal(uniq[inv], keys):
        return uniq, inv.reshape(-1)
    void = keys.view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1]))).reshape(-1)
    uniq, inv = np.unique(void, return_inverse=True)
    return uniq.view(np.uint64).reshape(-1, keys.shape[1]), inv.reshape(-1)


def _scatter(inv: np.ndarray, size: int, coef: np.ndarray) -> np.ndarray:
    """Sum the columns of ``coef`` (P, n) that share an inverse index: (P, size)."""
    if coef.shape[0] == 1:
        return np.bincount(inv, weights=coef[0], minlength=size).reshape(1, -1)
    from scipy import sparse

    m = sparse.csr_matrix(
        (np.ones(len(inv)), (np.arange(len(inv)), inv)), shape=(len(inv), size)
    )
    return np.asarray((m.T @ coef.T).T)


def degrees(keys: np.ndarray) -> np.ndarray:
    """Degree of each monomial (popcount of its bitset)."""
    return np.bitwise_count(keys).sum(axis=1).astype(np.int64)


def keys_to_tuples(keys: np.ndarray) -> list[tuple[int, ...]]:
    """Sorted variable-index tuples of bitset monomials (the constant is ``()``)."""
    t, w = keys.shape
    bits = np.unpackbits(np.ascontiguousarray(keys).astype("<u8").view(np.uint8), bitorder="little")
    bits = bits.reshape(t, 64 * w).astype(bool)
    deg = bits.sum(axis=1)
    out: list = [None] * t
    for k in np.unique(deg).tolist():
        rows = np.flatnonzero(deg == k)
        cols = np.nonzero(bits[rows])[1].reshape(len(rows), k)
        for r, tup in zip(rows.tolist(), map(tuple, cols.tolist())):
            out[r] = tup
    return out


def tuples_to_keys(terms: Sequence[Sequence[int]], num_variables: int) -> np.ndarray:
    """Bitset monomials of index tuples (repeated indices are not reduced here; pass sets)."""
    keys = np.zeros((len(terms), num_words(num_variables)), dtype=np.uint64)
    for row, term in enumerate(terms):
        for v in term:
            keys[row, v // 64] |= np.uint64(1) << np.uint64(v % 64)
    return keys


# ---------------------------------------------------------------------------------------------
# one polynomial


@dataclass(frozen=True)
class SparsePoly:
    """One multilinear polynomial as arrays: ``sum_t coef[t] * prod_{i in keys[t]} v_i``.

    Attributes:
        keys: (T, W) uint64 bitsets of the monomials, unique, sorted.
        coef: (T,) float64 coefficients.
        num_variables: variables are the ints ``0..num_variables-1``.
        vartype: ``"SPIN"`` (values ±1) or ``"BINARY"`` (values 0/1).

    Examples:
        >>> p = SparsePoly.from_dict({(0, 1): 2.0, (): 1.0}, num_variables=2, vartype="SPIN")
        >>> p.evaluate(np.array([[1, 0], [1, 1]], dtype=np.uint8)).tolist()  # bits -> spins
        [-1.0, 3.0]
    """

    keys: np.ndarray
    coef: np.ndarray
    num_variables: int
    vartype: str

    @classmethod
    def from_dict(cls, terms: dict, num_variables: int, vartype: str) -> "SparsePoly":
        """Build from ``{index tuple: coef}``; repeated terms are summed."""
        vartype = _check_vartype(vartype)
        items = sorted((tuple(sorted(set(k))), float(v)) for k, v in terms.items())
        keys = tuples_to_keys([k for k, _ in items], num_variables)
        coef = np.array([v for _, v in items], dtype=np.float64)
        if len(items) == 0:
            return cls(np.zeros((0, num_words(num_variables)), np.uint64), coef, num_variables, vartype)
        uniq, inv = _unique_rows(keys)
        return cls(uniq, np.bincount(inv, weights=coef, minlength=len(uniq)), num_variables, vartype)

    @property
    def num_terms(self) -> int:
        return int(self.keys.shape[0])

    @property
    def degree(self) -> int:
        return int(degrees(self.keys).max()) if self.num_terms else 0

    def terms(self) -> list[tuple[int, ...]]:
        """Monomials as sorted index tuples, aligned with :attr:`coef`."""
        return keys_to_tuples(self.keys)

    def to_dict(self) -> dict[tuple[int, ...], float]:
        return dict(zip(self.terms(), self.coef.tolist()))

    def pruned(self, threshold: float = 0.0) -> "SparsePoly":
        """Drop the terms with ``|coef| <= threshold``."""
        keep = np.abs(self.coef) > threshold
        return SparsePoly(self.keys[keep], self.coef[keep], self.num_variables, self.vartype)

    def to_binary_polynomial(self, variables: Sequence | None = None):
        """The ``dimod.BinaryPolynomial`` (labels ``variables[i]``, default the ints)."""
        import dimod

        terms = self.terms()
        if variables is not None:
            labels = list(variables)
            terms = [tuple(labels[i] for i in t) for t in terms]
        poly = dimod.BinaryPolynomial({}, self.vartype)
        if isinstance(getattr(poly, "_terms", None), dict):
            # our terms are already unique and reduced: skip dimod's per-term aggregation,
            # which dominates the cost at a million terms
            poly._terms = dict(zip(map(frozenset, terms), self.coef.tolist()))
            return poly
        return dimod.BinaryPolynomial(dict(zip(terms, self.coef.tolist())), self.vartype)

    def to_hubo(self, variables: Sequence | None = None):
        """The :class:`anneal_binn.hubo.Hubo` (sorted index arrays per degree), built from the
        bitsets without a Python object per term.

        Examples:
            >>> SparsePoly.from_dict({(0, 1): 2.0, (): 1.0}, 2, "SPIN").to_hubo().to_dict()
            {(0, 1): 2.0, (): 1.0}
        """
        from anneal_binn.hubo import Hubo

        return Hubo.from_bitsets(self.keys, self.coef, self.num_variables, self.vartype, variables)

    def evaluate(self, bits: np.ndarray, block: int = 2**21) -> np.ndarray:
        """Values on configurations ``bits`` (C, n) of 0/1 (for SPIN, bit 1 is spin +1).

        Vectorized over configurations and terms with popcounts on the bitsets, in blocks of
        about ``block`` (configuration, term) pairs.
        """
        bits = np.asarray(bits, dtype=np.uint8)
        if bits.ndim != 2 or bits.shape[1] != self.num_variables:
            raise ValueError(f"bits: expected shape (C, {self.num_variables}), got {bits.shape}")
        w = self.keys.shape[1]
        pad = np.zeros((bits.shape[0], 64 * w), dtype=np.uint8)
        src = bits if self.vartype == BINARY else 1 - bits  # SPIN: mark the -1 spins
        pad[:, : self.num_variables] = src
        packed = np.packbits(pad, axis=1, bitorder="little").view("<u8").astype(np.uint64)
        out = np.zeros(bits.shape[0])
        n_t = max(1, min(self.num_terms, 4096))
        n_c = max(1, block // n_t)
        for t0 in range(0, self.num_terms, n_t):
            k = self.keys[t0: t0 + n_t]
            c = self.coef[t0: t0 + n_t]
            for c0 in range(0, bits.shape[0], n_c):
                pk = packed[c0: c0 + n_c]
                if self.vartype == SPIN:
                    acc = np.zeros((len(pk), len(k)), dtype=np.uint8)
                    for j in range(w):
                        acc += np.bitwise_count(pk[:, j, None] & k[None, :, j])
                    out[c0: c0 + n_c] += (1.0 - 2.0 * (acc & 1)) @ c
                else:
                    miss = np.zeros((len(pk), len(k)), dtype=bool)
                    for j in range(w):
                        miss |= (k[None, :, j] & ~pk[:, j, None]) != 0
                    out[c0: c0 + n_c] += (~miss).astype(np.float64) @ c
        return out


# ---------------------------------------------------------------------------------------------
# one polynomial per sample


class BatchPoly:
    """``P`` polynomials (one per sample) over one shared, sorted list of monomials.

    Attributes:
        keys: (T, W) uint64 bitsets, unique.
        coef: (P, T) float64; ``P == 1`` means the same polynomial for every sample.
        num_variables: variables are the ints ``0..num_variables-1``.
        vartype: ``"SPIN"`` or ``"BINARY"``.
        max_terms: intermediates predicted to exceed this raise ``TooLargeError``.

    Examples:
        >>> z = BatchPoly.linear(np.array([[1.0, 1.0]]), np.array([0.5]), [0, 1], 2, "SPIN")
        >>> sorted((z * z).sum_samples().to_dict().items())
        [((), 2.25), ((0,), 1.0), ((0, 1), 2.0), ((1,), 1.0)]
    """

    __slots__ = ("keys", "coef", "num_variables", "vartype", "max_terms")

    def __init__(self, keys, coef, num_variables: int, vartype: str, max_terms: int | None = DEFAULT_MAX_TERMS):
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
        self.num_variables = int(num_variables)
        self.vartype = _check_vartype(vartype)
        self.max_terms = max_terms
        if self.coef.shape[1] != self.keys.shape[0]:
            raise ValueError(f"coef: {self.coef.shape[1]} columns for {self.keys.shape[0]} monomials")

    # constructors ------------------------------------------------------------------------
    @classmethod
    def constant(cls, values, num_variables: int, vartype: str, **kw) -> "BatchPoly":
        """A constant per sample (array (P,)) or for all (scalar)."""
        values = np.atleast_1d(np.asarray(values, dtype=np.float64)).reshape(-1, 1)
        return cls(np.zeros((1, num_words(num_variables)), np.uint64), values, num_variables, vartype, **kw)

    @classmethod
    def spin(cls, variable: int, num_variables: int, vartype: str, **kw) -> "BatchPoly":
        """The spin value ``2x - 1`` of one variable (``s`` itself when SPIN)."""
        return cls.linear(np.ones((1, 1)), np.zeros(1), [variable], num_variables, vartype, **kw)

    @classmethod
    def bit(cls, variable: int, num_variables: int, vartype: str, **kw) -> "BatchPoly":
        """The bit value ``(1 + s) / 2`` of one variable (``x`` itself when BINARY)."""
        s = cls.spin(variable, num_variables, vartype, **kw)
        return s * 0.5 + 0.5

    @classmethod
    def linear(
        cls, X, const, variables: Sequence[int], num_variables: int, vartype: str, **kw
    ) -> "BatchPoly":
        """``z_mu = sum_i X[mu, i] * spin(variables[i]) + const[mu]``, spins valued ±1.

        In BINARY form the spin ``2x - 1`` is substituted, so the same call works for both.
        """
        vartype = _check_vartype(vartype)
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        const = np.broadcast_to(np.asarray(const, dtype=np.float64), (X.shape[0],))
        variables = [int(v) for v in variables]
        if X.shape[1] != len(variables):
            raise ValueError(f"X: {X.shape[1]} columns for {len(variables)} variables")
        if len(set(variables)) != len(variables):
            raise ValueError("variables: must be distinct (sum repeated columns first)")
        if any(v < 0 or v >= num_variables for v in variables):
            raise ValueError(f"variables: must lie in 0..{num_variables - 1}")
        words = num_words(num_variables)
        keys = np.vstack([np.zeros((1, words), np.uint64), _unit_keys(variables, words)])
        if vartype == SPIN:
            coef = np.hstack([const[:, None], X])
        else:
            coef = np.hstack([(const - X.sum(axis=1))[:, None], 2.0 * X])
        order = np.lexsort(keys.T[::-1])
        return cls(keys[order], coef[:, order], num_variables, vartype, **kw)

    # basic facts ---------------------------------------------------------------------------
    @property
    def num_samples(self) -> int:
        return int(self.coef.shape[0])

    @property
    def num_terms(self) -> int:
        return int(self.keys.shape[0])

    @property
    def degree(self) -> int:
        return int(degrees(self.keys).max()) if self.num_terms else 0

    def support_size(self) -> int:
        """Number of distinct variables the polynomial depends on."""
        if self.num_terms == 0:
            return 0
        acc = np.bitwise_or.reduce(self.keys, axis=0)
        return int(np.bitwise_count(acc).sum())

    def _like(self, keys, coef) -> "BatchPoly":
        return BatchPoly(keys, coef, self.num_variables, self.vartype, self.max_terms)

    def _check_other(self, other: "BatchPoly") -> None:
        if other.vartype != self.vartype or other.num_variables != self.num_variables:
            raise ValueError("operands: vartype and num_variables must match")
        if self.num_samples != other.num_samples and 1 not in (self.num_samples, other.num_samples):
            raise ValueError(f"operands: {self.num_samples} vs {other.num_samples} samples")

    def _bound(self, other: "BatchPoly") -> int:
        support = int(np.bitwise_count(
            np.bitwise_or.reduce(np.vstack([self.keys, other.keys]), axis=0)).sum())
        return min(self.num_terms * other.num_terms, monomial_bound(support, self.degree + other.degree))

    # arithmetic ----------------------------------------------------------------------------
    def __add__(self, other) -> "BatchPoly":
        if not isinstance(other, BatchPoly):
            other = BatchPoly.constant(other, self.num_variables, self.vartype)
        self._check_other(other)
        p = max(self.num_samples, other.num_samples)
        keys = np.vstack([self.keys, other.keys])
        coef = np.hstack([np.broadcast_to(self.coef, (p, self.num_terms)),
                          np.broadcast_to(other.coef, (p, other.num_terms))])
        uniq, inv = _unique_rows(keys)
        return self._like(uniq, _scatter(inv, len(uniq), coef))

    __radd__ = __add__

    def __neg__(self) -> "BatchPoly":
        return self._like(self.keys, -self.coef)

    def __sub__(self, other) -> "BatchPoly":
        return self + (-other)

    def __rsub__(self, other) -> "BatchPoly":
        return (-self) + other

    def scale(self, factor) -> "BatchPoly":
        """Multiply by a scalar or by one number per sample (array (P,))."""
        factor = np.asarray(factor, dtype=np.float64)
        if factor.ndim == 0:
            return self._like(self.keys, self.coef * factor)
        return self._like(self.keys, self.coef * factor.reshape(-1, 1))

    def __mul__(self, other) -> "BatchPoly":
        if not isinstance(other, BatchPoly):
            return self.scale(other)
        self._check_other(other)
        _refuse(self._bound(other), self.max_terms, "this product")
        pair_keys = _combine(self.keys, other.keys, self.vartype)
        uniq, inv = _unique_rows(pair_keys)
        p = max(self.num_samples, other.num_samples)
        out = np.empty((p, len(uniq)))
        per_sample = 8 * self.num_terms * other.num_terms
        step = max(1, _CHUNK_BYTES // max(per_sample, 1))
        a = np.broadcast_to(self.coef, (p, self.num_terms))
        b = np.broadcast_to(other.coef, (p, other.num_terms))
        for s in range(0, p, step):
            pair = (a[s: s + step, :, None] * b[s: s + step, None, :]).reshape(-1, len(inv))
            out[s: s + step] = _scatter(inv, len(uniq), pair)
        return self._like(uniq, out).pruned(0.0)

    __rmul__ = __mul__

    def power(self, n: int) -> "BatchPoly":
        """``self ** n`` by repeated multiplication (n >= 0)."""
        if n < 0:
            raise ValueError(f"n: must be >= 0, got {n}")
        out = BatchPoly.constant(1.0, self.num_variables, self.vartype, max_terms=self.max_terms)
        for _ in range(n):
            out = out * self
        return out

    def apply(self, coeffs) -> "BatchPoly":
        """``p(self)`` for a univariate polynomial ``p(t) = sum_k coeffs[..., k] t**k``.

        ``coeffs`` is (K+1,) for one polynomial or (P, K+1) for one per sample. Horner's rule:
        every step multiplies by ``self`` and adds a constant.
        """
        coeffs = np.atleast_2d(np.asarray(coeffs, dtype=np.float64))
        nonzero = np.flatnonzero(np.any(coeffs != 0.0, axis=0))
        coeffs = coeffs[:, : (nonzero[-1] + 1 if len(nonzero) else 1)]  # a zero top coefficient is no degree
        out = BatchPoly.constant(coeffs[:, -1], self.num_variables, self.vartype, max_terms=self.max_terms)
        for k in range(coeffs.shape[1] - 2, -1, -1):
            out = out * self + BatchPoly.constant(coeffs[:, k], self.num_variables, self.vartype)
        return out

    def pruned(self, threshold: float = 0.0) -> "BatchPoly":
        """Drop monomials whose coefficient is ``<= threshold`` in absolute value on every sample."""
        keep = np.abs(self.coef).max(axis=0) > threshold
        return self._like(self.keys[keep], self.coef[:, keep])

    # reductions over samples ---------------------------------------------------------------
    def sum_samples(self, weights=None) -> SparsePoly:
        """``sum_mu weights[mu] * self_mu`` as one :class:`SparsePoly`."""
        w = np.ones(self.num_samples) if weights is None else np.asarray(weights, dtype=np.float64)
        coef = w @ self.coef if self.num_samples > 1 else self.coef[0] * w.sum()
        return SparsePoly(self.keys.copy(), np.asarray(coef, dtype=np.float64), self.num_variables, self.vartype)


def contract(a: BatchPoly, b: BatchPoly, weights=None) -> SparsePoly:
    """``sum_mu weights[mu] * a_mu * b_mu`` without forming the per-sample products.

    The sum over samples is one matrix product (T_a, P) @ (P, T_b); its entries are then
    scattered onto the products of the monomial pairs, in row blocks to bound memory.

    Examples:
        >>> z = BatchPoly.linear(np.array([[1.0, 2.0], [3.0, -1.0]]), np.zeros(2), [0, 1], 2, "SPIN")
        >>> sorted(contract(z, z).to_dict().items())
        [((), 15.0), ((0, 1), -2.0)]
    """
    a._check_other(b)
    _refuse(a._bound(b), a.max_terms, "this contraction")
    p = max(a.num_samples, b.num_samples)
    w = np.ones(p) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (p,):
        raise ValueError(f"weights: expected shape ({p},), got {w.shape}")
    A = np.broadcast_to(a.coef, (p, a.num_terms))
    B = np.broadcast_to(b.coef, (p, b.num_terms))
    bw = B * w[:, None]
    symmetric = b is a  # sum_mu w a_mu**2: only pairs i <= j, off-diagonal doubled
    row_bytes = b.num_terms * (8 + 8 * a.keys.shape[1] + 8)
    step = max(1, (4 * _CHUNK_BYTES) // max(row_bytes, 1))
    parts_keys, parts_coef = [], []
    for s in range(0, a.num_terms, step):
        e = min(s + step, a.num_terms)
        lo = s if symmetric else 0
        g = A[:, s:e].T @ bw[:, lo:]  # (rows, cols) block of the weighted Gram matrix
        if symmetric:  # keep j > i doubled and j == i once; the block's lower triangle is dropped
            g *= 2.0
            tri = g[:, : e - s]
            tri[np.tril_indices(e - s, -1)] = 0.0
            tri[np.diag_indices(e - s)] *= 0.5
        pair = _combine(a.keys[s:e], b.keys[lo:], a.vartype)
        uniq, inv = _unique_rows(pair)
        parts_keys.append(uniq)
        parts_coef.append(np.bincount(inv, weights=g.reshape(-1), minlength=len(uniq)))
    if len(parts_keys) == 1:
        keys, coef = parts_keys[0], parts_coef[0]
    else:
        uniq, inv = _unique_rows(np.vstack(parts_keys))
        keys, coef = uniq, np.bincount(inv, weights=np.concatenate(parts_coef), minlength=len(uniq))
    return SparsePoly(keys, coef, a.num_variables, a.vartype).pruned(0.0)


def add_sparse(*polys: SparsePoly) -> SparsePoly:
    """Sum of :class:`SparsePoly` over the same variables and vartype."""
    if not polys:
        raise ValueError("polys: need at least one polynomial")
    first = polys[0]
    for p in polys[1:]:
        if p.vartype != first.vartype or p.num_variables != first.num_variables:
            raise ValueError("polys: vartype and num_variables must match")
    uniq, inv = _unique_rows(np.vstack([p.keys for p in polys]))
    coef = np.bincount(inv, weights=np.concatenate([p.coef for p in polys]), minlength=len(uniq))
    return SparsePoly(uniq, coef, first.num_variables, first.vartype).pruned(0.0)


def sum_loss(f: BatchPoly, loss_coeffs, weights=None) -> SparsePoly:
    """``sum_mu weights[mu] * sum_k loss_coeffs[mu, k] * f_mu**k`` exactly.

    The top part is one :func:`contract` of ``f**a`` with ``sum_{k>=a} c_k f**(k-a)``
    (``a = ceil(K/2)``), so a squared loss never forms the per-sample squares.

    Args:
        f: the network output, one polynomial per sample.
        loss_coeffs: (P, K+1) or (K+1,) coefficients of the loss as a polynomial in ``f``; for
            MSE against targets ``y``: ``[y**2, -2y, 1]``.
        weights: optional (P,) sample weights (e.g. ``1/P`` for a mean).
    """
    c = np.atleast_2d(np.asarray(loss_coeffs, dtype=np.float64))
    p = f.num_samples if c.shape[0] == 1 else c.shape[0]
    c = np.broadcast_to(c, (p, c.shape[1]))
    w = np.ones(p) if weights is None else np.asarray(weights, dtype=np.float64)
    K = c.shape[1] - 1
    if K == 2 and np.all(c[:, 2] > 0) and np.allclose(c[:, 1] ** 2, 4 * c[:, 0] * c[:, 2], rtol=1e-12, atol=0):
        # a perfect square c2 (f - t)**2 (MSE): one symmetric contraction, half the pairs
        g = f + BatchPoly.constant(c[:, 1] / (2 * c[:, 2]), f.num_variables, f.vartype)
        return contract(g, g, w * c[:, 2])
    if K == 0:
        return BatchPoly.constant(c[:, 0], f.num_variables, f.vartype).sum_samples(w)
    a = (K + 1) // 2
    fa = f.power(a)
    rest = BatchPoly.constant(c[:, K], f.num_variables, f.vartype, max_terms=f.max_terms)
    for k in range(K - 1, a - 1, -1):  # Horner for sum_{k>=a} c_k f**(k-a)
        rest = rest * f + BatchPoly.constant(c[:, k], f.num_variables, f.vartype)
    parts = [contract(fa, rest, w)]
    if a > 0:
        low = BatchPoly.constant(c[:, a - 1], f.num_variables, f.vartype, max_terms=f.max_terms)
        for k in range(a - 2, -1, -1):
            low = low * f + BatchPoly.constant(c[:, k], f.num_variables, f.vartype)
        parts.append(low.sum_samples(w))
    return add_sparse(*parts)
