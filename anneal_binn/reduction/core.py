"""``reduce``: HUBO -> QUBO with exact gadgets and per-ancilla minimal sufficient penalties.

Why the substitution penalties are sufficient (and how they are computed)
-------------------------------------------------------------------------
After substitution the HUBO becomes a polynomial ``H'`` in *symbols* (original variables and
ancillas ``y_k = u_k * v_k``); terms that still have three or more symbols are then written with an
exact gadget, whose minimum over its own ancillas equals the monomial for *any* symbol values, so
``H'`` is all that matters. Each substitution ancilla gets the penalty
``P_k = beta_k*u*v - (alpha_k+beta_k)*(u+v)*y + (2*alpha_k+beta_k)*y``, which is 0 when ``y = u*v``,
at least ``alpha_k`` when ``y = 1 > u*v`` and ``beta_k`` when ``y = 0 < u*v``. Let

* ``up_k`` = sum of the positive coefficients of the ``H'`` terms containing ``y_k`` (the most that
  wrongly setting ``y_k = 0`` can gain), ``down_k`` = sum of ``|negative|`` ones (setting it to 1),
* ``desc(k)`` = the ancillas whose definitions use ``y_k``, directly or transitively,
* ``alpha_k = down_k + sum_{j in desc(k)} max(up_j, down_j)``, ``beta_k = up_k + (same sum)``.

Claim: ``H'(x, y) + sum_k P_k(y) >= H(x)`` for every ``y``, with equality at the correct ``y*``.
Proof: let ``D`` be the ancillas with ``y_k != y*_k`` and ``R`` those of ``D`` with ``P_k(y) > 0``.
An ancilla of ``D \\ R`` satisfies ``y_k = u_k*v_k`` with its own (wrong) factors, so one of its
factors is in ``D``; following wrong factors back through earlier ancillas ends in ``R`` (an ancilla
with correct factors and a wrong value has a positive penalty), so ``D`` lies within
``R`` together with the descendants of ``R``. Flipping the ancillas of ``D`` one at a time to ``y*``
raises ``H'`` by at most ``up_k`` or ``down_k`` each (every term is multilinear, other factors are
0 or 1), so ``H(x) - H'(x, y) <= sum_{k in D} ... <= sum_{r in R} (alpha_r or beta_r)
<= sum_k P_k(y)``, where each ``r in R`` pays with the penalty of its own direction. QED.
For an ancilla with no descendants whose terms share no other ancilla these values are the
smallest that keep the reduction exact (the tests lower them and find a broken ground state).
"""
from __future__ import annotations

import math
import warnings
from collections import defaultdict
from dataclasses import dataclass

import dimod
import numpy as np

from anneal_binn.memory import MemoryBudgetWarning, check_memory, fits, human, memory_budget

from anneal_binn.reduction._terms import Term, to_int_terms
from anneal_binn.reduction.cover import cover_lower_bound, gadget_cost, greedy_pairs, optimized_cover, prune_leaves
from anneal_binn.reduction.record import Ancilla, Reduction

METHODS = ("auto", "hybrid", "cover", "substitution", "freedman-drineas", "ishikawa")


