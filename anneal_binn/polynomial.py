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

from dataclasses import dataclass

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
    """Dense coefficients (bitmask-indexed) → ``dimod.BinaryPolynomial``; |c| <= atol dropped.

    Goes through the array form (:meth:`anneal_binn.hubo.Hubo.from_dense`); only the final
    dict of frozensets is per-term Python work.
    """
    from anneal_binn.hubo import Hubo

    coefficients = np.asarray(coefficients, dtype=np.float64)
    n = coefficients.size.bit_length() - 1
    keep = np.flatnonzero(np.abs(coefficients) > atol)
    check_memory(
        poly_bytes(keep.size, int(popcount(keep).sum())),
        f"a HUBO of {keep.size:,} terms over {n} variables",
        "truncate it (to_hubo(max_degree=..., threshold=...), or a larger rtol) or solve the landscape "
        "without a polynomial (exact, grover)",
    )
    return Hubo.from_dense(coefficients, vartype, variables, atol).to_polynomial(keep_variables=False)


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
    variables = variable_order(poly.variables) if variables is None else list(variables)
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


def label_key(v):
    """Sort key of a variable label: the package's one variable order.

    Integers (and other real numbers) ascending, so for integer labels bit ``i`` of a dense index
    is variable ``i``; then strings, lexicographically; then tuples, element by element with this
    same key; then frozensets, by their sorted elements; then anything else by its type's qualified
    name and ``repr``. Never by hash, so the order is the same under every ``PYTHONHASHSEED``.

    Examples:
        >>> sorted([(10, "a"), "b", 10, (2, "b"), 9, "a", 2.5], key=label_key)
        [2.5, 9, 10, 'a', 'b', (2, 'b'), (10, 'a')]
    """
    if isinstance(v, (bool, int, float, np.integer, np.floating)):
        return (0, v, "")
    if isinstance(v, str):
        return (1, 0, v)
    if isinstance(v, tuple):
        return (2, 0, tuple(label_key(x) for x in v))
    if isinstance(v, frozenset):
        return (3, 0, tuple(sorted(label_key(x) for x in v)))
    return (4, 0, (f"{type(v).__module__}.{type(v).__qualname__}", repr(v)))


_sort_key = label_key  # the name solvers/exact.py imports


def variable_order(labels) -> list:
    """``labels`` in the package's one variable order (see :func:`label_key`).

    Every component that numbers variables -- dense transforms, the compiled evaluator and the
    annealers built on it, reductions, exporters -- uses this order.

    Examples:
        >>> variable_order({"x10", "x9", 3, 1})
        [1, 3, 'x10', 'x9']
    """
    return sorted(labels, key=label_key)


EVAL_CHUNK_BYTES = 64 * 2**20  # temporaries of one block of rows: bounded whatever the row count


