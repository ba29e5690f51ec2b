"""The :class:`Reduction` record: what every ancilla means, and how to go back to the HUBO."""
from __future__ import annotations

import dataclasses
import functools
import json
import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path

import dimod
import numpy as np

from anneal_binn.memory import MemoryBudgetWarning, check_memory, fits, human
from anneal_binn.polynomial import EVAL_CHUNK_BYTES, CompiledPolynomial

GADGETS = ("substitution", "freedman-drineas", "ishikawa", "bcr", "spin-product", "parity")


@dataclass(frozen=True)
class Ancilla:
    """One auxiliary variable of a reduced QUBO.

    Attributes:
        label: its variable label in the QUBO (a string, so it never collides with int variables).
        gadget: ``"substitution"`` (Rosenberg: the ancilla stands for the product of ``factors``),
            ``"freedman-drineas"`` (negative monomial, ``coefficient < 0``), ``"ishikawa"`` or
            ``"bcr"`` (Boros-Crama-Rodriguez-Heck; both for a positive monomial, ``coefficient > 0``),
            ``"spin-product"`` (the spin ``2y - 1`` stands for the product of the ``factors``' spins,
            i.e. ``y = 1`` iff an even number of them are 0) or ``"parity"`` (a bit of the counter
            that reproduces the spin monomial ``coefficient * prod(2f - 1)`` of ``factors``, any sign).
        factors: labels of the symbols the gadget reads: original variables or earlier ancillas.
        negated: per factor, whether the gadget reads its complement ``1 - x`` (Freedman-Drineas
            on literals, used for positive monomials by ``method="freedman-drineas"``).
        coefficient: the monomial coefficient the gadget reproduces (0.0 for substitution).
        index: Ishikawa's ``i`` (1-based) among the monomial's ancillas, the BCR ancilla's
            ``j`` (weight ``2^j``) or the parity counter's bit; 0 otherwise.
        penalty: ``(alpha, beta)`` of the substitution penalty
            ``beta*u*v - (alpha+beta)*(u+v)*y + (2*alpha+beta)*y``: ``alpha`` is charged when
            ``y = 1`` but ``u*v = 0``, ``beta`` when ``y = 0`` but ``u*v = 1``. ``(0.0, 0.0)`` for the
            penalty-free gadgets.

    Examples:
        >>> Ancilla("aux0", "substitution", (0, 1), (False, False), 0.0, 0, (2.0, 0.5)).definition
        'aux0 = 0*1  [substitution, penalty alpha=2, beta=0.5]'
    """

    label: str
    gadget: str
    factors: tuple
    negated: tuple
    coefficient: float
    index: int
    penalty: tuple

    @property
    def definition(self) -> str:
        lits = [f"(1-{f})" if n else str(f) for f, n in zip(self.factors, self.negated)]
        if self.gadget == "substitution":
            a, b = self.penalty
            return f"{self.label} = {'*'.join(lits)}  [substitution, penalty alpha={a:g}, beta={b:g}]"
        if self.gadget == "spin-product":
            return (f"{self.label}: spin s_{self.label} = {'*'.join(f's_{f}' for f in self.factors)}  "
                    f"[spin product, penalty {self.penalty[0]:g}]")
        if self.gadget == "parity":
            return (f"{self.label}: parity bit {self.index} of "
                    f"{self.coefficient:g}*{'*'.join(f's_{f}' for f in self.factors)}")
        if self.gadget == "ishikawa":
            return f"{self.label}: ishikawa w{self.index} of {self.coefficient:g}*{'*'.join(lits)}"
        if self.gadget == "bcr":
            return f"{self.label}: bcr y{self.index} (weight {2 ** self.index}) of {self.coefficient:g}*{'*'.join(lits)}"
        return f"{self.label}: freedman-drineas of {self.coefficient:g}*{'*'.join(lits)}"


@dataclass(frozen=True)
class Verification:
    """Outcome of :meth:`Reduction.verify`.

    Attributes:
        ok: True when the QUBO minimised over the ancillas equals the HUBO on every checked assignment.
        exact: True when every assignment of the original variables was checked with an exact
            minimisation over the ancillas; False for the sampled check used on large problems.
        assignments: number of original assignments checked.
        max_error: largest ``|min_a QUBO(x, a) - HUBO(x)|`` seen.
    """

    ok: bool
    exact: bool
    assignments: int
    max_error: float

    def __bool__(self) -> bool:
        return self.ok


def _encode(v: Hashable):
    if isinstance(v, tuple):
        return {"tuple": [_encode(x) for x in v]}
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    raise TypeError(f"variable label {v!r}: only int, float, str, None and tuples of them can be saved")