class _Builder:
    """Accumulates a BINARY QUBO over integer ids plus the ancilla definitions."""

    def __init__(self, n: int):
        self.n = n
        self.lin: dict[int, float] = defaultdict(float)
        self.quad: dict[tuple[int, int], float] = defaultdict(float)
        self.offset = 0.0
        self.anc: list[dict] = []

    def new(self, gadget, factors, negated=None, coefficient=0.0, index=0, penalty=(0.0, 0.0)) -> int:
        self.anc.append(
            dict(
                gadget=gadget,
                factors=tuple(factors),
                negated=tuple(negated) if negated is not None else (False,) * len(factors),
                coefficient=float(coefficient),
                index=index,
                penalty=penalty,
            )
        )
        return self.n + len(self.anc) - 1

    def add(self, symbols, c: float) -> None:
        if len(symbols) == 0:
            self.offset += c
        elif len(symbols) == 1:
            self.lin[symbols[0]] += c
        elif len(symbols) == 2:
            u, v = symbols
            if u == v:
                self.lin[u] += c
            else:
                self.quad[(u, v) if u < v else (v, u)] += c
        else:  # pragma: no cover - callers only emit quadratic pieces
            raise ValueError("internal: term of degree > 2 emitted")

    # --- exact gadgets ---------------------------------------------------------------------------
    def freedman_drineas(self, symbols, c: float, negated=None) -> None:
        """c * prod(literals) = min_w c*w*(sum(literals) - (k-1)), for c < 0."""
        k = len(symbols)
        negated = negated or (False,) * k
        w = self.new("freedman-drineas", symbols, negated, c)
        self.add((w,), -c * (k - 1))
        for s, neg in zip(symbols, negated):
            if neg:  # literal 1 - s
                self.add((w,), c)
                self.add((w, s), -c)
            else:
                self.add((w, s), c)

    def ishikawa(self, symbols, c: float) -> None:
        """c * prod(s) = c * min_w [sum_i w_i (c_id (2i - S1) - 1) + S2], for c > 0 (Ishikawa 2011)."""
        d = len(symbols)
        nd = (d - 1) // 2
        for i in range(d):
            for j in range(i + 1, d):
                self.add((symbols[i], symbols[j]), c)
        for i in range(1, nd + 1):
            cid = 1 if (d % 2 == 1 and i == nd) else 2
            w = self.new("ishikawa", symbols, None, c, index=i)
            self.add((w,), c * (2 * i * cid - 1))
            for s in symbols:
                self.add((w, s), -c * cid)

    def finish(self, symbols, c: float) -> None:
        """Write one monomial over symbols: directly if quadratic, else with an exact gadget."""
        if len(symbols) <= 2:
            self.add(symbols, c)
        elif c < 0:
            self.freedman_drineas(symbols, c)
        else:
            self.ishikawa(symbols, c)


def _penalties(pairs, symbol_poly: dict[Term, float], first_id: int) -> list[tuple[float, float]]:
    """Per-ancilla (alpha, beta), see the module docstring."""
    m = len(pairs)
    up = np.zeros(m)
    down = np.zeros(m)
    for syms, c in symbol_poly.items():
        for s in syms:
            if s >= first_id:
                if c > 0:
                    up[s - first_id] += c
                else:
                    down[s - first_id] -= c
    children: list[list[int]] = [[] for _ in range(m)]
    for k, (u, v) in enumerate(pairs):
        for f in (u, v):
            if f >= first_id:
                children[f - first_id].append(k)
    worst = np.maximum(up, down)
    desc: list[set[int]] = [set() for _ in range(m)]
    for k in reversed(range(m)):  # children are defined later than their parents
        for ch in children[k]:
            desc[k].add(ch)
            desc[k] |= desc[ch]
    out = []
    for k in range(m):
        extra = float(sum(worst[j] for j in sorted(desc[k])))
        out.append((float(down[k]) + extra, float(up[k]) + extra))
    return out


def _with_pairs(terms, n, pairs, symbol_terms) -> _Builder:
    """Substitution ancillas for ``pairs`` + exact gadgets for whatever stays above degree 2."""
    b = _Builder(n)
    symbol_poly: dict[Term, float] = {}
    for t, c in terms.items():
        s = tuple(sorted(symbol_terms.get(t, t)))
        symbol_poly[s] = symbol_poly.get(s, 0.0) + c
    pens = _penalties(pairs, symbol_poly, n)
    for (u, v), (alpha, beta) in zip(pairs, pens):
        y = b.new("substitution", (u, v), penalty=(alpha, beta))
        b.add((u, v), beta)
        b.add((u, y), -(alpha + beta))
        b.add((v, y), -(alpha + beta))
        b.add((y,), 2 * alpha + beta)
    for s, c in symbol_poly.items():
        if c != 0.0:
            b.finish(s, c)
    return b


def _substitution(terms, n, *, greedy=None, **_) -> _Builder:
    high = {t: c for t, c in terms.items() if len(t) >= 3}
    pairs, symbol_terms = greedy or greedy_pairs(high, n)
    return _with_pairs(terms, n, pairs, symbol_terms)


def _hybrid(terms, n, *, greedy=None, **_) -> _Builder:
    high = {t: c for t, c in terms.items() if len(t) >= 3}
    pairs, symbol_terms = greedy or greedy_pairs(high, n)
    pairs, symbol_terms = prune_leaves(high, n, pairs, symbol_terms)
    return _with_pairs(terms, n, pairs, symbol_terms)