@dataclass(frozen=True)
class CompiledPolynomial:
    """A HUBO in flat arrays: the one evaluator, also the form the annealing kernels work on.

    Attributes:
        variables: original labels; column ``j`` of a sample array is ``variables[j]``.
        spin: True for a SPIN polynomial (values -1/+1), False for BINARY (0/1).
        offset: the constant term.
        coef: (T,) float64 bias of each non-constant term.
        term_ptr: (T+1,) int64; term ``t`` holds ``term_vars[term_ptr[t]:term_ptr[t+1]]``.
        term_vars: flat int32 variable indices of every term.
        var_ptr: (n+1,) int64; variable ``i`` is in terms ``var_terms[var_ptr[i]:var_ptr[i+1]]``.
        var_terms: flat int32 term indices (the term adjacency used for local-field updates).

    Examples:
        >>> p = dimod.BinaryPolynomial({(0, 1): 2.0, (2,): -1.0, (): 0.5}, "BINARY")
        >>> CompiledPolynomial.from_polynomial(p).energies(np.array([[1, 1, 1], [1, 0, 1]])).tolist()
        [1.5, -0.5]
    """

    variables: tuple
    spin: bool
    offset: float
    coef: np.ndarray
    term_ptr: np.ndarray
    term_vars: np.ndarray
    var_ptr: np.ndarray
    var_terms: np.ndarray

    @property
    def num_variables(self) -> int:
        return len(self.variables)

    @property
    def num_terms(self) -> int:
        return len(self.coef)

    @classmethod
    def from_polynomial(cls, poly: dimod.BinaryPolynomial, variables=None) -> "CompiledPolynomial":
        """Compile ``poly``; columns in ``variables`` order (default :func:`variable_order`).

        Goes through the array form (:class:`anneal_binn.hubo.Hubo`); the arrays are those
        :meth:`from_terms` builds from the same terms.
        """
        from anneal_binn.hubo import Hubo

        return cls.from_hubo(Hubo.from_polynomial(poly, variables))

    @classmethod
    def from_terms(cls, terms, offset: float, variables, spin: bool = False) -> "CompiledPolynomial":
        """Compile ``[(variable index tuple, coefficient), ...]`` over ``variables`` (columns).

        Examples:
            >>> cp = CompiledPolynomial.from_terms([((0, 2), 1.0)], 0.0, ["a", "b", "c"])
            >>> cp.energies(np.array([[1, 0, 1], [1, 1, 0]])).tolist()
            [1.0, 0.0]
        """
        terms = sorted((tuple(t), float(c)) for t, c in terms)  # independent of construction order
        n = len(variables)
        coef = np.array([c for _, c in terms], dtype=np.float64)
        sizes = np.array([len(t) for t, _ in terms], dtype=np.int64)
        term_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(sizes, out=term_ptr[1:])
        term_vars = np.fromiter((v for t, _ in terms for v in t), dtype=np.int32, count=int(sizes.sum()))
        term_ids = np.repeat(np.arange(len(terms), dtype=np.int32), sizes)
        order = np.argsort(term_vars, kind="stable")
        var_terms = term_ids[order].astype(np.int32)
        counts = np.bincount(term_vars, minlength=n) if n else np.zeros(0, dtype=np.int64)
        var_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=var_ptr[1:])
        return cls(tuple(variables), bool(spin), float(offset), coef, term_ptr, term_vars, var_ptr, var_terms)

    @classmethod
    def from_hubo(cls, hubo) -> "CompiledPolynomial":
        """Compile an :class:`anneal_binn.hubo.Hubo` without a Python object per term.

        Terms come out in the same (lexicographic index-tuple) order as :meth:`from_terms`, so
        both routes give identical arrays.

        Examples:
            >>> from anneal_binn.hubo import Hubo
            >>> h = Hubo.from_terms({(0, 2): 1.0, (1,): -1.0}, vartype="SPIN")
            >>> CompiledPolynomial.from_hubo(h).energies(np.array([[1, 1, 1], [-1, 1, 1]])).tolist()
            [0.0, -2.0]
        """
        n = hubo.num_variables
        D = hubo.max_degree
        T = hubo.num_terms
        padded = np.full((T, max(D, 1)), -1, dtype=np.int64)
        coef = np.empty(T, dtype=np.float64)
        sizes = np.empty(T, dtype=np.int64)
        t0 = 0
        for d0, (rows, c) in enumerate(hubo.blocks):
            padded[t0 : t0 + c.size, : d0 + 1] = rows
            coef[t0 : t0 + c.size] = c
            sizes[t0 : t0 + c.size] = d0 + 1
            t0 += c.size
        # -1 padding sorts a prefix before its extensions: the order of sorted(tuples)
        order = np.lexsort(padded.T[::-1]) if T else np.zeros(0, dtype=np.int64)
        padded, coef, sizes = padded[order], coef[order], sizes[order]
        term_ptr = np.zeros(T + 1, dtype=np.int64)
        np.cumsum(sizes, out=term_ptr[1:])
        term_vars = padded[padded >= 0].astype(np.int32)  # row-major: each term's variables in order
        term_ids = np.repeat(np.arange(T, dtype=np.int32), sizes)
        vorder = np.argsort(term_vars, kind="stable")
        var_terms = term_ids[vorder].astype(np.int32)
        counts = np.bincount(term_vars, minlength=n) if n else np.zeros(0, dtype=np.int64)
        var_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=var_ptr[1:])
        return cls(tuple(hubo.variables), hubo.vartype == "SPIN", float(hubo.offset), coef, term_ptr, term_vars,
                   var_ptr, var_terms)

    def energies(self, samples: np.ndarray) -> np.ndarray:
        """Energy of each row of ``samples`` (S, n) in this polynomial's vartype.

        Rows go in blocks whose (rows x term variables) temporaries fit :data:`EVAL_CHUNK_BYTES`,
        so 100,000 terms on all 2^16 assignments take ~64 MB, not the ~12 GB of evaluating them
        in one block.
        """
        samples = np.asarray(samples)
        out = np.full(samples.shape[0], self.offset, dtype=np.float64)
        if not self.num_terms:
            return out
        # A term's value depends only on how many of its variables are 0 (BINARY: 1 iff none) or
        # -1 (SPIN: the parity), so the per-variable work is on 1-byte counts, not float products:
        # 2x faster and 8x less memory per row than multiplying float64 columns. No term is
        # empty (the constant is the offset), so reduceat's segments are all non-empty.
        rows = max(1, EVAL_CHUNK_BYTES // (self.term_vars.size + 10 * self.num_terms))
        starts = self.term_ptr[:-1]
        for r0 in range(0, samples.shape[0], rows):
            low = (samples[r0 : r0 + rows, self.term_vars] <= 0).view(np.uint8)
            count = np.add.reduceat(low, starts, axis=1, dtype=np.uint8)  # degree < 256
            value = (1.0 - 2.0 * (count & 1)) if self.spin else (count == 0).astype(np.float64)
            out[r0 : r0 + rows] += value @ self.coef
        return out


def evaluate(poly: dimod.BinaryPolynomial, samples: np.ndarray, variables=None) -> np.ndarray:
    """Energies of ``samples`` (rows in the polynomial's vartype, columns in ``variables`` order)."""
    return CompiledPolynomial.from_polynomial(poly, variables).energies(samples)
