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

GADGETS = ("substitution", "freedman-drineas", "ishikawa")


@dataclass(frozen=True)
class Ancilla:
    """One auxiliary variable of a reduced QUBO.

    Attributes:
        label: its variable label in the QUBO (a string, so it never collides with int variables).
        gadget: ``"substitution"`` (Rosenberg: the ancilla stands for the product of ``factors``),
            ``"freedman-drineas"`` (negative monomial, ``coefficient < 0``) or ``"ishikawa"``
            (positive monomial, ``coefficient > 0``).
        factors: labels of the symbols the gadget reads: original variables or earlier ancillas.
        negated: per factor, whether the gadget reads its complement ``1 - x`` (Freedman-Drineas
            on literals, used for positive monomials by ``method="freedman-drineas"``).
        coefficient: the monomial coefficient the gadget reproduces (0.0 for substitution).
        index: Ishikawa's ``i`` (1-based) among the monomial's ancillas; 0 otherwise.
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
        if self.gadget == "ishikawa":
            return f"{self.label}: ishikawa w{self.index} of {self.coefficient:g}*{'*'.join(lits)}"
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


@dataclass(frozen=True)
class Reduction:
    """Typed, frozen record of a HUBO -> QUBO reduction.

    Attributes:
        method: the method that produced the QUBO (what ``"auto"`` chose, if it was asked for).
        requested: the method that was asked for.
        vartype: ``"BINARY"`` or ``"SPIN"``, of both the input HUBO and the returned QUBO.
        variables: the original variables, in canonical order.
        ancillas: every ancilla, in definition order (factors always come first).
        hubo: the HUBO in BINARY form, as ``((variables...), coefficient)`` pairs.
        hubo_offset: its constant.
        linear, quadratic, offset: the QUBO in BINARY form.

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
    variables: tuple
    ancillas: tuple
    hubo: tuple
    hubo_offset: float
    linear: tuple
    quadratic: tuple
    offset: float

    # ---- summaries -------------------------------------------------------------------------
    @property
    def num_ancillas(self) -> int:
        return len(self.ancillas)

    @property
    def ancilla_labels(self) -> tuple:
        return tuple(a.label for a in self.ancillas)

    @property
    def max_penalty(self) -> float:
        return max((max(a.penalty) for a in self.ancillas), default=0.0)

    @functools.cached_property
    def bqm(self) -> dimod.BinaryQuadraticModel:
        """The reduced QUBO, in :attr:`vartype` (a fresh copy each time it is first built)."""
        bqm = dimod.BinaryQuadraticModel(dict(self.linear), dict(self.quadratic), self.offset, dimod.BINARY)
        if self.vartype == "SPIN":
            bqm.change_vartype(dimod.SPIN, inplace=True)
        return bqm

    def to_hubo(self) -> dimod.BinaryPolynomial:
        """The original HUBO, in :attr:`vartype`."""
        terms = {t: c for t, c in self.hubo}
        if self.hubo_offset:
            terms[()] = terms.get((), 0.0) + self.hubo_offset
        poly = dimod.BinaryPolynomial(terms, dimod.BINARY)
        for v in self.variables:  # keep variables that only appear in cancelled terms
            poly.setdefault(frozenset((v,)), 0.0)
        return poly.to_spin() if self.vartype == "SPIN" else poly

    # ---- internal helpers --------------------------------------------------------------------
    @functools.cached_property
    def _index(self) -> dict:
        labels = list(self.variables) + [a.label for a in self.ancillas]
        return {v: i for i, v in enumerate(labels)}

    @functools.cached_property
    def _compiled_hubo(self) -> CompiledPolynomial:
        """The BINARY HUBO over :attr:`variables`, compiled once for every evaluation."""
        idx = self._index
        return CompiledPolynomial.from_terms(
            [(tuple(idx[v] for v in t), c) for t, c in self.hubo], self.hubo_offset, self.variables
        )

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
        """(C, n) 0/1 -> (C, n + m) 0/1 with every ancilla at an optimal value."""
        idx = self._index
        n = len(self.variables)
        out = np.zeros((B.shape[0], n + len(self.ancillas)), dtype=np.int8)
        out[:, :n] = B
        for k, a in enumerate(self.ancillas):
            cols = [idx[f] for f in a.factors]
            lits = [(1 - out[:, c]) if neg else out[:, c] for c, neg in zip(cols, a.negated)]
            if a.gadget == "ishikawa":
                # w_i's own coefficient is c*(c_id*(2i - S1) - 1) with c > 0: negative iff S1 >= 2i
                s1 = np.sum(lits, axis=0)
                val = s1 >= 2 * a.index
            else:  # substitution: the product; freedman-drineas: 1 iff every literal is 1
                val = np.all(lits, axis=0)
            out[:, n + k] = val
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

    def _broken(self, F: np.ndarray) -> np.ndarray:
        """Per row of a full binary assignment: how many ancillas sit at a non-optimal value."""
        idx = self._index
        n = len(self.variables)
        broken = np.zeros(F.shape[0], dtype=np.int64)
        bqm = dimod.BinaryQuadraticModel(dict(self.linear), dict(self.quadratic), 0.0, dimod.BINARY)
        for k, a in enumerate(self.ancillas):
            col = F[:, n + k]
            if a.gadget == "substitution":
                u, v = (idx[f] for f in a.factors)
                broken += col != (F[:, u] & F[:, v])
            else:
                # a gadget ancilla is broken when flipping it strictly lowers the energy
                field = np.full(F.shape[0], bqm.get_linear(a.label))
                for nb, bias in bqm.iter_neighborhood(a.label):
                    field += bias * F[:, idx[nb]]
                broken += np.where(col == 1, field > 1e-12, field < -1e-12)
        return broken

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
        must be enumerated: ancillas with no coupling to one another are minimised in closed form
        (``min(0, local field)``) and the rest enumerated, so the minimum is exact for any QUBO.
        Otherwise every assignment (``n <= max_exhaustive``) or ``num_samples`` random ones are
        checked: the energy at :meth:`expand` must equal the HUBO, and greedy descents over the
        ancillas, from there and from random ancilla values, must not go lower (``exact=False``).

        Memory is estimated first: when the exact check would exceed the budget
        (:func:`anneal_binn.memory.memory_budget`) the sampled one is used instead, with a
        :class:`~anneal_binn.memory.MemoryBudgetWarning`; when that does not fit either,
        :class:`~anneal_binn.errors.TooLargeError` is raised before allocating.
        """
        import scipy.sparse as sp

        n = len(self.variables)
        m = len(self.ancillas)
        q = len(self.quadratic)
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
        idx = self._index
        h = np.zeros(n + m)
        rows, cols_, vals = [], [], []
        for v, b in self.linear:
            h[idx[v]] += b
        for (u, v), b in self.quadratic:
            rows += [idx[u], idx[v]]
            cols_ += [idx[v], idx[u]]
            vals += [b, b]
        J = sp.csr_matrix((vals, (rows, cols_)), shape=(n + m, n + m))
        Ju = sp.triu(J, 1).tocsr()
        scale = 1.0 + max((abs(c) for _, c in self.hubo), default=0.0)
        tol = atol * scale
        # a set of ancillas with no couplings among them, minimised in closed form
        anc_adj = J[n:, n:].tolil().rows
        in_free = np.zeros(m, dtype=bool)
        for k in reversed(range(m)):
            if not any(in_free[j] for j in anc_adj[k]):
                in_free[k] = True
        free = [n + k for k in range(m) if in_free[k]]
        enum = [n + k for k in range(m) if not in_free[k]]

        if n + len(enum) <= max_bits:
            ne = len(enum)
            cols = list(range(n)) + enum
            hE = h[cols]
            JE = Ju[cols][:, cols].toarray()
            JE = np.triu(JE + np.tril(JE, -1).T, 1)  # keep each pair once whatever the order
            JF = J[cols][:, free].toarray()
            hF = h[free]
            best = np.full(2**n, np.inf)
            block = max(1, (1 << 22) // max(1, n + ne + len(free)))
            total = 2 ** (n + ne)
            for start in range(0, total, block):
                k = np.arange(start, min(total, start + block))
                Z = ((k[:, None] >> np.arange(n + ne)) & 1).astype(np.float64)
                en = self.offset + Z @ hE + np.einsum("ci,ci->c", Z @ JE, Z)
                if free:
                    en += np.minimum(0.0, Z @ JF + hF).sum(axis=1)
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
        """A JSON-ready dict (labels encoded so tuples survive); :meth:`from_dict` inverts it."""
        return {
            "format": "anneal-binn.reduction",
            "version": 1,
            "method": self.method,
            "requested": self.requested,
            "vartype": self.vartype,
            "variables": [_encode(v) for v in self.variables],
            "ancillas": [
                {
                    "label": a.label,
                    "gadget": a.gadget,
                    "factors": [_encode(f) for f in a.factors],
                    "negated": list(a.negated),
                    "coefficient": a.coefficient,
                    "index": a.index,
                    "penalty": list(a.penalty),
                    "definition": a.definition,
                }
                for a in self.ancillas
            ],
            "hubo": [[[_encode(v) for v in t], c] for t, c in self.hubo],
            "hubo_offset": self.hubo_offset,
            "linear": [[_encode(v), b] for v, b in self.linear],
            "quadratic": [[_encode(u), _encode(v), b] for (u, v), b in self.quadratic],
            "offset": self.offset,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> "Reduction":
        if d.get("format") != "anneal-binn.reduction":
            raise ValueError("reduction: not an anneal-binn reduction record (missing format tag)")
        ancillas = tuple(
            Ancilla(
                a["label"],
                a["gadget"],
                tuple(_decode(f) for f in a["factors"]),
                tuple(bool(x) for x in a["negated"]),
                float(a["coefficient"]),
                int(a["index"]),
                tuple(float(x) for x in a["penalty"]),
            )
            for a in d["ancillas"]
        )
        return cls(
            method=d["method"],
            requested=d["requested"],
            vartype=d["vartype"],
            variables=tuple(_decode(v) for v in d["variables"]),
            ancillas=ancillas,
            hubo=tuple((tuple(_decode(v) for v in t), float(c)) for t, c in d["hubo"]),
            hubo_offset=float(d["hubo_offset"]),
            linear=tuple((_decode(v), float(b)) for v, b in d["linear"]),
            quadratic=tuple(((_decode(u), _decode(v)), float(b)) for u, v, b in d["quadratic"]),
            offset=float(d["offset"]),
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
        return dataclasses.replace(self, **changes)