def _cover(terms, n, *, seed=0, steps=None) -> _Builder:
    pairs, matching = optimized_cover(terms, steps=steps, seed=seed)
    ids = {p: n + k for k, p in enumerate(pairs)}
    symbol_terms = {}
    for t, m in matching.items():
        used = {v for p in m for v in p}
        symbol_terms[t] = tuple(sorted([v for v in t if v not in used] + [ids[p] for p in m]))
    return _with_pairs(terms, n, pairs, symbol_terms)


def _ishikawa(terms, n, **_) -> _Builder:
    b = _Builder(n)
    for t, c in terms.items():
        b.finish(t, c)
    return b


def _freedman_drineas(terms, n, **_) -> _Builder:
    """Negative monomials: one FD ancilla. Positive ``c*x_T`` = ``-c*(1-x_i)*x_{T-i} + c*x_{T-i}``:
    an FD gadget on literals plus a lower-degree term pushed back into the pool, where it may merge
    with an existing term (the ``i`` whose merge leaves the cheapest remainder is chosen)."""
    b = _Builder(n)
    pool = dict(terms)
    top = max((len(t) for t in pool), default=0)
    for d in range(top, 2, -1):
        for t in sorted(k for k in pool if len(k) == d):
            c = pool.pop(t)
            if c == 0.0:
                continue
            if c < 0:
                b.freedman_drineas(t, c)
                continue

            def after(i):
                rest = tuple(v for v in t if v != i)
                newc = pool.get(rest, 0.0) + c
                return (gadget_cost(len(rest), -1.0) if newc < 0 else (0 if newc == 0 else len(rest) - 2), i)

            i = min(t, key=after)
            rest = tuple(v for v in t if v != i)
            pool[rest] = pool.get(rest, 0.0) + c
            b.freedman_drineas((i,) + rest, -c, (True,) + (False,) * len(rest))
    for t, c in pool.items():
        if c != 0.0:
            b.add(t, c)
    return b


_BUILDERS = {
    "substitution": _substitution,
    "cover": _cover,
    "hybrid": _hybrid,
    "ishikawa": _ishikawa,
    "freedman-drineas": _freedman_drineas,
}


_AUTO_ORDER = ("hybrid", "cover", "substitution", "ishikawa", "freedman-drineas")  # preference on ties


def _auto(terms, n, *, seed=0, steps=None, allowed=None) -> tuple[str, _Builder]:
    """Every method in ``allowed`` (default all), cheapest by :func:`_cost`; the pair-cover search
    is skipped when its lower bound already exceeds a built candidate's ancillas (dense high-degree
    HUBOs, where it took minutes to lose). Only the best candidate so far is kept, so the peak
    memory is that of two builders, not of all five."""
    allowed = set(_AUTO_ORDER) if allowed is None else set(allowed)
    rank = {m: i for i, m in enumerate(_AUTO_ORDER)}
    best: list = []
    fewest = math.inf

    def consider(name: str, b: _Builder) -> None:
        nonlocal fewest
        fewest = min(fewest, len(b.anc)) if name != "cover" else fewest
        if not best or (_cost(b), rank[name]) < (_cost(best[1]), rank[best[0]]):
            best[:] = [name, b]

    if allowed & {"hybrid", "substitution"}:
        high = {t: c for t, c in terms.items() if len(t) >= 3}
        greedy = greedy_pairs(high, n)  # shared by substitution and hybrid
        for name, build in (("hybrid", _hybrid), ("substitution", _substitution)):
            if name in allowed:
                consider(name, build(terms, n, greedy=greedy))
        del greedy, high
    for name, build in (("ishikawa", _ishikawa), ("freedman-drineas", _freedman_drineas)):
        if name in allowed:
            consider(name, build(terms, n))
    if "cover" in allowed and cover_lower_bound(terms) <= fewest:
        consider("cover", _cover(terms, n, seed=seed, steps=steps))
    return best[0], best[1]


