"""A HUBO as arrays: the form every stage of the package works on between its public seams.

A :class:`Hubo` keeps, for each degree ``d``, a ``(T_d, d)`` array of variable indices (each row
strictly increasing, rows in lexicographic order, no row twice) and the ``(T_d,)`` coefficients,
plus the constant and the variable labels (column ``i`` is ``variables[i]``, in the package's one
order, :func:`anneal_binn.polynomial.variable_order`). A million degree-4 terms take 40 MB and
sort, merge and expand in numpy; the same ``dimod.BinaryPolynomial`` is a dict of frozensets that
takes seconds to build and ~300 bytes per term. The formulation engine, the reductions, the
compiled evaluator and the exporters read and write this type; ``dimod.BinaryPolynomial`` is made
only at the public seams (:meth:`Hubo.to_polynomial`) and read there (:meth:`Hubo.from_polynomial`).

Canonical form is what makes results independent of how a HUBO was built: the same polynomial
always has the same arrays, whatever order its terms arrived in and whatever ``PYTHONHASHSEED``.

Examples:
    >>> import dimod
    >>> h = Hubo.from_polynomial(dimod.BinaryPolynomial({("b", "a"): 2.0, ("a",): -1.0, (): 0.5}, "BINARY"))
    >>> h.variables, h.num_terms, h.max_degree
    (('a', 'b'), 2, 2)
    >>> h.blocks[1][0].tolist(), h.blocks[1][1].tolist()
    ([[0, 1]], [2.0])
    >>> h.energies(np.array([[1, 1], [1, 0]])).tolist()
    [1.5, -0.5]
    >>> h.to_polynomial() == dimod.BinaryPolynomial({("a", "b"): 2.0, ("a",): -1.0, (): 0.5}, "BINARY")
    True
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import dimod
import numpy as np

from anneal_binn.errors import UsageError
from anneal_binn.polynomial import popcount, variable_order

_EMPTY_COEF = np.zeros(0, dtype=np.float64)


def _vartype_name(vartype) -> str:
    try:
        return dimod.as_vartype(vartype).name
    except (TypeError, ValueError):
        raise UsageError("vartype", f"must be 'BINARY' or 'SPIN', got {vartype!r}") from None


def row_keys(rows: np.ndarray, base: int) -> np.ndarray | None:
    """One int64 per row whose numeric order is the rows' lexicographic order, or None when
    ``base ** degree`` would overflow (callers then sort with ``np.lexsort``)."""
    d = rows.shape[1]
    if d == 0 or base ** d >= 2**62:
        return None
    key = np.zeros(rows.shape[0], dtype=np.int64)
    for j in range(d):
        key *= base
        key += rows[:, j]
    return key


def canonical_block(rows: np.ndarray, coef: np.ndarray, base: int, drop_zeros: bool = True, presorted: bool = False):
    """Sort each row, sort the rows, sum repeated rows and drop zero coefficients.

    Repeated rows are summed in the order they arrive (a stable sort), so the result depends only
    on the input arrays, never on hashing.

    Examples:
        >>> r, c = canonical_block(np.array([[2, 0], [0, 2], [1, 0]]), np.array([1.0, 2.0, 3.0]), 3)
        >>> r.tolist(), c.tolist()
        ([[0, 1], [0, 2]], [3.0, 3.0])
    """
    coef = np.asarray(coef, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.int64)
    rows = rows.reshape(len(coef), rows.shape[-1] if rows.ndim == 2 else -1)
    if not presorted:
        rows = np.sort(rows, axis=1)
    if rows.shape[0] == 0:
        return rows, coef
    key = row_keys(rows, base)
    d = rows.shape[1]
    if key is not None and base**d <= max(4096, 4 * rows.shape[0]):  # table no larger than the data
        # few possible monomials: merge by counting into a table indexed by the key, no sort
        size = base**d
        present = np.bincount(key, minlength=size) > 0
        total = np.bincount(key, weights=coef, minlength=size)
        keys = np.flatnonzero(present & (total != 0.0) if drop_zeros else present)
        out = np.empty((keys.size, d), dtype=np.int64)
        rest = keys.copy()
        for j in range(d - 1, -1, -1):
            out[:, j] = rest % base
            rest //= base
        return out, total[keys]
    order = np.argsort(key, kind="stable") if key is not None else np.lexsort(rows.T[::-1])
    rows, coef = rows[order], coef[order]
    if key is not None:
        key = key[order]
        new = np.concatenate([[True], key[1:] != key[:-1]])
    else:
        new = np.concatenate([[True], np.any(rows[1:] != rows[:-1], axis=1)])
    starts = np.flatnonzero(new)
    if starts.size != rows.shape[0]:
        coef = np.add.reduceat(coef, starts)
        rows = rows[starts]
    if drop_zeros:
        keep = coef != 0.0
        rows, coef = rows[keep], coef[keep]
    return rows, coef


@dataclass(frozen=True, eq=False)
class Hubo:
    """A higher-order binary polynomial in canonical array form.

    Attributes:
        variables: labels; index ``i`` in :attr:`blocks` is ``variables[i]``.
        vartype: ``"BINARY"`` (0/1) or ``"SPIN"`` (-1/+1).
        offset: the constant term.
        blocks: ``blocks[d - 1] = (rows, coef)`` for degree ``d = 1..max_degree``: ``rows`` is an
            int64 ``(T_d, d)`` array (rows strictly increasing, sorted, unique), ``coef`` float64
            ``(T_d,)``, nonzero.

    Build one with :meth:`from_polynomial`, :meth:`from_terms`, :meth:`from_arrays`,
    :meth:`from_dense` or :meth:`from_bitsets`; the constructor does not check its arguments.

    Examples:
        >>> h = Hubo.from_terms({(0, 1, 2): 1.0, (2, 1, 0): 0.5, (1,): -2.0}, vartype="SPIN")
        >>> [(d + 1, r.tolist(), c.tolist()) for d, (r, c) in enumerate(h.blocks)]
        [(1, [[1]], [-2.0]), (2, [], []), (3, [[0, 1, 2]], [1.5])]
        >>> h.to_binary().to_dict()[(0, 1, 2)]
        12.0
    """

    variables: tuple
    vartype: str
    offset: float
    blocks: tuple

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_arrays(cls, pieces, variables, vartype="BINARY", offset: float = 0.0, *, checked: bool = True) -> "Hubo":
        """Canonicalise ``pieces``, an iterable of ``(rows (T, d) int, coef (T,))`` of any degrees
        (several pieces of one degree are merged, repeated rows summed), over ``variables``
        (labels, or an int ``n`` for ``0..n-1``). ``checked=False`` skips the range and
        repeated-variable checks, for callers whose rows are already increasing and in range.

        Examples:
            >>> h = Hubo.from_arrays([(np.array([[1, 0], [0, 1]]), np.array([1.0, -1.0]))], 2)
            >>> h.num_terms
            0
        """
        vt = _vartype_name(vartype)
        variables = tuple(range(variables)) if isinstance(variables, (int, np.integer)) else tuple(variables)
        n = len(variables)
        by_degree: dict[int, list] = {}
        offset = float(offset)
        for rows, coef in pieces:
            coef = np.asarray(coef, dtype=np.float64).reshape(-1)
            rows = np.asarray(rows, dtype=np.int64)
            rows = rows.reshape(coef.size, rows.shape[-1] if rows.ndim == 2 else -1)
            if not np.isfinite(coef).all():
                bad = int(np.flatnonzero(~np.isfinite(coef))[0])
                raise UsageError("hubo", f"coefficient of term {rows[bad].tolist()} is {coef[bad]}; it must be finite")
            if checked and rows.size and (rows.min() < 0 or rows.max() >= n):
                raise UsageError("hubo", f"variable index out of range 0..{n - 1} in a term of degree {rows.shape[1]}")
            if rows.shape[1] == 0:
                offset += float(coef.sum())
                continue
            by_degree.setdefault(rows.shape[1], []).append((rows, coef))
        top = max(by_degree, default=0)
        blocks = []
        for d in range(1, top + 1):
            parts = by_degree.get(d, [])
            rows = np.concatenate([r for r, _ in parts]) if parts else np.zeros((0, d), np.int64)
            coef = np.concatenate([c for _, c in parts]) if parts else _EMPTY_COEF
            if checked and d > 1 and rows.shape[0]:
                srt = np.sort(rows, axis=1)
                if np.any(srt[:, 1:] == srt[:, :-1]):
                    raise UsageError("hubo", "a term repeats a variable; pass each term's variables once "
                                     "(Hubo.from_terms reduces x*x and s*s)")
            blocks.append(canonical_block(rows, coef, max(n, 1), presorted=not checked))
        while blocks and blocks[-1][1].size == 0:  # max_degree is the highest nonzero degree
            blocks.pop()
        return cls(variables, vt, offset, tuple(blocks))

    @classmethod
    def from_terms(cls, terms, variables=None, vartype="BINARY") -> "Hubo":
        """From ``{tuple of indices (or labels): coefficient}``; a repeated variable is reduced
        (``x*x = x``, ``s*s = 1``). ``variables`` defaults to ``0..max index`` for integer
        terms, else to the sorted labels.

        Examples:
            >>> Hubo.from_terms({("a", "a", "b"): 2.0}, vartype="SPIN").to_dict()
            {(1,): 2.0}
        """
        vt = _vartype_name(vartype)
        items = list(terms.items()) if hasattr(terms, "items") else list(terms)
        if variables is None:
            labels = {v for t, _ in items for v in t}
            if all(isinstance(v, (int, np.integer)) for v in labels):
                variables = range(max(labels) + 1 if labels else 0)
            else:
                variables = variable_order(labels)
        variables = tuple(variables)
        if all(isinstance(v, (int, np.integer)) for v in variables) and variables == tuple(range(len(variables))):
            index = None
        else:
            index = {v: i for i, v in enumerate(variables)}
        by_degree: dict[int, tuple[list, list]] = {}
        for t, c in items:
            ids = [int(v) for v in t] if index is None else [index[v] for v in t]
            if vt == "BINARY":
                ids = sorted(set(ids))
            else:
                ids = sorted(v for v, k in itertools.groupby(sorted(ids)) if len(list(k)) % 2)
            rows, coefs = by_degree.setdefault(len(ids), ([], []))
            rows.append(ids)
            coefs.append(float(c))
        pieces = [(np.array(r, dtype=np.int64).reshape(len(c), d), np.array(c)) for d, (r, c) in by_degree.items()]
        return cls.from_arrays(pieces, variables, vt)

    @classmethod
    def from_polynomial(cls, poly: dimod.BinaryPolynomial, variables=None) -> "Hubo":
        """Read a ``dimod.BinaryPolynomial`` (the public seam); zero terms are dropped.

        Variables that appear only in zero terms are kept as columns.
        """
        if not isinstance(poly, dimod.BinaryPolynomial):
            raise TypeError(
                f"hubo: expected a dimod.BinaryPolynomial, got {type(poly).__name__}; "
                "build one with dimod.BinaryPolynomial(terms, 'BINARY')"
            )
        variables = variable_order(poly.variables) if variables is None else list(variables)
        index = {v: i for i, v in enumerate(variables)}
        keys = list(poly.keys())
        coef = np.fromiter(poly.values(), dtype=np.float64, count=len(keys))
        lens = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        flat = np.fromiter(map(index.__getitem__, itertools.chain.from_iterable(keys)), dtype=np.int64,
                           count=int(lens.sum()))
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]]) if len(keys) else lens
        pieces = []
        for d in np.unique(lens).tolist():
            sel = np.flatnonzero(lens == d)
            rows = flat[starts[sel, None] + np.arange(d)] if d else np.zeros((sel.size, 0), np.int64)
            pieces.append((rows, coef[sel]))
        return cls.from_arrays(pieces, variables, poly.vartype)

    @classmethod
    def from_dense(cls, coefficients: np.ndarray, vartype="BINARY", variables=None, atol: float = 0.0) -> "Hubo":
        """From bitmask-indexed dense coefficients (entry ``k`` is the monomial over the set bits
        of ``k``); ``|c| <= atol`` dropped.

        Examples:
            >>> Hubo.from_dense(np.array([0.5, 1.0, 0.0, 3.0])).to_dict()
            {(0,): 1.0, (0, 1): 3.0, (): 0.5}
        """
        coefficients = np.asarray(coefficients, dtype=np.float64)
        n = coefficients.size.bit_length() - 1
        variables = range(n) if variables is None else variables
        keep = np.flatnonzero(np.abs(coefficients) > atol)
        deg = popcount(keep)
        pieces = []
        for d in np.unique(deg).tolist():
            masks = keep[deg == d]
            bits = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
            pieces.append((np.nonzero(bits)[1].reshape(masks.size, d), coefficients[masks]))
        return cls.from_arrays(pieces, variables, vartype)

    @classmethod
    def from_bitsets(cls, keys: np.ndarray, coef: np.ndarray, num_variables: int, vartype, variables=None) -> "Hubo":
        """From ``(T, W)`` uint64 monomial bitsets (the formulation engine's form).

        Examples:
            >>> Hubo.from_bitsets(np.array([[5], [0]], dtype=np.uint64), np.array([2.0, 1.0]), 3, "SPIN").to_dict()
            {(0, 2): 2.0, (): 1.0}
        """
        keys = np.ascontiguousarray(keys, dtype=np.uint64)
        coef = np.asarray(coef, dtype=np.float64)
        deg = np.bitwise_count(keys).sum(axis=1).astype(np.int64) if keys.size else np.zeros(len(coef), np.int64)
        variables = range(num_variables) if variables is None else variables
        pieces = []
        for d in np.unique(deg).tolist():
            sel = np.flatnonzero(deg == d)
            if d == 0:
                pieces.append((np.zeros((sel.size, 0), np.int64), coef[sel]))
                continue
            rows = np.empty((sel.size, d), dtype=np.int64)
            col = np.zeros(sel.size, dtype=np.int64)
            for w in range(keys.shape[1]):  # peel the lowest set bit off each word, d times at most
                k = keys[sel, w].copy()
                for _ in range(min(d, 64)):
                    has = k != 0
                    if not has.any():
                        break
                    low = k & (~k + np.uint64(1))
                    pos = np.bitwise_count(low - np.uint64(1)).astype(np.int64) + 64 * w
                    r = np.flatnonzero(has)
                    rows[r, col[r]] = pos[r]
                    col[r] += 1
                    k ^= low
            pieces.append((rows, coef[sel]))
        return cls.from_arrays(pieces, variables, vartype, checked=False)  # bits come out increasing

    # ---- views ----------------------------------------------------------------------------------
    @property
    def num_variables(self) -> int:
        return len(self.variables)

    @property
    def num_terms(self) -> int:
        """Non-constant terms."""
        return sum(c.size for _, c in self.blocks)

    @property
    def max_degree(self) -> int:
        return len(self.blocks)

    def degree_counts(self) -> dict[int, int]:
        """``{degree: number of terms}`` for the degrees present."""
        return {d + 1: int(c.size) for d, (_, c) in enumerate(self.blocks) if c.size}

    def items(self):
        """``(tuple of labels, coefficient)`` per term, the constant last when nonzero."""
        labels = self.variables
        for rows, coef in self.blocks:
            for r, c in zip(rows.tolist(), coef.tolist()):
                yield tuple(labels[i] for i in r), c
        if self.offset:
            yield (), self.offset

    def to_dict(self) -> dict[tuple[int, ...], float]:
        """``{sorted index tuple: coefficient}`` (constant under ``()`` when nonzero)."""
        out = {}
        for rows, coef in self.blocks:
            out.update(zip(map(tuple, rows.tolist()), coef.tolist()))
        if self.offset:
            out[()] = self.offset
        return out

    def __eq__(self, other) -> bool:
        if not isinstance(other, Hubo):
            return NotImplemented
        return (self.variables == other.variables and self.vartype == other.vartype
                and self.offset == other.offset and len(self.blocks) == len(other.blocks)
                and all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
                        for a, b in zip(self.blocks, other.blocks)))

    __hash__ = None

    # ---- conversions ----------------------------------------------------------------------------
    def to_polynomial(self, keep_variables: bool = True) -> dimod.BinaryPolynomial:
        """The ``dimod.BinaryPolynomial`` (the public seam). With ``keep_variables`` a variable
        of no term is kept as a zero linear term, so ``poly.variables`` is :attr:`variables`."""
        labels = np.empty(len(self.variables), dtype=object)
        labels[:] = self.variables
        terms: dict = {}
        for rows, coef in self.blocks:
            keys = rows.tolist() if self.variables == tuple(range(len(self.variables))) else labels[rows].tolist()
            terms.update(zip(map(frozenset, keys), coef.tolist()))
        if self.offset:
            terms[frozenset()] = self.offset
        if keep_variables:  # a variable of no nonzero term still belongs to the HUBO
            used = np.zeros(len(self.variables), dtype=bool)
            for rows, _ in self.blocks:
                used[rows.ravel()] = True
            for i in np.flatnonzero(~used).tolist():
                terms[frozenset((self.variables[i],))] = 0.0
        poly = dimod.BinaryPolynomial({}, self.vartype)
        if isinstance(getattr(poly, "_terms", None), dict):
            poly._terms = terms  # already unique and reduced: skip dimod's per-term aggregation
            return poly
        return dimod.BinaryPolynomial(terms, self.vartype)  # pragma: no cover - other dimod layouts

    def to_binary(self) -> "Hubo":
        """The same function on 0/1 variables (``s = 2x - 1``); ``self`` when already BINARY.

        ``prod_{i in T} (2 x_i - 1) = sum_{S subset T} 2^|S| (-1)^(|T|-|S|) x_S``: every piece is an
        exact power-of-two multiple, merged per monomial in one deterministic pass.

        Examples:
            >>> Hubo.from_terms({(0, 1): 1.0}, vartype="SPIN").to_binary().to_dict()
            {(0,): -2.0, (1,): -2.0, (0, 1): 4.0, (): 1.0}
        """
        return self if self.vartype == "BINARY" else self._convert("BINARY")

    def to_spin(self) -> "Hubo":
        """The same function on -1/+1 variables (``x = (1 + s) / 2``); ``self`` when already SPIN.

        ``prod_{i in T} x_i = 2^-|T| sum_{S subset T} s_S``: a BiNN landscape is often much sparser
        in this (Walsh) form, which :func:`anneal_binn.reduce`'s parity gadgets exploit.

        Examples:
            >>> Hubo.from_terms({(0, 1): 4.0}).to_spin().to_dict()
            {(0,): 1.0, (1,): 1.0, (0, 1): 1.0, (): 1.0}
        """
        return self if self.vartype == "SPIN" else self._convert("SPIN")

    @staticmethod
    def _part(target: str, d: int, k: int) -> float:
        """Weight of a degree-``k`` subset of a degree-``d`` term in the conversion to ``target``."""
        return 2.0**k * (-1.0) ** (d - k) if target == "BINARY" else 2.0**-d

    def _convert(self, target: str) -> "Hubo":
        """The conversion to ``target`` without the terms that are only rounding residue.

        Terms of a BiNN landscape often cancel exactly in the other form (the Walsh form of
        ``gaussian-activation`` truncated at degree 4 has 190 such terms) and float sums leave
        ~1e-17 behind; every term kept costs a reduction ancillas. The conversion's parts add up to
        at most ``scale = sum(|c| * 2^(+-d))``; a coefficient no larger than one rounding unit of
        that, ``eps * scale``, cannot be told apart from zero by any energy evaluation, so it is
        dropped (the energies move by under ``eps * scale`` per dropped term).
        """
        out = self._expand(target)
        scale = sum(float(np.abs(coef).sum()) * abs(self._part(target, d, d)) for d, (_, coef) in
                    enumerate(self.blocks, start=1))
        tol = np.finfo(np.float64).eps * scale
        keep = [np.abs(coef) > tol for _, coef in out.blocks]
        blocks = [(rows[k], coef[k]) for (rows, coef), k in zip(out.blocks, keep)]
        while blocks and blocks[-1][1].size == 0:
            blocks.pop()
        return Hubo(out.variables, target, out.offset, tuple(blocks))

    def _expand(self, target: str) -> "Hubo":
        n = max(len(self.variables), 1)
        offset = self.offset
        top = self.max_degree
        blocks = []
        for k in range(1, top + 1):
            if n**k >= 2**62:  # keys would overflow: merge rows instead (slower, same result)
                return self._convert_rows(target)
            keys, parts = [], []
            for d in range(k, top + 1):
                rows, coef = self.blocks[d - 1]
                if not coef.size:
                    continue
                part = coef * self._part(target, d, k)
                for cols in itertools.combinations(range(d), k):
                    key = rows[:, cols[0]].copy()
                    for c in cols[1:]:
                        key *= n
                        key += rows[:, c]
                    keys.append(key)
                    parts.append(part)
            if not keys:
                blocks.append((np.zeros((0, k), np.int64), _EMPTY_COEF))
                continue
            key = np.concatenate(keys)
            part = np.concatenate(parts)
            del keys, parts
            if n**k <= max(4096, 4 * key.size):  # a table indexed by the key (no larger than the data): no sort
                total = np.bincount(key, weights=part, minlength=n**k)
                uniq = np.flatnonzero(total != 0.0)
                coef = total[uniq]
            else:
                order = np.argsort(key, kind="stable")
                key, part = key[order], part[order]
                starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
                coef = np.add.reduceat(part, starts)
                uniq = key[starts]
                nz = coef != 0.0
                uniq, coef = uniq[nz], coef[nz]
            rows = np.empty((uniq.size, k), dtype=np.int64)
            for j in range(k - 1, -1, -1):
                rows[:, j] = uniq % n
                uniq = uniq // n
            blocks.append((rows, coef))
        for d, (rows, coef) in enumerate(self.blocks):
            offset += float((coef * self._part(target, d + 1, 0)).sum())
        while blocks and blocks[-1][1].size == 0:
            blocks.pop()
        return Hubo(self.variables, target, offset, tuple(blocks))

    def _convert_rows(self, target: str) -> "Hubo":
        pieces = []
        offset = self.offset
        for d0, (rows, coef) in enumerate(self.blocks):
            d = d0 + 1
            for mask in range(1 << d):
                cols = [j for j in range(d) if mask >> j & 1]
                k = len(cols)
                part = coef * self._part(target, d, k)
                if k == 0:
                    offset += float(part.sum())
                else:
                    pieces.append((rows[:, cols], part))
        return Hubo.from_arrays(pieces, self.variables, target, offset, checked=False)  # subsets of sorted rows

    def energies(self, samples: np.ndarray) -> np.ndarray:
        """Energy of each row of ``samples`` (values in :attr:`vartype`, columns in
        :attr:`variables` order)."""
        return self.compiled().energies(samples)

    def compiled(self):
        """The :class:`~anneal_binn.polynomial.CompiledPolynomial` of this HUBO (same columns)."""
        from anneal_binn.polynomial import CompiledPolynomial

        return CompiledPolynomial.from_hubo(self)


def as_hubo(hubo, what: str = "hubo") -> Hubo:
    """A :class:`Hubo` from a ``Hubo`` or a ``dimod.BinaryPolynomial``; anything else is refused."""
    if isinstance(hubo, Hubo):
        return hubo
    if isinstance(hubo, dimod.BinaryPolynomial):
        return Hubo.from_polynomial(hubo)
    raise TypeError(
        f"{what}: expected a dimod.BinaryPolynomial or an anneal_binn Hubo, got {type(hubo).__name__}; "
        "build one with dimod.BinaryPolynomial(terms, 'BINARY')"
    )
