"""The :class:`Reduction` record: what every ancilla means, and how to go back to the HUBO."""
from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path

import dimod
import numpy as np

from anneal_binn.reduction._terms import evaluate_terms

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
    def _int_hubo(self) -> list:
        idx = self._index
        return [(tuple(idx[v] for v in t), c) for t, c in self.hubo]

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
        return evaluate_terms(self._int_hubo, self.hubo_offset, B)

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

    def verify(self, *, max_bits: int = 22, num_samples: int = 2000, seed: int = 0, atol: float = 1e-9) -> Verification:
        """Check that ``min over ancillas of QUBO(x, a) == HUBO(x)``.

        Exact when ``2**(n + e) <= 2**max_bits``, where ``e`` is the number of ancillas that must be
        enumerated: ancillas with no coupling to one another are minimised in closed form
        (``min(0, local field)``), the rest enumerated, so the minimum is exact for any QUBO.
        Otherwise ``num_samples`` random assignments are checked: the energy at :meth:`expand`
        equals the HUBO and no single ancilla flip or greedy descent from random ancilla values
        goes lower (``exact=False``).
        """
        n = len(self.variables)
        m = len(self.ancillas)
        labels = list(self.variables) + list(self.ancilla_labels)
        idx = self._index
        h = np.zeros(n + m)
        J = np.zeros((n + m, n + m))
        for v, b in self.linear:
            h[idx[v]] += b
        for (u, v), b in self.quadratic:
            i, j = idx[u], idx[v]
            J[i, j] += b
            J[j, i] += b
        # choose a set of ancillas with no couplings among them (minimised in closed form)
        free: list[int] = []
        for k in reversed(range(n, n + m)):
            if not any(J[k, f] for f in free):
                free.append(k)
        free.sort()
        enum = [k for k in range(n, n + m) if k not in set(free)]
        scale = 1.0 + max(abs(c) for _, c in self.hubo) if self.hubo else 1.0
        tol = atol * scale
        if n + len(enum) <= max_bits:
            cols = list(range(n)) + enum
            hE = h[cols]
            JE = np.triu(J[np.ix_(cols, cols)], 1)
            JF = J[np.ix_(cols, free)]
            hF = h[free]
            xs = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.float64)
            best = np.full(2**n, np.inf)
            ne = len(enum)
            chunk = max(1, (1 << 18) >> n)
            for start in range(0, 2**ne, chunk):
                es = np.arange(start, min(2**ne, start + chunk))
                E = ((es[:, None] >> np.arange(ne)) & 1).astype(np.float64)
                Z = np.concatenate(
                    [np.repeat(xs[None], len(es), 0), np.repeat(E[:, None, :], 2**n, 1)], axis=2
                ).reshape(-1, n + ne)
                en = self.offset + Z @ hE + np.einsum("ci,ij,cj->c", Z, JE, Z)
                if free:
                    en += np.minimum(0.0, Z @ JF + hF).sum(axis=1)
                best = np.minimum(best, en.reshape(len(es), 2**n).min(axis=0))
            true = evaluate_terms(self._int_hubo, self.hubo_offset, xs.astype(np.int8))
            err = float(np.max(np.abs(best - true))) if n else float(abs(best[0] - true[0]))
            return Verification(err <= tol, True, 2**n, err)
        rng = np.random.default_rng(seed)
        B = rng.integers(0, 2, size=(num_samples, n), dtype=np.int8)
        F = self._expand_binary(B).astype(np.float64)
        Ju = np.triu(J, 1)

        def energy(Z):
            return self.offset + Z @ h + np.einsum("ci,ij,cj->c", Z, Ju, Z)

        true = evaluate_terms(self._int_hubo, self.hubo_offset, B)
        at = energy(F)
        err = float(np.max(np.abs(at - true)))
        lowest = at.copy()
        # greedy descent over the ancillas only, from the optimal and from random ancilla values
        for start in (F, np.concatenate([F[:, :n], rng.integers(0, 2, size=(num_samples, m))], axis=1)):
            Z = start.copy()
            for _ in range(4 * m + 4):
                field = Z @ J + h  # energy change of flipping k is (1 - 2 z_k) * field_k
                gain = (1 - 2 * Z[:, n:]) * field[:, n:]
                k = np.argmin(gain, axis=1)
                improve = gain[np.arange(len(Z)), k] < -tol
                if not improve.any():
                    break
                rows = np.nonzero(improve)[0]
                Z[rows, n + k[rows]] = 1 - Z[rows, n + k[rows]]
            lowest = np.minimum(lowest, energy(Z))
        err = max(err, float(np.max(true - lowest)))
        return Verification(err <= tol, False, num_samples, err)

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