# ---- memory estimates -------------------------------------------------------------------------
# Bytes per unit of each size feature, fitted with tracemalloc on random HUBOs (16-30 variables,
# degrees 3-16, 300-8,000 terms: python benchmarks/reduction_memory.py), rounded up so the
# estimate is an upper bound on those. Python objects dominate: a heap entry of greedy_pairs is a
# 3-tuple (~100 bytes), a term's symbol list and dict entry ~400 bytes.
_BYTES = {
    "term": 450.0,  # integer form: key tuple, dict entry, coefficient
    "degree": 8.0,  # per variable of a term, in its key tuple
    "spin_part": 80.0,  # SPIN -> BINARY expansion: one float per subset of each term
    "greedy_push": 150.0,  # greedy_pairs: heap entries and holder sets, per pair a term ever offers
    "build": 250.0,  # a substitution/cover builder, per variable occurrence
    "matching": 320.0,  # optimized_cover: one candidate matching of one term
    "cover_term": 400.0,  # optimized_cover: per term bookkeeping
    "ishikawa": 200.0,  # per variable occurrence
    "ishikawa_pair": 60.0,  # per pair of a positive term (its quadratic part)
    "fd": 550.0,  # freedman-drineas, per variable occurrence
    "record": 300.0,  # the Reduction record and the BQM, per quadratic entry
}
_MATCHINGS = {3: 3, 4: 9, 5: 25, 6: 75, 7: 231, 8: 763}  # non-empty matchings of K_d


@dataclass(frozen=True)
class Footprint:
    """Size features of a HUBO that the memory of each reduction grows with.

    Attributes:
        variables, terms, max_degree: of the HUBO (in BINARY form; for SPIN input, scaled up to
            the number of BINARY terms its expansion can have).
        degree_sum: sum of the term degrees.
        pairs: sum over terms of degree >= 3 of C(d, 2).
        pushes: sum over terms of degree >= 3 of C(d+1, 3) - 1, the pairs a term offers over the
            whole greedy substitution (its degree falls by one per substitution).
        matchings: candidate matchings the cover search enumerates.
        spin_parts: sum over SPIN terms of 2^d (0 for BINARY input).
    """

    variables: int
    terms: int
    max_degree: int
    degree_sum: float
    pairs: float
    pushes: float
    matchings: float
    spin_parts: float

    @classmethod
    def of(cls, hubo: dimod.BinaryPolynomial) -> "Footprint":
        """Measure ``hubo`` in O(terms), allocating nothing per term.

        Examples:
            >>> Footprint.of(dimod.BinaryPolynomial({(0, 1, 2): 1.0, (0,): 2.0}, "BINARY")).pushes
            3.0
        """
        spin = hubo.vartype is dimod.SPIN
        d = np.fromiter((len(t) for t in hubo.keys()), dtype=np.int64, count=len(hubo))
        negative = np.fromiter((b < 0 for b in hubo.values()), dtype=bool, count=len(hubo))
        df = d.astype(np.float64)
        high = d >= 3
        T = int(d.size)
        D = float(df.sum())
        dmax = int(d.max()) if T else 0
        P2 = float((df * (df - 1) / 2)[high].sum())
        P3 = float(((df + 1) * df * (df - 1) / 6 - 1)[high].sum())
        # the cover cannot help negative terms above degree 4 (cover._cover_cannot_help); a SPIN
        # term's BINARY signs are unknown here, so it counts either way
        table = np.zeros(max(dmax, 8) + 1)
        table[list(_MATCHINGS)] = list(_MATCHINGS.values())
        helped = spin | ~negative | (d <= 4)
        M = float(table[d][helped].sum())
        S = float(np.exp2(df).sum()) if spin else 0.0
        n = len(hubo.variables)
        scale = max(1.0, min(S, 2.0**n) / T) if spin and T else 1.0
        return cls(n, int(T * scale), dmax, D * scale, P2 * scale, P3 * scale, M * scale, S)

    def describe(self) -> str:
        return f"{self.terms:,} terms of degree up to {self.max_degree} over {self.variables} variables"


def _estimate_parts(fp: Footprint, method: str) -> tuple[float, float, float, float]:
    """Bytes of (integer form, ``method``'s transient peak, the builder it keeps, its record)."""
    B = _BYTES
    base = B["term"] * fp.terms + B["degree"] * fp.degree_sum + B["spin_part"] * fp.spin_parts
    build = B["build"] * fp.degree_sum
    gadgets = B["ishikawa_pair"] * fp.pairs  # positive terms finished by Ishikawa: all their pairs
    record = B["record"] * (fp.degree_sum + fp.pairs)
    if method in ("substitution", "hybrid"):  # every term ends with at most two symbols
        return base, B["greedy_push"] * fp.pushes, build, B["record"] * (fp.terms + fp.degree_sum / 2)
    if method == "cover":
        return base, B["matching"] * fp.matchings + B["cover_term"] * fp.terms, build + gadgets, record
    if method == "ishikawa":
        return base, 0.0, B["ishikawa"] * fp.degree_sum + gadgets, record
    return base, 0.0, B["fd"] * fp.degree_sum, B["record"] * fp.degree_sum