def _decode(v):
    if isinstance(v, dict):
        return tuple(_decode(x) for x in v["tuple"])
    return v


def _bitlen(x: np.ndarray) -> np.ndarray:
    """``int.bit_length`` of each entry of a non-negative int array."""
    x = np.asarray(x, dtype=np.int64)
    out = np.zeros(x.shape, dtype=np.int64)
    while (x > 0).any():
        out += x > 0
        x = x >> 1
    return out


def _arr_eq(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _closed_form_groups(A, m: int, size: int = 4, limit: int | None = None) -> tuple[list, list]:
    """Split ``m`` ancillas (coupling matrix ``A`` among them) into groups of at most ``size``
    with no coupler between groups, plus the rest to enumerate, few of them.

    Two splits are tried, the one with fewer to enumerate kept: an independent set (every group
    a single ancilla, chosen from the last ancilla backwards), and removing the ancilla with the
    most couplers from every component larger than ``size`` until none is left (the parity
    gadget's counter bits and the spin products' carries sit in such small components). The
    second stops once it has removed more than ``limit`` (the most the caller can enumerate) or
    as many as the first leaves, so it costs at most that many passes over the couplers.

    Examples:
        >>> import scipy.sparse as sp
        >>> path = sp.csr_matrix(np.diag(np.ones(5), 1) + np.diag(np.ones(5), -1))  # 6 in a row
        >>> _closed_form_groups(path, 6)
        ([[0, 1, 2, 3], [5]], [4])
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    A = sp.csr_matrix(A)
    A = ((A + A.T) != 0).astype(np.int8)
    adj = A.tolil().rows
    single = np.zeros(m, dtype=bool)
    for k in reversed(range(m)):
        if not any(single[j] for j in adj[k]):
            single[k] = True
    best = ([[k] for k in range(m) if single[k]], [k for k in range(m) if not single[k]])
    removed = np.zeros(m, dtype=bool)
    cap = len(best[1]) if limit is None else min(len(best[1]), limit + 1)
    split = False
    while True:
        keep = np.flatnonzero(~removed)
        sub = A[keep][:, keep]
        _, label = connected_components(sub, directed=False)
        sizes = np.bincount(label) if keep.size else np.zeros(0, dtype=np.int64)
        big = np.flatnonzero(sizes > size)
        if not big.size:
            split = True
            break
        if removed.sum() >= cap:
            break
        deg = np.asarray(sub.sum(axis=1)).ravel()
        for c in big.tolist():
            members = np.flatnonzero(label == c)
            top = members[deg[members] == deg[members].max()].max()
            removed[keep[top]] = True
    if split and removed.sum() < len(best[1]):
        keep = np.flatnonzero(~removed)
        _, label = connected_components(A[keep][:, keep], directed=False) if keep.size else (0, np.zeros(0, int))
        groups = [keep[label == c].tolist() for c in range(int(label.max(initial=-1)) + 1)]
        best = (groups, np.flatnonzero(removed).tolist())
    return best


@dataclass(frozen=True, eq=False)
class Reduction:
    """Typed, frozen record of a HUBO -> QUBO reduction, held as arrays.

    Attributes:
        method: the method that produced the QUBO (what ``"auto"`` chose, if it was asked for).
        requested: the method that was asked for.
        vartype: ``"BINARY"`` or ``"SPIN"``, of both the input HUBO and the returned QUBO.
        source: the HUBO in BINARY form, an :class:`~anneal_binn.hubo.Hubo` over :attr:`variables`.
        table: the ancillas as arrays, row ``k`` ancilla ``k``: ``gadget`` (index into
            :data:`GADGETS`), ``factors`` (symbol ids, ``-1`` padded; ``i < n`` is
            ``variables[i]``, ``n + k`` ancilla ``k``), ``negated``, ``coef``, ``index``,
            ``penalty`` (``(m, 2)``).
        qubo: the QUBO in BINARY form over symbol ids: ``linear`` (``(n + m,)``), couplers
            ``rows < cols`` with ``values`` (sorted, nonzero), and ``offset``.
        ancilla_prefix: ancilla ``k`` is labelled ``f"{ancilla_prefix}{k}"``.
        objective: what ``"auto"`` minimised (``"ancillas"`` for an explicit method).
        candidates: for ``"auto"``, ``(method, ancillas, score)`` of every candidate it built.

    The tuple views of earlier versions -- :attr:`variables`, :attr:`ancillas`, :attr:`hubo`,
    :attr:`linear`, :attr:`quadratic` -- are built on first access.

    Examples:
        >>> import dimod, anneal_binn as ab
        >>> hubo = dimod.BinaryPolynomial({(0, 1, 2): -1.0, (1, 2, 3): 2.0}, "BINARY")
        >>> bqm, red = ab.reduce(hubo, method="ishikawa")
        >>> red.num_ancillas, [a.gadget for a in red.ancillas]
        (2, ['freedman-drineas', 'ishikawa'])
        >>> red.expand({0: 1, 1: 1, 2: 1, 3: 0})
        {0: 1, 1: 1, 2: 1, 3: 0, 'aux0': 1, 'aux1': 1}
        >>> bool(red.verify())
        True
    """

    method: str
    requested: str
    vartype: str
    source: object
    table: dict
    qubo: dict
    ancilla_prefix: str = "aux"
    objective: str = "ancillas"
    candidates: tuple = ()

    @classmethod
    def from_arrays(cls, *, method, requested, vartype, source, table, linear, qi, qj, qv, offset,
                    ancilla_prefix="aux", objective="ancillas", candidates=()) -> "Reduction":
        qubo = dict(linear=np.asarray(linear, dtype=np.float64), rows=np.asarray(qi, dtype=np.int64),
                    cols=np.asarray(qj, dtype=np.int64), values=np.asarray(qv, dtype=np.float64),
                    offset=float(offset))
        return cls(method, requested, vartype, source, dict(table), qubo, ancilla_prefix, objective, tuple(candidates))

    def __eq__(self, other) -> bool:
        if not isinstance(other, Reduction):
            return NotImplemented
        return (self.method == other.method and self.requested == other.requested and self.vartype == other.vartype
                and self.source == other.source and _arr_eq(self.table, other.table)
                and _arr_eq(self.qubo, other.qubo) and self.ancilla_prefix == other.ancilla_prefix
                and self.objective == other.objective and self.candidates == other.candidates)

    __hash__ = None

    # ---- summaries -------------------------------------------------------------------------
    @property
    def variables(self) -> tuple:
        """The original variables, in canonical order."""
        return self.source.variables

    @property
    def num_ancillas(self) -> int:
        return int(self.table["gadget"].size)

    @functools.cached_property
    def ancilla_labels(self) -> tuple:
        return tuple(f"{self.ancilla_prefix}{k}" for k in range(self.num_ancillas))

    @functools.cached_property
    def _labels(self) -> list:
        return list(self.variables) + list(self.ancilla_labels)

    @property
    def max_penalty(self) -> float:
        p = self.table["penalty"]
        return float(p.max()) if p.size else 0.0

    @property
    def offset(self) -> float:
        """The QUBO's constant (BINARY form)."""
        return self.qubo["offset"]

    @property
    def hubo_offset(self) -> float:
        return self.source.offset

    @functools.cached_property
    def hubo(self) -> tuple:
        """The HUBO in BINARY form, as ``((variables...), coefficient)`` pairs."""
        return tuple(self.source.items()) if not self.source.offset else tuple(self.source.items())[:-1]

    @functools.cached_property
    def ancillas(self) -> tuple:
        """Every ancilla as an :class:`Ancilla`, in definition order (factors always come first)."""
        t = self.table
        labels = self._labels
        out = []
        for k in range(self.num_ancillas):
            f = t["factors"][k]
            keep = f >= 0
            out.append(Ancilla(labels[len(self.variables) + k], GADGETS[int(t["gadget"][k])],
                               tuple(labels[i] for i in f[keep].tolist()),
                               tuple(bool(x) for x in t["negated"][k][keep]), float(t["coef"][k]),
                               int(t["index"][k]), tuple(float(x) for x in t["penalty"][k])))
        return tuple(out)

    @functools.cached_property
    def linear(self) -> tuple:
        """``(label, bias)`` of every QUBO variable (BINARY form)."""
        return tuple(zip(self._labels, self.qubo["linear"].tolist()))

    @functools.cached_property
    def quadratic(self) -> tuple:
        """``((u, v), bias)`` of every nonzero coupler (BINARY form)."""
        lab = self._labels
        q = self.qubo
        return tuple(((lab[i], lab[j]), b) for i, j, b in zip(q["rows"].tolist(), q["cols"].tolist(),
                                                              q["values"].tolist()))

    def to_bqm(self) -> dimod.BinaryQuadraticModel:
        """A fresh copy of the reduced QUBO, in :attr:`vartype`, built from the arrays."""
        q = self.qubo
        bqm = dimod.BinaryQuadraticModel.from_numpy_vectors(
            q["linear"], (q["rows"], q["cols"], q["values"]), q["offset"], dimod.BINARY, variable_order=self._labels)
        if self.vartype == "SPIN":
            bqm.change_vartype(dimod.SPIN, inplace=True)
        return bqm

    @functools.cached_property
    def bqm(self) -> dimod.BinaryQuadraticModel:
        """The reduced QUBO, in :attr:`vartype` (built once, on first access)."""
        return self.to_bqm()

    def to_hubo(self) -> dimod.BinaryPolynomial:
        """The original HUBO, in :attr:`vartype`."""
        poly = self.source.to_polynomial()
        return poly.to_spin() if self.vartype == "SPIN" else poly

    # ---- internal helpers --------------------------------------------------------------------
    @functools.cached_property
    def _index(self) -> dict:
        return {v: i for i, v in enumerate(self._labels)}

    @functools.cached_property
    def _compiled_hubo(self) -> CompiledPolynomial:
        """The BINARY HUBO over :attr:`variables`, compiled once for every evaluation."""
        return CompiledPolynomial.from_hubo(self.source)

    @functools.cached_property
    def _levels(self) -> np.ndarray:
        """Evaluation level of each ancilla: 1 + the deepest ancilla among its factors."""
        n = len(self.variables)
        f = self.table["factors"]
        m = f.shape[0]
        level = np.ones(m, dtype=np.int64)
        if m == 0 or f.shape[1] == 0:
            return level
        anc = np.where(f >= n, f - n, -1)
        for _ in range(m):
            new = 1 + np.where(anc >= 0, level[np.maximum(anc, 0)], 0).max(axis=1)
            if np.array_equal(new, level):
                break
            level = new
        return level

    def _to_binary(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if self.vartype == "SPIN":
            if not np.isin(X, (-1, 1)).all():
                raise ValueError("sample: SPIN values must be -1 or +1")
            return ((X + 1) // 2).astype(np.int8)
        if not np.isin(X, (0, 1)).all():
            raise ValueError("sample: BINARY values must be 0 or 1")
        return X.astype(np.int8)

    def _from_binary(self, B: np.ndarray) -> np.ndarray:
        return (2 * B - 1).astype(np.int8) if self.vartype == "SPIN" else B.astype(np.int8)

    def _expand_binary(self, B: np.ndarray) -> np.ndarray:
        """(C, n) 0/1 -> (C, n + m) 0/1 with every ancilla at an optimal value, level by level."""
        n = len(self.variables)
        t = self.table
        m = self.num_ancillas
        out = np.zeros((B.shape[0], n + m), dtype=np.int8)
        out[:, :n] = B
        if m == 0:
            return out
        level = self._levels
        for L in range(1, int(level.max()) + 1):
            ks = np.flatnonzero(level == L)
            F = t["factors"][ks]
            valid = F >= 0
            step = max(1, (1 << 24) // max(1, ks.size * F.shape[1]))
            for r0 in range(0, B.shape[0], step):
                vals = out[r0 : r0 + step][:, np.maximum(F, 0)]  # (C, k, kmax)
                lits = np.where(t["negated"][ks], 1 - vals, vals)
                ones = np.where(valid, lits, 0).sum(axis=2)
                d = valid.sum(axis=1)
                g = t["gadget"][ks]
                idx = t["index"][ks]
                val = ones == d  # substitution: the product; freedman-drineas: 1 iff every literal is 1
                # ishikawa: w_i's own coefficient is c*(c_id*(2i - S1) - 1) with c > 0: negative iff S1 >= 2i
                val = np.where(g == GADGETS.index("ishikawa"), ones >= 2 * idx, val)
                # bcr: the even sum of weights 2^j y_j closest below a + S1 (at most K - 2), bit j
                K = np.left_shift(1, _bitlen(np.maximum(d - 1, 0)))
                tot = ones + (K - d)
                E = np.minimum(2 * (tot // 2), K - 2)
                val = np.where(g == GADGETS.index("bcr"), (E >> idx) & 1, val)
                # spin product: +1 iff an even number of its factors are -1
                val = np.where(g == GADGETS.index("spin-product"), (d - ones) % 2 == 0, val)
                # parity: bit idx of the counter t minimising (ones - r - 2t)^2, r = [c*(-1)^d > 0]
                r = (t["coef"][ks] * np.where(d % 2 == 1, -1.0, 1.0) > 0).astype(np.int64)
                cnt = np.maximum(0, (ones - r) // 2)
                val = np.where(g == GADGETS.index("parity"), (cnt >> idx) & 1, val)
                out[r0 : r0 + step, n + ks] = val
        return out

    # ---- public API -----------------------------------------------------------------------------
    def expand(self, sample):
        """An assignment of the original variables -> the full QUBO assignment, ancillas optimal.

        Args:
            sample: a mapping ``{variable: value}``, or an array of shape ``(n,)`` or ``(C, n)``
                ordered like :attr:`variables`. Values are in :attr:`vartype`.

        Returns:
            The same kind: a dict over variables and ancillas, or an array with the ancilla
            columns appended in :attr:`ancilla_labels` order.
        """
        if isinstance(sample, Mapping):
            missing = [v for v in self.variables if v not in sample]
            if missing:
                raise ValueError(f"sample: no value for original variable(s) {missing[:5]}")
            row = np.array([[sample[v] for v in self.variables]])
            full = self._from_binary(self._expand_binary(self._to_binary(row)))[0]
            labels = list(self.variables) + list(self.ancilla_labels)
            return {v: int(x) for v, x in zip(labels, full)}
        X = np.asarray(sample)
        single = X.ndim == 1
        X2 = np.atleast_2d(X)
        if X2.shape[1] != len(self.variables):
            raise ValueError(
                f"sample: expected {len(self.variables)} columns (one per original variable), got {X2.shape[1]}"
            )
        full = self._from_binary(self._expand_binary(self._to_binary(X2)))
        return full[0] if single else full

    def hubo_energies(self, X: np.ndarray) -> np.ndarray:
        """True HUBO energies of rows of ``X`` (columns ordered like :attr:`variables`)."""
        B = self._to_binary(np.atleast_2d(np.asarray(X)))
        return self._compiled_hubo.energies(B)

    def _sparse(self):
        """(h, J, upper-triangular J) of the BINARY QUBO over symbol ids, as scipy CSR."""
        import scipy.sparse as sp

        q = self.qubo
        N = q["linear"].size
        r, c, v = q["rows"], q["cols"], q["values"]
        J = sp.csr_matrix((np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(N, N))
        return q["linear"], J, sp.csr_matrix((v, (r, c)), shape=(N, N))

    def _broken(self, F: np.ndarray) -> np.ndarray:
        """Per row of a full binary assignment: how many ancillas sit at a non-optimal value."""
        n = len(self.variables)
        m = self.num_ancillas
        if m == 0:
            return np.zeros(F.shape[0], dtype=np.int64)
        t = self.table
        sub = t["gadget"] == GADGETS.index("substitution")
        prod = t["gadget"] == GADGETS.index("spin-product")
        h, J, _ = self._sparse()
        col = F[:, n:]
        # a gadget ancilla is broken when flipping it strictly lowers the energy
        field = np.asarray((J[:, n:].T @ F.T.astype(np.float64)).T) + h[n:]
        gadget_bad = np.where(col == 1, field > 1e-12, field < -1e-12)
        f = np.maximum(t["factors"][:, :2], 0)
        sub_bad = col != (F[:, f[:, 0]] & F[:, f[:, 1]])
        prod_bad = col != (F[:, f[:, 0]] == F[:, f[:, 1]])
        return np.where(sub, sub_bad, np.where(prod, prod_bad, gadget_bad)).sum(axis=1).astype(np.int64)

    def project(self, sampleset: dimod.SampleSet) -> dimod.SampleSet:
        """Drop the ancillas, recompute the true HUBO energies and flag broken ancillas.

        Args:
            sampleset: samples of the reduced QUBO (any extra variables are ignored).

        Returns:
            A :class:`dimod.SampleSet` over :attr:`variables` whose ``energy`` is the HUBO energy,
            with vectors ``qubo_energy`` (the energy the sampler reported) and ``num_broken``
            (ancillas not at an optimal value for the sample's other variables; 0 for ancillas
            absent from the sample set).
        """
        if not isinstance(sampleset, dimod.SampleSet):
            raise TypeError(f"sampleset: expected a dimod.SampleSet, got {type(sampleset).__name__}")
        missing = [v for v in self.variables if v not in sampleset.variables]
        if missing:
            raise ValueError(f"sampleset: lacks original variable(s) {missing[:5]}; was it sampled from this QUBO?")
        X = sampleset.record.sample
        vindex = sampleset.variables.index
        Xo = X[:, [vindex(v) for v in self.variables]]
        energies = self.hubo_energies(Xo)
        if all(lbl in sampleset.variables for lbl in self.ancilla_labels):
            full = np.concatenate(
                [Xo, X[:, [vindex(v) for v in self.ancilla_labels]]], axis=1
            )
            broken = self._broken(self._to_binary(full))
        else:
            broken = np.zeros(len(X), dtype=np.int64)
        vectors = {"qubo_energy": sampleset.record.energy, "num_broken": broken}
        if "num_occurrences" in sampleset.record.dtype.names:
            vectors["num_occurrences"] = sampleset.record.num_occurrences
        return dimod.SampleSet.from_samples(
            (Xo, list(self.variables)), self.vartype, energies, info=dict(sampleset.info), **vectors
        )

    def verify(
        self,
        *,
        max_bits: int = 22,
        max_exhaustive: int = 16,
        num_samples: int = 1000,
        seed: int = 0,
        atol: float = 1e-9,
    ) -> Verification:
        """Check that ``min over ancillas of QUBO(x, a) == HUBO(x)``.

        Exact (``exact=True``) when ``n + e <= max_bits``, where ``e`` is the number of ancillas that
        must be enumerated: the others fall into groups of at most four with no coupling between
        groups (:func:`_closed_form_groups`), each minimised over its own 16 or fewer values given
        the rest, so the minimum is exact for any QUBO.
        Otherwise every assignment (``n <= max_exhaustive``) or ``num_samples`` random ones are
        checked: the energy at :meth:`expand` must equal the HUBO, and greedy descents over the
        ancillas, from there and from random ancilla values, must not go lower (``exact=False``).

        Memory is estimated first: when the exact check would exceed the budget
        (:func:`anneal_binn.memory.memory_budget`) the sampled one is used instead, with a
        :class:`~anneal_binn.memory.MemoryBudgetWarning`; when that does not fit either,
        :class:`~anneal_binn.errors.TooLargeError` is raised before allocating.
        """
        n = len(self.variables)
        m = self.num_ancillas
        q = int(self.qubo["values"].size)
        sparse_bytes = 24.0 * 4 * q + 16.0 * (n + m)  # J, its upper triangle and the COO lists
        # the exact path: per original assignment its best energy, bits and true energy, plus
        # one block of (n + enumerated ancillas) columns and the dense couplings among them
        exact_bytes = sparse_bytes + 2**n * (16.0 + n) + 8.0 * (1 << 22) * 4 + 8.0 * max_bits * (n + m) \
            + EVAL_CHUNK_BYTES
        checked = 2**n if n <= max_exhaustive else num_samples
        sampled_bytes = sparse_bytes + checked * n + 2048 * 8.0 * (n + m) * 8 + EVAL_CHUNK_BYTES
        what = f"verifying a reduction of {n} variables, {m:,} ancillas and {q:,} couplings"
        if n <= max_bits and not fits(exact_bytes):
            check_memory(sampled_bytes, what, "pass num_samples=/max_exhaustive= to check fewer assignments, "
                         "or check sampled states with Reduction.project")
            warnings.warn(f"{what}: the exact check would need ~{human(exact_bytes)}, over the memory budget "
                          f"(ANNEAL_BINN_MEMORY_LIMIT); checking {checked:,} assignments by greedy descent instead",
                          MemoryBudgetWarning, stacklevel=2)
            max_bits = -1  # take the sampled path below
        elif n > max_bits:
            check_memory(sampled_bytes, what, "pass num_samples=/max_exhaustive= to check fewer assignments, "
                         "or check sampled states with Reduction.project")
        h, J, Ju = self._sparse()
        scale = 1.0 + max((float(np.abs(c).max()) for _, c in self.source.blocks if c.size), default=0.0)
        tol = atol * scale
        groups, enum = _closed_form_groups(J[n:, n:], m, limit=max(0, max_bits - n))
        free = [n + k for g in groups for k in g]
        enum = [n + k for k in enum]

        if n + len(enum) <= max_bits:
            ne = len(enum)
            cols = list(range(n)) + enum
            hE = h[cols]
            JE = Ju[cols][:, cols].toarray()
            JE = np.triu(JE + np.tril(JE, -1).T, 1)  # keep each pair once whatever the order
            JF = J[cols][:, free].toarray()
            hF = h[free]
            # per group: its 2^s assignments and their energy among the group's own couplers
            parts, start = [], 0
            for g in groups:
                s_ = len(g)
                Y = ((np.arange(2**s_)[:, None] >> np.arange(s_)) & 1).astype(np.float64)
                Jg = np.triu(J[free[start:start + s_]][:, free[start:start + s_]].toarray(), 1)
                parts.append((slice(start, start + s_), Y, np.einsum("ai,ij,aj->a", Y, Jg, Y)))
                start += s_
            best = np.full(2**n, np.inf)
            block = max(1, (1 << 22) // max(1, n + ne + len(free)))
            total = 2 ** (n + ne)
            for start in range(0, total, block):
                k = np.arange(start, min(total, start + block))
                Z = ((k[:, None] >> np.arange(n + ne)) & 1).astype(np.float64)
                en = self.offset + Z @ hE + np.einsum("ci,ci->c", Z @ JE, Z)
                if free:
                    field = Z @ JF + hF
                    for sl, Y, inner in parts:
                        en += (field[:, sl] @ Y.T + inner).min(axis=1)
                np.minimum.at(best, k & (2**n - 1), en)
            xs = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8)
            true = self._compiled_hubo.energies(xs)
            err = float(np.max(np.abs(best - true)))
            return Verification(err <= tol, True, 2**n, err)

        rng = np.random.default_rng(seed)
        if n <= max_exhaustive:
            B = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8)
        else:
            B = rng.integers(0, 2, size=(num_samples, n), dtype=np.int8)
        err = 0.0
        for s in range(0, len(B), 2048):
            Bc = B[s : s + 2048]
            F = self._expand_binary(Bc).astype(np.float64)
            true = self._compiled_hubo.energies(Bc)
            at = self._dense_energy(F, h, Ju)
            err = max(err, float(np.max(np.abs(at - true))))
            rand = np.concatenate([F[:, :n], rng.integers(0, 2, size=(len(F), m))], axis=1).astype(np.float64)
            for Z in (F, rand):
                for _ in range(60):  # greedy descent over the ancillas only
                    field = np.asarray(J @ Z.T).T + h
                    gain = (1 - 2 * Z[:, n:]) * field[:, n:]
                    k = np.argmin(gain, axis=1)
                    improve = gain[np.arange(len(Z)), k] < -tol
                    if not improve.any():
                        break
                    r = np.nonzero(improve)[0]
                    Z[r, n + k[r]] = 1 - Z[r, n + k[r]]
                err = max(err, float(np.max(true - self._dense_energy(Z, h, Ju))))
        return Verification(err <= tol, False, len(B), err)

    def _dense_energy(self, Z: np.ndarray, h: np.ndarray, Ju) -> np.ndarray:
        return self.offset + Z @ h + np.einsum("ci,ci->c", np.asarray(Ju.T @ Z.T).T, Z)

    # ---- persistence ------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-ready dict (labels encoded so tuples survive); :meth:`from_dict` inverts it.

        Version 2 keeps the arrays as flat lists (a million couplers write in a second); version 1
        records (one object per ancilla and per term) are still read.
        """
        t = self.table
        return {
            "format": "anneal-binn.reduction",
            "version": 2,
            "method": self.method,
            "requested": self.requested,
            "vartype": self.vartype,
            "objective": self.objective,
            "candidates": [[m, a, list(sc)] for m, a, sc in self.candidates],
            "variables": [_encode(v) for v in self.variables],
            "ancilla_prefix": self.ancilla_prefix,
            "hubo": {"offset": self.source.offset,
                     "degrees": [[r.tolist(), c.tolist()] for r, c in self.source.blocks]},
            "ancillas": {"gadgets": list(GADGETS), "gadget": t["gadget"].tolist(), "factors": t["factors"].tolist(),
                         "negated": t["negated"].tolist(), "coefficient": t["coef"].tolist(),
                         "index": t["index"].tolist(), "penalty": t["penalty"].tolist()},
            "linear": self.qubo["linear"].tolist(),
            "quadratic": [self.qubo["rows"].tolist(), self.qubo["cols"].tolist(), self.qubo["values"].tolist()],
            "offset": self.offset,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> "Reduction":
        from anneal_binn.hubo import Hubo

        if d.get("format") != "anneal-binn.reduction":
            raise ValueError("reduction: not an anneal-binn reduction record (missing format tag)")
        if d.get("version", 1) == 1:
            return cls._from_v1(d)
        variables = tuple(_decode(v) for v in d["variables"])
        blocks = tuple((np.array(r, dtype=np.int64).reshape(len(c), k + 1), np.array(c, dtype=np.float64))
                       for k, (r, c) in enumerate(d["hubo"]["degrees"]))
        source = Hubo(variables, "BINARY", float(d["hubo"]["offset"]), blocks)
        a = d["ancillas"]
        codes = np.array([GADGETS.index(a["gadgets"][g]) for g in a["gadget"]], dtype=np.int8)
        m = codes.size
        factors = np.array(a["factors"], dtype=np.int64)
        table = dict(gadget=codes, factors=factors.reshape(m, factors.shape[1] if factors.ndim == 2 else 0),
                     negated=np.array(a["negated"], dtype=bool).reshape(m, -1 if m else 0),
                     coef=np.array(a["coefficient"], dtype=np.float64), index=np.array(a["index"], dtype=np.int64),
                     penalty=np.array(a["penalty"], dtype=np.float64).reshape(m, 2))
        rows, cols, vals = d["quadratic"]
        return cls.from_arrays(
            method=d["method"], requested=d["requested"], vartype=d["vartype"], source=source, table=table,
            linear=d["linear"], qi=rows, qj=cols, qv=vals, offset=d["offset"],
            ancilla_prefix=d.get("ancilla_prefix", "aux"), objective=d.get("objective", "ancillas"),
            candidates=tuple((m_, int(n_), tuple(float(x) for x in sc)) for m_, n_, sc in d.get("candidates", [])),
        )

    @classmethod
    def _from_v1(cls, d: Mapping) -> "Reduction":
        """A version-1 record (one object per ancilla, term and coupler)."""
        from anneal_binn.hubo import Hubo

        variables = tuple(_decode(v) for v in d["variables"])
        anc = d["ancillas"]
        labels = list(variables) + [a["label"] for a in anc]
        prefix = anc[0]["label"].rstrip("0123456789") if anc else "aux"
        if any(a["label"] != f"{prefix}{k}" for k, a in enumerate(anc)):
            raise ValueError("reduction: version-1 record whose ancilla labels are not prefix + index")
        index = {v: i for i, v in enumerate(labels)}
        kmax = max((len(a["factors"]) for a in anc), default=0)
        m = len(anc)
        factors = np.full((m, kmax), -1, dtype=np.int64)
        negated = np.zeros((m, kmax), dtype=bool)
        for k, a in enumerate(anc):
            f = [index[_decode(x)] for x in a["factors"]]
            factors[k, : len(f)] = f
            negated[k, : len(f)] = a["negated"]
        table = dict(gadget=np.array([GADGETS.index(a["gadget"]) for a in anc], dtype=np.int8), factors=factors,
                     negated=negated, coef=np.array([a["coefficient"] for a in anc], dtype=np.float64),
                     index=np.array([a["index"] for a in anc], dtype=np.int64),
                     penalty=np.array([a["penalty"] for a in anc], dtype=np.float64).reshape(m, 2))
        source = Hubo.from_terms([(tuple(_decode(v) for v in t), c) for t, c in d["hubo"]], variables, "BINARY")
        source = Hubo(variables, "BINARY", float(d["hubo_offset"]), source.blocks)
        lin = np.zeros(len(labels))
        for v, b in d["linear"]:
            lin[index[_decode(v)]] += b
        q = sorted((min(index[_decode(u)], index[_decode(v)]), max(index[_decode(u)], index[_decode(v)]), b)
                   for u, v, b in d["quadratic"])
        return cls.from_arrays(
            method=d["method"], requested=d["requested"], vartype=d["vartype"], source=source, table=table,
            linear=lin, qi=[x[0] for x in q], qj=[x[1] for x in q], qv=[x[2] for x in q], offset=d["offset"],
            ancilla_prefix=prefix,
        )

    def save(self, path: str | Path) -> Path:
        """Write the record as JSON (floats are written with full precision)."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=1))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Reduction":
        """Read a record written by :meth:`save`."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    def replace(self, **changes) -> "Reduction":
        """A copy with fields changed; ``linear=`` and ``quadratic=`` may be given in the tuple
        forms of :attr:`linear` and :attr:`quadratic` (BINARY)."""
        qubo = dict(self.qubo)
        if "linear" in changes:
            lin = np.zeros(qubo["linear"].size)
            for v, b in changes.pop("linear"):
                lin[self._index[v]] += b
            qubo["linear"] = lin
        if "quadratic" in changes:
            acc: dict = {}
            for (u, v), b in changes.pop("quadratic"):
                i, j = sorted((self._index[u], self._index[v]))
                acc[(i, j)] = acc.get((i, j), 0.0) + b
            keys = sorted(k for k, b in acc.items() if b != 0.0)
            qubo["rows"] = np.array([i for i, _ in keys], dtype=np.int64)
            qubo["cols"] = np.array([j for _, j in keys], dtype=np.int64)
            qubo["values"] = np.array([acc[k] for k in keys], dtype=np.float64)
        if "offset" in changes:
            qubo["offset"] = float(changes.pop("offset"))
        return dataclasses.replace(self, qubo=qubo, **changes)