def estimate_memory(fp: Footprint, method: str, allowed=None) -> float:
    """Peak bytes :func:`reduce` would allocate for a HUBO of footprint ``fp``.

    The integer form of the HUBO stays alive throughout; on top of it either the method's
    transient search (greedy heap, cover matchings) or the builder it produces plus the record
    built from it. ``"auto"`` (restricted to ``allowed``) may also hold the best candidate so far.

    Examples:
        >>> fp = Footprint.of(dimod.BinaryPolynomial({tuple(range(21)): 1.0}, "BINARY"))
        >>> estimate_memory(fp, "freedman-drineas") < estimate_memory(fp, "substitution")
        True
    """
    if method != "auto":
        base, transient, kept, record = _estimate_parts(fp, method)
        return base + max(transient, kept + record)
    parts = [_estimate_parts(fp, m) for m in (allowed or _AUTO_ORDER)]
    held = max(p[2] for p in parts)
    return parts[0][0] + held + max(max(p[1] for p in parts), held + max(p[3] for p in parts))


_ADVICE = ("truncate the HUBO (to_hubo(max_degree=..., threshold=...), or a larger rtol) "
           "or use a direct HUBO solver (hubo-sa)")


def _plan_memory(fp: Footprint, method: str):
    """The methods ``"auto"`` may build within the memory budget (None: all), or refuse.

    Explicit methods are refused when they do not fit. ``"auto"`` first drops the pair-cover
    search, then every method that does not fit alone, with a :class:`MemoryBudgetWarning`
    saying so; it is refused when no method fits.
    """
    if method != "auto":
        check_memory(estimate_memory(fp, method), f"reducing {fp.describe()} (method {method!r})", _ADVICE)
        return None
    if fits(estimate_memory(fp, "auto")):
        return None
    solo = {m: estimate_memory(fp, m) for m in _AUTO_ORDER}
    allowed = [m for m in _AUTO_ORDER if m != "cover"]
    if not fits(estimate_memory(fp, "auto", allowed)):
        allowed = [m for m in allowed if fits(solo[m])]
        while allowed and not fits(estimate_memory(fp, "auto", allowed)):
            allowed.remove(max(allowed, key=solo.__getitem__))
    if not allowed:
        cheapest = min(solo, key=solo.__getitem__)
        check_memory(solo[cheapest], f"reducing {fp.describe()} (method 'auto', even its cheapest "
                     f"method {cheapest!r})", _ADVICE)
    skipped = [m for m in _AUTO_ORDER if m not in allowed]
    warnings.warn(
        f"reduce(method='auto'): skipped {', '.join(skipped)} for {fp.describe()}: "
        + "; ".join(f"{m} needs ~{human(solo[m])}" for m in skipped)
        + f", and all together ~{human(estimate_memory(fp, 'auto'))}, over the memory budget of "
        f"{human(memory_budget())} (ANNEAL_BINN_MEMORY_LIMIT)",
        MemoryBudgetWarning,
        stacklevel=3,
    )
    return allowed


def _cost(b: _Builder) -> tuple:
    biases = np.abs([x for x in list(b.lin.values()) + list(b.quad.values()) if x != 0.0])
    rng = float(biases.max() / biases.min()) if biases.size else 1.0
    return (len(b.anc), sum(1 for x in b.quad.values() if x != 0.0), rng)


def reduce(
    hubo: dimod.BinaryPolynomial,
    method: str = "auto",
    *,
    seed: int = 0,
    steps: int | None = None,
    ancilla_prefix: str = "aux",
) -> tuple[dimod.BinaryQuadraticModel, Reduction]:
    """Reduce a HUBO to a QUBO whose minimum over the ancillas equals the HUBO everywhere.

    Args:
        hubo: a :class:`dimod.BinaryPolynomial`, BINARY or SPIN. SPIN input is reduced in BINARY
            form (one ancilla per shared product, never two) and the QUBO returned in SPIN.
        method: ``"substitution"`` (Rosenberg, greedy pair sharing, minimal per-ancilla
            penalties), ``"hybrid"`` (the same sharing, then every shared product that does not pay
            for itself is undone and its terms finished by exact gadgets), ``"freedman-drineas"`` (penalty-free; negative monomials 1 ancilla, positive
            ones via complemented literals, ``k-2``), ``"ishikawa"`` (penalty-free; negative monomials
            by Freedman-Drineas, positive ones ``floor((k-1)/2)``), ``"cover"`` (shared products of two
            variables chosen by seeded annealing + exact gadgets for the rest) or ``"auto"`` (builds
            all of them and keeps the one with the fewest ancillas, then fewest quadratic terms, then
            smallest max/min |bias|; the cover search is skipped when its lower bound shows it
            cannot win).
        seed: seed of the ``"cover"`` search (deterministic).
        steps: annealing steps of the ``"cover"`` search (default scales with the problem).
        ancilla_prefix: ancillas are labelled ``f"{prefix}{k}"``; must not clash with the
            HUBO's variables.

    Returns:
        ``(bqm, reduction)``: the QUBO (same vartype as ``hubo``) and its :class:`Reduction`.

    Raises:
        TooLargeError: before allocating, when the estimated memory (:func:`estimate_memory`)
            exceeds :func:`anneal_binn.memory.memory_budget`. ``"auto"`` first leaves out the
            methods that do not fit, with a :class:`~anneal_binn.memory.MemoryBudgetWarning`.

    Examples:
        >>> import dimod, anneal_binn as ab
        >>> hubo = dimod.BinaryPolynomial({(0, 1, 2): -2.0, (0, 1, 3): 1.0, (2,): 0.5}, "BINARY")
        >>> bqm, red = ab.reduce(hubo, method="substitution")
        >>> [a.definition for a in red.ancillas]
        ['aux0 = 0*1  [substitution, penalty alpha=2, beta=1]']
        >>> bool(red.verify())
        True
    """
    if method not in METHODS:
        raise ValueError(f"method: unknown reduction method {method!r}; choose one of {', '.join(METHODS)}")
    if not isinstance(ancilla_prefix, str) or not ancilla_prefix:
        raise TypeError("ancilla_prefix: must be a non-empty string")
    if not isinstance(hubo, dimod.BinaryPolynomial):
        to_int_terms(hubo)  # raises the TypeError naming what to pass
    allowed = _plan_memory(Footprint.of(hubo), method)  # before any per-term allocation
    labels, terms, offset = to_int_terms(hubo)
    n = len(labels)
    clash = sorted(str(v) for v in labels if isinstance(v, str) and v.startswith(ancilla_prefix))
    if clash:
        raise ValueError(
            f"ancilla_prefix: {ancilla_prefix!r} clashes with variable(s) {clash[:3]}; pass another ancilla_prefix"
        )
    if method == "auto":
        chosen, b = _auto(terms, n, seed=seed, steps=steps, allowed=allowed)
    else:
        chosen, b = method, _BUILDERS[method](terms, n, seed=seed, steps=steps)
    b.offset += offset

    names = list(labels) + [f"{ancilla_prefix}{k}" for k in range(len(b.anc))]
    ancillas = tuple(
        Ancilla(
            names[n + k],
            a["gadget"],
            tuple(names[f] for f in a["factors"]),
            a["negated"],
            a["coefficient"],
            a["index"],
            tuple(float(x) for x in a["penalty"]),
        )
        for k, a in enumerate(b.anc)
    )
    linear = [(names[i], float(b.lin.get(i, 0.0))) for i in range(len(names))]
    quadratic = [((names[u], names[v]), float(c)) for (u, v), c in sorted(b.quad.items()) if c != 0.0]
    record = Reduction(
        method=chosen,
        requested=method,
        vartype="SPIN" if hubo.vartype is dimod.SPIN else "BINARY",
        variables=tuple(labels),
        ancillas=ancillas,
        hubo=tuple((tuple(labels[i] for i in t), c) for t, c in terms.items()),
        hubo_offset=float(offset),
        linear=tuple(linear),
        quadratic=tuple(quadratic),
        offset=float(b.offset),
    )
    bqm = dimod.BinaryQuadraticModel(dict(linear), dict(quadratic), record.offset, dimod.BINARY)
    if record.vartype == "SPIN":
        bqm.change_vartype(dimod.SPIN, inplace=True)
    return bqm, record
