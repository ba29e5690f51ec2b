"""``reduce``: HUBO -> QUBO with exact gadgets and per-ancilla minimal sufficient penalties.

Everything here works on arrays (:class:`anneal_binn.hubo.Hubo` in, numpy chunks per gadget and
per degree, one merge at the end), so the cost per term is a few numpy element operations, not
Python objects: 10^5 terms of degree up to 16 reduce in seconds, where the dict-based version
took minutes. ``dimod`` types appear only at the ends (the returned BQM).

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
from dataclasses import dataclass

import dimod
import numpy as np

from anneal_binn.hubo import Hubo, as_hubo, canonical_block, row_keys
from anneal_binn.memory import MemoryBudgetWarning, check_memory, fits, human, memory_budget
from anneal_binn.reduction.cover import (
    bcr_ancillas,
    cover_lower_bound,
    gadget_cost,
    greedy_pairs,
    optimized_cover,
    parity_cost,
    prune_leaves,
)
from anneal_binn.reduction.record import GADGETS, Reduction

METHODS = ("auto", "hybrid", "cover", "substitution", "freedman-drineas", "ishikawa", "bcr",
           "spin-hybrid", "spin-substitution", "parity")
OBJECTIVES = ("ancillas", "physical_qubits", "coefficient_range")
_CODE = {g: i for i, g in enumerate(GADGETS)}
_I64 = np.int64


def _empty(k: int = 0) -> np.ndarray:
    return np.zeros((0, k), dtype=_I64) if k else np.zeros(0, dtype=_I64)


class _Builder:
    """Accumulates a BINARY QUBO over integer ids, and the ancilla definitions, as array chunks.

    Every gadget is written for a whole block of monomials at once; :meth:`result` merges the
    chunks (repeated couplers summed in one deterministic pass)."""

    def __init__(self, n: int):
        self.n = n
        self.m = 0
        self.offset = 0.0
        self._lin: list = []
        self._quad: list = []
        self._anc: list = []

    # ---- raw pieces ------------------------------------------------------------------------------
    def new(self, gadget: str, factors, coef=None, index=0, negated=None, penalty=None) -> np.ndarray:
        factors = np.asarray(factors, dtype=_I64)
        T = factors.shape[0]
        ids = self.n + self.m + np.arange(T, dtype=_I64)
        self.m += T
        neg = np.zeros(factors.shape, bool) if negated is None else np.broadcast_to(negated, factors.shape)
        self._anc.append(dict(
            gadget=np.full(T, _CODE[gadget], dtype=np.int8), factors=factors, negated=neg,
            coef=np.zeros(T) if coef is None else np.asarray(coef, dtype=np.float64),
            index=np.full(T, index, dtype=_I64),
            penalty=np.zeros((T, 2)) if penalty is None else np.asarray(penalty, dtype=np.float64)))
        return ids

    def lin(self, ids, vals) -> None:
        ids = np.asarray(ids, dtype=_I64)
        self._lin.append((ids, np.broadcast_to(np.asarray(vals, dtype=np.float64), ids.shape)))

    def quad(self, u, v, vals) -> None:
        u = np.asarray(u, dtype=_I64)
        v = np.asarray(v, dtype=_I64)
        self._quad.append((np.minimum(u, v), np.maximum(u, v), np.broadcast_to(np.asarray(vals, np.float64), u.shape)))

    def add(self, S: np.ndarray, c: np.ndarray) -> None:
        """Monomials of at most two symbols, written as they are."""
        k = S.shape[1]
        if k == 0:
            self.offset += float(c.sum())
        elif k == 1:
            self.lin(S[:, 0], c)
        else:
            self.quad(S[:, 0], S[:, 1], c)

    # ---- exact gadgets, each for a block of monomials of one degree -------------------------------
    def freedman_drineas(self, S: np.ndarray, c: np.ndarray, negated=None) -> None:
        """c * prod(literals) = min_w c*w*(sum(literals) - (k-1)), for c < 0 (Freedman-Drineas)."""
        T, k = S.shape
        neg = np.zeros((T, k), bool) if negated is None else np.broadcast_to(negated, (T, k))
        w = self.new("freedman-drineas", S, c, negated=neg)
        self.lin(w, -c * (k - 1) + c * neg.sum(axis=1))  # a literal 1 - s adds c*w
        for j in range(k):
            self.quad(w, S[:, j], np.where(neg[:, j], -c, c))

    def ishikawa(self, S: np.ndarray, c: np.ndarray) -> None:
        """c * prod(s) = c * min_w [sum_i w_i (c_id (2i - S1) - 1) + S2], for c > 0 (Ishikawa 2011)."""
        T, d = S.shape
        for i in range(d):
            for j in range(i + 1, d):
                self.quad(S[:, i], S[:, j], c)
        nd = (d - 1) // 2
        for i in range(1, nd + 1):
            cid = 1 if (d % 2 == 1 and i == nd) else 2
            w = self.new("ishikawa", S, c, index=i)
            self.lin(w, c * (2 * i * cid - 1))
            for j in range(d):
                self.quad(w, S[:, j], -c * cid)

    def bcr(self, S: np.ndarray, c: np.ndarray) -> None:
        """c * prod(s) with ``ceil(log2 d) - 1`` ancillas, for c > 0 (Boros, Crama & Rodriguez-Heck 2018).

        With ``K = 2^ceil(log2 d)``, ``a = K - d`` and ancilla weights ``2, 4, ..., K/2``, let
        ``z = a + S1 - sum_j 2^j y_j``. ``binom(z, 2) = z(z-1)/2`` is 0 at z in {0, 1} and at least
        1 at every other integer. When ``S1 < d``, ``a + S1 <= K - 1`` and an even
        ``sum_j 2^j y_j`` in ``0..K-2`` brings z to 0 or 1; when ``S1 = d``, ``a + S1 = K`` and the
        smallest z is 2. So ``min_y binom(z, 2) = prod(s)``, penalty-free and exact. Expanded with
        ``s^2 = s`` and ``y^2 = y``, it is quadratic.
        """
        T, d = S.shape
        K = 1 << (d - 1).bit_length()
        a = K - d
        self.offset += float(c.sum()) * a * (a - 1) / 2
        self.lin(S.ravel(), np.repeat(c * a, d))
        for i in range(d):
            for j in range(i + 1, d):
                self.quad(S[:, i], S[:, j], c)
        ws, ys = [], []
        for j in range(1, bcr_ancillas(d) + 1):
            w = 2.0**j
            y = self.new("bcr", S, c, index=j)
            self.lin(y, c * w * (w + 1 - 2 * a) / 2)
            for i in range(d):
                self.quad(y, S[:, i], -c * w)
            for w2, y2 in zip(ws, ys):
                self.quad(y, y2, c * w * w2)
            ws.append(w)
            ys.append(y)

    def spin(self, S: np.ndarray, c: np.ndarray) -> None:
        """Spin monomials ``c * prod(2x - 1)`` of at most two symbols, written in BINARY."""
        k = S.shape[1]
        if k == 0:
            self.offset += float(c.sum())
        elif k == 1:
            self.lin(S[:, 0], 2 * c)
            self.offset -= float(c.sum())
        else:
            self.quad(S[:, 0], S[:, 1], 4 * c)
            self.lin(S[:, 0], -2 * c)
            self.lin(S[:, 1], -2 * c)
            self.offset += float(c.sum())

    def parity(self, S: np.ndarray, c: np.ndarray) -> None:
        """Spin monomials ``c * prod(s)``, ``s = 2x - 1``, of one degree ``d``, exact and penalty-free.

        ``prod(s) = (-1)^d (1 - 2 parity(S1))`` with ``S1 = sum(x)``. With ``a = c (-1)^d`` and
        ``r = [a > 0]``, ``c prod(s) = |a| (2r - 1) + 2|a| min_t (S1 - r - 2t)^2``: the square is 0
        when ``S1 - r`` is even and at least 1 otherwise, i.e. its minimum is ``parity(S1 - r)``.
        ``t`` runs over ``0..(d - r) // 2`` as a binary counter of :func:`~anneal_binn.reduction.cover.parity_cost` bits
        (larger counts never go below the minimum). Either sign costs ``O(log d)`` ancillas, where
        the monomial's BINARY form has ``2^d`` terms.
        """
        T, d = S.shape
        if d <= 2:
            self.spin(S, c)
            return
        a = c * (-1.0) ** d
        for r in (0, 1):
            sel = (a > 0) == bool(r)
            if not sel.any():
                continue
            Sr, A = S[sel], 2.0 * np.abs(a[sel])
            self.offset += float((np.abs(a[sel]) * (2 * r - 1)).sum())
            self.lin(Sr.ravel(), np.repeat(A * (1 - 2 * r), d))
            for i in range(d):
                for j in range(i + 1, d):
                    self.quad(Sr[:, i], Sr[:, j], 2 * A)
            bits: list = []
            for j in range(parity_cost(d, float(c[sel][0]))):  # one r, so one count, per group
                w = 2.0 ** (j + 1)
                y = self.new("parity", Sr, c[sel], index=j)
                self.lin(y, A * (w * w + 2 * r * w))
                for i in range(d):
                    self.quad(y, Sr[:, i], -2 * A * w)
                for w2, y2 in bits:
                    self.quad(y, y2, 2 * A * w * w2)
                bits.append((w, y))

    def spin_products(self, pairs: np.ndarray, lam: np.ndarray) -> np.ndarray:
        """Ancillas whose spins are the products of ``pairs``' spins, each enforced by the parity
        gadget of ``lam/2 * (1 - s_u s_v s_y)`` (0 when consistent, ``lam`` otherwise): two
        variables per product, as in dimod's make_quadratic on SPIN input."""
        y = self.new("spin-product", pairs, penalty=np.stack([lam, lam], axis=1))
        self.parity(np.concatenate([pairs, y[:, None]], axis=1), -lam / 2)
        self.offset += float(lam.sum()) / 2
        return y

    def finish(self, S: np.ndarray, c: np.ndarray, positive: str = "best") -> None:
        """Monomials over symbols: directly when quadratic, else an exact gadget. Negative ones
        take Freedman-Drineas; positive ones ``positive``: ``"ishikawa"``, ``"bcr"`` or
        ``"best"`` (whichever needs fewer ancillas at this degree; Ishikawa on ties)."""
        k = S.shape[1]
        if k <= 2:
            self.add(S, c)
            return
        neg = c < 0
        if neg.any():
            self.freedman_drineas(S[neg], c[neg])
        if (~neg).any():
            use_bcr = positive == "bcr" or (positive == "best" and bcr_ancillas(k) < (k - 1) // 2)
            (self.bcr if use_bcr else self.ishikawa)(S[~neg], c[~neg])

    # ---- the merged QUBO -------------------------------------------------------------------------
    def result(self) -> dict:
        N = self.n + self.m
        lin = np.zeros(N)
        if self._lin:
            ids = np.concatenate([i for i, _ in self._lin])
            lin = np.bincount(ids, weights=np.concatenate([v for _, v in self._lin]), minlength=N)
        qi = qj = _empty()
        qv = np.zeros(0)
        if self._quad:
            u = np.concatenate([a for a, _, _ in self._quad])
            v = np.concatenate([b for _, b, _ in self._quad])
            val = np.concatenate([c for _, _, c in self._quad])
            same = u == v  # x*x = x
            if same.any():
                lin += np.bincount(u[same], weights=val[same], minlength=N)
                u, v, val = u[~same], v[~same], val[~same]
            key = u * N + v
            uniq, inv = np.unique(key, return_inverse=True)
            qv = np.bincount(inv, weights=val, minlength=uniq.size)
            keep = qv != 0.0
            uniq, qv = uniq[keep], qv[keep]
            qi, qj = uniq // N, uniq % N
        kmax = max((a["factors"].shape[1] for a in self._anc), default=0)

        def cat(name, fill, dtype, width=None):
            if not self._anc:
                return np.zeros((0, width) if width is not None else 0, dtype=dtype)
            parts = []
            for a in self._anc:
                x = a[name]
                if width is not None and x.shape[1] < width:
                    pad = np.full((x.shape[0], width - x.shape[1]), fill, dtype=dtype)
                    x = np.concatenate([x.astype(dtype), pad], axis=1)
                parts.append(x.astype(dtype))
            return np.concatenate(parts)

        table = dict(gadget=cat("gadget", 0, np.int8), factors=cat("factors", -1, _I64, kmax),
                     negated=cat("negated", False, bool, kmax), coef=cat("coef", 0.0, np.float64),
                     index=cat("index", 0, _I64), penalty=cat("penalty", 0.0, np.float64, 2))
        return dict(linear=lin, qi=qi, qj=qj, qv=qv, offset=self.offset, table=table)


def _cost(r: dict) -> tuple:
    """(ancillas, couplers, max/min |bias|) of a built candidate."""
    b = np.abs(np.concatenate([r["linear"], r["qv"]]))
    b = b[b != 0.0]
    rng = float(b.max() / b.min()) if b.size else 1.0
    return (len(r["table"]["gadget"]), int(r["qv"].size), rng)


# ---- substitution penalties ---------------------------------------------------------------------
def _levels(pairs: np.ndarray, n: int) -> np.ndarray:
    """Depth of each substitution ancilla (1: both factors original); factors precede products."""
    m = pairs.shape[0]
    level = np.ones(m, dtype=_I64)
    for _ in range(m):
        f = np.where(pairs >= n, pairs - n, -1)
        parent = np.where(f >= 0, level[np.maximum(f, 0)], 0)
        new = 1 + parent.max(axis=1) if m else level
        if np.array_equal(new, level):
            break
        level = new
    return level


def _penalties(pairs: np.ndarray, sym_blocks, n: int) -> np.ndarray:
    """Per-ancilla (alpha, beta), see the module docstring; ``(m, 2)``.

    ``desc(k)`` is summed over paths (child by child, deepest level first). Two symbols of one
    term never share an original variable, so no ancilla has two factors descending from the same
    ancilla: every descendant is reached by one path and the path sum is the set sum."""
    m = pairs.shape[0]
    up = np.zeros(m)
    down = np.zeros(m)
    for S, c in sym_blocks:
        r, col = np.nonzero(S >= n)
        k = S[r, col] - n
        cc = c[r]
        up += np.bincount(k, weights=np.where(cc > 0, cc, 0.0), minlength=m)
        down += np.bincount(k, weights=np.where(cc < 0, -cc, 0.0), minlength=m)
    worst = np.maximum(up, down)
    total = np.zeros(m)
    if m:
        level = _levels(pairs, n)
        for L in range(int(level.max()), 0, -1):
            ks = np.flatnonzero(level == L)
            acc = worst[ks] + total[ks]
            for col in (0, 1):
                f = pairs[ks, col]
                a = f >= n
                np.add.at(total, f[a] - n, acc[a])
    return np.stack([down + total, up + total], axis=1)


def _split(h: Hubo):
    """(low blocks: degree <= 2 as (rows, coef); high blocks: degree >= 3)."""
    low = [(r, c) for d, (r, c) in enumerate(h.blocks) if d < 2 and c.size]
    high = [(r, c) for d, (r, c) in enumerate(h.blocks) if d >= 2 and c.size]
    return low, high


def _with_pairs(h: Hubo, pairs: np.ndarray, sym_blocks, positive="best") -> dict:
    """Substitution ancillas for ``pairs`` + exact gadgets for whatever stays above degree 2.

    ``sym_blocks``: ``(symbol rows (T, L), coef)`` of the terms of degree >= 3 after substitution."""
    n = h.num_variables
    b = _Builder(n)
    pen = _penalties(pairs, sym_blocks, n)
    if pairs.shape[0]:
        y = b.new("substitution", pairs, penalty=pen)
        alpha, beta = pen[:, 0], pen[:, 1]
        b.quad(pairs[:, 0], pairs[:, 1], beta)
        b.quad(pairs[:, 0], y, -(alpha + beta))
        b.quad(pairs[:, 1], y, -(alpha + beta))
        b.lin(y, 2 * alpha + beta)
    for r, c in _split(h)[0]:
        b.add(r, c)
    for S, c in sym_blocks:
        b.finish(S, c, positive)
    b.offset += h.offset
    return b.result()


def _group(symbols: list, coefs: list):
    """Symbol tuples of mixed lengths -> blocks ``(rows (T, L), coef)`` per length."""
    by: dict[int, tuple[list, list]] = {}
    for s, c in zip(symbols, coefs):
        rows, cs = by.setdefault(len(s), ([], []))
        rows.append(s)
        cs.append(c)
    return [(np.array(r, dtype=_I64).reshape(len(cs), L), np.array(cs)) for L, (r, cs) in sorted(by.items())]


RESTARTS = 64  # greedy restarts under seeded relabellings (substitution, hybrid, auto) ...
RESTART_WORK = 50_000  # ... within this many term-runs in all: none past 50,000 terms of degree >= 3


def _greedy(h: Hubo, restarts: int = 0, seed: int = 0):
    """Greedy pair substitution; with ``restarts``, also under up to that many seeded relabellings
    of the variables (within :data:`RESTART_WORK`; they change which of equally frequent pairs
    goes first), keeping the fewest ancillas (ties: the earliest)."""
    n = h.num_variables
    _, high = _split(h)
    rows = [r for r, _ in high]
    pairs, finals = greedy_pairs(rows, n)
    restarts = min(restarts, RESTART_WORK // max(1, sum(r.shape[0] for r in rows)))
    if restarts:
        rng = np.random.default_rng(seed)
        for _ in range(restarts):
            perm = rng.permutation(n)
            back = np.argsort(perm)
            p2, f2 = greedy_pairs([np.sort(perm[r], axis=1) for r in rows], n)
            if p2.shape[0] < pairs.shape[0]:
                def undo(a):
                    return np.where(a < n, back[np.minimum(a, n - 1)], a)
                pairs = np.sort(undo(p2), axis=1)
                finals = [undo(f) for f in f2]
    return pairs, [(f, c) for f, (_, c) in zip(finals, high)]


def _substitution(h: Hubo, *, greedy=None, seed=0, **_) -> dict:
    pairs, sym = greedy or _greedy(h, RESTARTS, seed)
    return _with_pairs(h, pairs, sym)


def _pruned(h: Hubo, pairs: np.ndarray, sym, spin: bool = False):
    """The greedy substitution with every product that does not pay for itself undone
    (:func:`~anneal_binn.reduction.cover.prune_leaves`): ``(pairs, symbol blocks)``."""
    n = h.num_variables
    _, high = _split(h)
    terms = {}
    symbol_terms = {}
    for (r, c), (f, _) in zip(high, sym):
        keys = list(map(tuple, r.tolist()))
        terms.update(zip(keys, c.tolist()))
        symbol_terms.update(zip(keys, map(tuple, f.tolist())))
    new_pairs, new_sym = prune_leaves(terms, n, list(map(tuple, pairs.tolist())), symbol_terms, spin=spin)
    blocks = _group([new_sym[t] for t in terms], list(terms.values()))
    return np.array(new_pairs, dtype=_I64).reshape(-1, 2), blocks


def _hybrid(h: Hubo, *, greedy=None, seed=0, **_) -> dict:
    return _with_pairs(h, *_pruned(h, *(greedy or _greedy(h, RESTARTS, seed))))


def _cover(h: Hubo, *, seed=0, steps=None, **_) -> dict:
    n = h.num_variables
    _, high = _split(h)
    terms = {}
    for r, c in high:
        terms.update(zip(map(tuple, r.tolist()), c.tolist()))
    pairs, matching = optimized_cover(terms, steps=steps, seed=seed)
    ids = {p: n + k for k, p in enumerate(pairs)}
    syms = []
    for t in terms:
        m = matching.get(t, ())
        used = {v for p in m for v in p}
        syms.append(tuple(sorted([v for v in t if v not in used] + [ids[p] for p in m])))
    return _with_pairs(h, np.array(pairs, dtype=_I64).reshape(-1, 2), _group(syms, list(terms.values())))


def _gadgets(h: Hubo, positive: str) -> dict:
    b = _Builder(h.num_variables)
    for d, (r, c) in enumerate(h.blocks):
        if c.size:
            b.finish(r, c, positive)
    b.offset += h.offset
    return b.result()


def _ishikawa(h: Hubo, **_) -> dict:
    return _gadgets(h, "ishikawa")


def _bcr(h: Hubo, **_) -> dict:
    return _gadgets(h, "bcr")


def _lookup(table_rows: np.ndarray, table_coef: np.ndarray, query: np.ndarray, base: int) -> np.ndarray:
    """Coefficient of each query row in a canonical block (0 where absent)."""
    if table_rows.shape[0] == 0 or query.shape[0] == 0:
        return np.zeros(query.shape[0])
    kt, kq = row_keys(table_rows, base), row_keys(query, base)
    if kt is None:  # too many variables for one int64 key: join through a shared unique
        allr = np.concatenate([table_rows, query])
        _, inv = np.unique(allr, axis=0, return_inverse=True)
        kt, kq = inv[: table_rows.shape[0]], inv[table_rows.shape[0]:]
        order = np.argsort(kt)
        kt, table_coef = kt[order], table_coef[order]
    pos = np.minimum(np.searchsorted(kt, kq), kt.size - 1)
    return np.where(kt[pos] == kq, table_coef[pos], 0.0)


def _freedman_drineas(h: Hubo, **_) -> dict:
    """Negative monomials: one FD ancilla. Positive ``c*x_T`` = ``-c*(1-x_i)*x_{T-i} + c*x_{T-i}``:
    an FD gadget on literals plus a lower-degree term pushed down a degree, where it merges with
    an existing term. Each degree is one block: the ``i`` whose merge (with the terms of the
    degree below as they stand before this degree's pushes) leaves the cheapest remainder is
    chosen, ties to the smallest variable."""
    n = h.num_variables
    b = _Builder(n)
    pool = {d + 1: blk for d, blk in enumerate(h.blocks)}
    for d in range(h.max_degree, 2, -1):
        rows, c = pool.pop(d)
        neg = c < 0
        if neg.any():
            b.freedman_drineas(rows[neg], c[neg])
        P, cp = rows[~neg], c[~neg]
        if not cp.size:
            continue
        T = P.shape[0]
        cols = np.arange(d)
        rests = np.stack([P[:, cols != i] for i in range(d)], axis=1)  # (T, d, d-1)
        below_rows, below_coef = pool.get(d - 1, (_empty(d - 1), np.zeros(0)))
        newc = _lookup(below_rows, below_coef, rests.reshape(T * d, d - 1), n).reshape(T, d) + cp[:, None]
        fd_rest = 1 if d - 1 >= 3 else 0
        cost = np.where(newc < 0, fd_rest, np.where(newc == 0, 0, max(d - 3, 0)))
        i = np.argmin(cost, axis=1)  # first minimum: the smallest variable
        rest = rests[np.arange(T), i]
        lead = P[np.arange(T), i]
        negated = np.zeros((T, d), dtype=bool)
        negated[:, 0] = True
        b.freedman_drineas(np.concatenate([lead[:, None], rest], axis=1), -cp, negated)
        pool[d - 1] = canonical_block(np.concatenate([below_rows, rest]), np.concatenate([below_coef, cp]), max(n, 1))
    for d, (r, c) in sorted(pool.items()):
        if c.size:
            b.add(r, c)
    b.offset += h.offset
    return b.result()


# ---- the spin (Walsh) route: the HUBO in SPIN form, parity gadgets and shared spin products ----------
SPIN_ROUTE_TERMS = 200_000  # "auto" tries the spin route when the SPIN form has at most this many terms


def _spin_form(h: Hubo, spin_form: Hubo | None = None) -> Hubo:
    return spin_form if spin_form is not None else h.to_spin()


def _parity(h: Hubo, *, spin_form=None, **_) -> dict:
    """One parity gadget per spin monomial of degree >= 3: penalty-free, ``O(log d)`` ancillas each."""
    hs = _spin_form(h, spin_form)
    b = _Builder(hs.num_variables)
    for r, c in hs.blocks:
        if c.size:
            b.parity(r, c)
    b.offset += hs.offset
    return b.result()


def _with_spin_products(hs: Hubo, pairs: np.ndarray, sym_blocks) -> dict:
    """Spin products for ``pairs`` + parity gadgets for whatever stays above degree 2.

    Each product's penalty is the module docstring's, with ``up_k = down_k = 2 * sum |c|`` over the
    terms holding it (flipping one spin changes a term by at most twice its coefficient): the same
    proof, with the penalty charged once whichever way the product is wrong."""
    n = hs.num_variables
    b = _Builder(n)
    if pairs.shape[0]:
        pen = _penalties(pairs, [(S, 2 * np.abs(c)) for S, c in sym_blocks], n)
        b.spin_products(pairs, pen[:, 1])
    for r, c in _split(hs)[0]:
        b.spin(r, c)
    for S, c in sym_blocks:
        b.parity(S, c)
    b.offset += hs.offset
    return b.result()


def _spin_substitution(h: Hubo, *, spin_form=None, spin_greedy=None, seed=0, **_) -> dict:
    """Greedy shared spin products (dimod's make_quadratic on SPIN input does the same with its
    own pair order) until every term is quadratic."""
    hs = _spin_form(h, spin_form)
    pairs, sym = spin_greedy or _greedy(hs, RESTARTS, seed)
    return _with_spin_products(hs, pairs, sym)


def _spin_hybrid(h: Hubo, *, spin_form=None, spin_greedy=None, seed=0, **_) -> dict:
    """The greedy spin products, then every product that does not pay for itself undone (it
    costs two ancillas; the longer terms' parity gadgets may cost less)."""
    hs = _spin_form(h, spin_form)
    return _with_spin_products(hs, *_pruned(hs, *(spin_greedy or _greedy(hs, RESTARTS, seed)), spin=True))


_BUILDERS = {
    "substitution": _substitution,
    "cover": _cover,
    "hybrid": _hybrid,
    "ishikawa": _ishikawa,
    "freedman-drineas": _freedman_drineas,
    "bcr": _bcr,
    "spin-hybrid": _spin_hybrid,
    "spin-substitution": _spin_substitution,
    "parity": _parity,
}
_SPIN_METHODS = ("spin-hybrid", "spin-substitution", "parity")

_AUTO_ORDER = ("hybrid", "cover", "substitution", "bcr", "ishikawa", "freedman-drineas",
               "spin-hybrid", "spin-substitution", "parity")  # preference on ties


def _gadget_bound(h: Hubo, name: str) -> int:
    """Ancillas of ``"ishikawa"`` or ``"bcr"`` exactly, of ``"freedman-drineas"`` a lower bound
    (one per term of degree >= 3), counted without building anything.

    Examples:
        >>> h = Hubo.from_terms({tuple(range(8)): 1.0, (0, 1, 2): -1.0})
        >>> [_gadget_bound(h, m) for m in ("ishikawa", "bcr", "freedman-drineas")]
        [4, 3, 2]
    """
    total = 0
    for d0, (_, c) in enumerate(h.blocks):
        d = d0 + 1
        if d < 3 or not c.size:
            continue
        pos = int((c > 0).sum())
        if name == "freedman-drineas":
            total += c.size
        else:
            total += (c.size - pos) + pos * ((d - 1) // 2 if name == "ishikawa" else bcr_ancillas(d))
    return total


def _auto(h: Hubo, *, seed=0, steps=None, allowed=None, score=None, restarts=RESTARTS,
          spin_form: Hubo | None = None) -> tuple[str, dict, list]:
    """Every method in ``allowed`` (default all), best by ``score`` (default :func:`_cost`: fewest
    ancillas, then couplers, then max/min |bias|); ties go to :data:`_AUTO_ORDER`. The pair-cover
    search is skipped when its lower bound already exceeds a built candidate's ancillas (dense
    high-degree HUBOs, where it took minutes to lose). The greedy pair substitution shared by
    substitution and hybrid is rerun under up to ``restarts`` seeded relabellings of the variables
    (within :data:`RESTART_WORK`), keeping the fewest ancillas: ties between equally frequent pairs
    decide a lot on small dense HUBOs (fawaz-p1: 31 ancillas as labelled, 22 after 64 restarts;
    dimod's make_quadratic gives 22-36 depending on PYTHONHASHSEED). Only the best candidate so far is kept, so
    the peak memory is that of two candidates, not of all of them; with the default score a gadget
    method whose ancilla count (:func:`_gadget_bound`) already exceeds a built candidate's is not
    built either. The spin-route methods are built only when ``spin_form`` (``h`` in SPIN form) is
    given. Returns the winner and every built candidate's ``(method, ancillas, score)``."""
    allowed = set(_AUTO_ORDER) if allowed is None else set(allowed)
    if spin_form is None:
        allowed -= set(_SPIN_METHODS)
    score = score or _cost  # when ancillas come first, gadget methods that cannot win are not built
    rank = {m: i for i, m in enumerate(_AUTO_ORDER)}
    best: list = []
    seen: list = []
    fewest = math.inf

    def consider(name: str, r: dict) -> None:
        nonlocal fewest
        anc = len(r["table"]["gadget"])
        fewest = min(fewest, anc) if name != "cover" else fewest
        sc = score(r)
        seen.append((name, anc, sc))
        if not best or (sc, rank[name]) < (best[2], rank[best[0]]):
            best[:] = [name, r, sc]

    if allowed & {"hybrid", "substitution"}:
        greedy = _greedy(h, restarts=restarts, seed=seed)  # shared by substitution and hybrid
        for name, build in (("hybrid", _hybrid), ("substitution", _substitution)):
            if name in allowed:
                consider(name, build(h, greedy=greedy))
        del greedy
    for name in ("bcr", "ishikawa", "freedman-drineas"):
        if name in allowed and not (score is _cost and _gadget_bound(h, name) > fewest):
            consider(name, _BUILDERS[name](h))
    if "parity" in allowed:
        consider("parity", _parity(h, spin_form=spin_form))
    if allowed & {"spin-hybrid", "spin-substitution"}:
        greedy = _greedy(spin_form, restarts=restarts, seed=seed)
        for name, build in (("spin-hybrid", _spin_hybrid), ("spin-substitution", _spin_substitution)):
            if name in allowed:
                consider(name, build(h, spin_form=spin_form, spin_greedy=greedy))
        del greedy
    if "cover" in allowed:
        high = {}
        for r, c in _split(h)[1]:
            high.update(zip(map(tuple, r.tolist()), c.tolist()))
        if cover_lower_bound(high) <= fewest:
            consider("cover", _cover(h, seed=seed, steps=steps))
    seen.sort(key=lambda x: rank[x[0]])
    return best[0], best[1], seen


# ---- memory estimates -------------------------------------------------------------------------
# Bytes per unit of each size feature, measured with tracemalloc on random HUBOs (python
# benchmarks/reduction_memory.py) and rounded up so the estimate is an upper bound on those. The
# array code pays a few int64/float64 copies per term and per pair; the cover search and the
# hybrid's pruning still keep one Python tuple per term (~450 bytes).
_BYTES = {
    "term": 96.0,  # array form and its canonical sort, per term
    "degree": 32.0,  # per variable of a term
    "spin_part": 64.0,  # SPIN -> BINARY expansion: one row piece per subset of each term
    "greedy_pair": 96.0,  # greedy_pairs: codes, their unique/inverse/counts and ranks, per pair offered
    "python_term": 450.0,  # a term as a Python tuple in a dict (cover search, hybrid pruning)
    "build": 160.0,  # a builder's chunks and their merge, per variable occurrence
    "matching": 320.0,  # optimized_cover: one candidate matching of one term
    "cover_term": 400.0,  # optimized_cover: per term bookkeeping
    "ishikawa_pair": 96.0,  # per pair of a positive term (its quadratic part), chunks and merge
    "fd_pair": 48.0,  # freedman-drineas: the (T, d, d-1) candidate rests and their lookup
    "record": 200.0,  # the Reduction record and the BQM, per quadratic entry
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
        spin_terms, spin_pairs: terms and sum of C(d, 2) of the SPIN form (the spin route's
            size): exact for SPIN input, upper bounds (every subset of every term) for BINARY.
        binary_parts: sum over BINARY terms of 2^d, the pieces of the conversion to SPIN (0 for
            SPIN input).
    """

    variables: int
    terms: int
    max_degree: int
    degree_sum: float
    pairs: float
    pushes: float
    matchings: float
    spin_parts: float
    spin_terms: float = 0.0
    spin_pairs: float = 0.0
    binary_parts: float = 0.0

    @classmethod
    def of(cls, hubo) -> "Footprint":
        """Measure ``hubo`` (a ``dimod.BinaryPolynomial`` or a :class:`~anneal_binn.hubo.Hubo`)
        in O(terms), allocating nothing per term.

        Examples:
            >>> Footprint.of(dimod.BinaryPolynomial({(0, 1, 2): 1.0, (0,): 2.0}, "BINARY")).pushes
            3.0
        """
        if isinstance(hubo, Hubo):
            spin = hubo.vartype == "SPIN"
            d = np.concatenate([np.full(c.size, k + 1) for k, (_, c) in enumerate(hubo.blocks)] or [_empty()])
            negative = np.concatenate([c < 0 for _, c in hubo.blocks] or [np.zeros(0, bool)])
            n = hubo.num_variables
        else:
            spin = hubo.vartype is dimod.SPIN
            d = np.fromiter((len(t) for t in hubo.keys()), dtype=np.int64, count=len(hubo))
            negative = np.fromiter((b < 0 for b in hubo.values()), dtype=bool, count=len(hubo))
            n = len(hubo.variables)
        d = d.astype(np.int64)
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
        # a SPIN term expands into its subsets; distinct BINARY terms are at most the monomials
        # of degree <= dmax over n variables
        distinct = float(sum(math.comb(n, k) for k in range(dmax + 1))) if spin else 0.0
        scale = max(1.0, min(S, distinct) / T) if spin and T else 1.0
        pairs_all = df * (df - 1) / 2
        if spin:
            spin_terms, spin_pairs, binary_parts = float(T), float(pairs_all.sum()), 0.0
        else:  # a BINARY term of degree d has 2^d SPIN subsets, with sum C(k, 2) C(d, k) = C(d, 2) 2^(d-2) pairs
            binary_parts = float(np.exp2(df).sum())
            spin_terms, spin_pairs = binary_parts, float((pairs_all * np.exp2(df - 2)).sum())
        return cls(n, int(T * scale), dmax, D * scale, P2 * scale, P3 * scale, M * scale, S,
                   spin_terms, spin_pairs, binary_parts)

    def describe(self) -> str:
        return f"{self.terms:,} terms of degree up to {self.max_degree} over {self.variables} variables"


def _estimate_parts(fp: Footprint, method: str) -> tuple[float, float, float, float]:
    """Bytes of (array form, ``method``'s transient peak, the candidate it keeps, its record)."""
    B = _BYTES
    base = B["term"] * fp.terms + B["degree"] * fp.degree_sum + B["spin_part"] * fp.spin_parts
    build = B["build"] * fp.degree_sum
    gadgets = B["ishikawa_pair"] * fp.pairs  # positive terms finished by Ishikawa: all their pairs
    record = B["record"] * (fp.degree_sum + fp.pairs)
    if method in ("substitution", "hybrid"):  # every term ends with at most two symbols
        transient = B["greedy_pair"] * fp.pairs + (B["python_term"] * fp.terms if method == "hybrid" else 0.0)
        return base, transient, build, B["record"] * (fp.terms + fp.degree_sum / 2)
    if method == "cover":
        return base, B["matching"] * fp.matchings + (B["cover_term"] + B["python_term"]) * fp.terms, \
            build + gadgets, record
    if method in ("ishikawa", "bcr"):
        return base, 0.0, build + gadgets, record
    if method in _SPIN_METHODS:  # the SPIN form, then parity cliques over every term's symbols
        occurrences = fp.spin_terms * max(fp.max_degree, 1)
        spin_base = base + (B["spin_part"] + B["term"]) * fp.binary_parts + B["degree"] * occurrences
        transient = (B["python_term"] * fp.spin_terms if method == "spin-hybrid" else 0.0) \
            + B["greedy_pair"] * fp.spin_pairs
        return spin_base, transient, B["build"] * occurrences + B["ishikawa_pair"] * fp.spin_pairs, \
            B["record"] * (occurrences + fp.spin_pairs)
    return base, B["fd_pair"] * fp.pairs, build, B["record"] * fp.degree_sum


def estimate_memory(fp: Footprint, method: str, allowed=None) -> float:
    """Peak bytes :func:`reduce` would allocate for a HUBO of footprint ``fp``.

    The integer form of the HUBO stays alive throughout; on top of it either the method's
    transient search (greedy heap, cover matchings) or the builder it produces plus the record
    built from it. ``"auto"`` (restricted to ``allowed``) may also hold the best candidate so far.

    Examples:
        >>> fp = Footprint.of(dimod.BinaryPolynomial({tuple(range(21)): 1.0}, "BINARY"))
        >>> estimate_memory(fp, "freedman-drineas") < estimate_memory(fp, "ishikawa")  # no quadratic part
        True
    """
    if method != "auto":
        base, transient, kept, record = _estimate_parts(fp, method)
        return base + max(transient, kept + record)
    parts = [_estimate_parts(fp, m) for m in (allowed or _auto_pool(fp))]
    held = max(p[2] for p in parts)
    return max(p[0] for p in parts) + held + max(max(p[1] for p in parts), held + max(p[3] for p in parts))


_ADVICE = ("truncate the HUBO (to_hubo(max_degree=..., threshold=...), or a larger rtol) "
           "or use a direct HUBO solver (hubo-sa)")


def _auto_pool(fp: Footprint) -> list:
    """The methods ``"auto"`` builds for a HUBO of footprint ``fp``: all of them, the spin route
    only while the SPIN form has at most :data:`SPIN_ROUTE_TERMS` terms (a high-degree BINARY HUBO
    has up to ``2^d`` SPIN terms per term)."""
    spin_ok = fp.spin_terms <= SPIN_ROUTE_TERMS
    return [m for m in _AUTO_ORDER if spin_ok or m not in _SPIN_METHODS]


def _plan_memory(fp: Footprint, method: str):
    """The methods ``"auto"`` may build within the memory budget (None for an explicit method), or refuse.

    Explicit methods are refused when they do not fit. ``"auto"`` first drops the pair-cover
    search, then every method that does not fit alone, with a :class:`MemoryBudgetWarning`
    saying so; it is refused when no method fits.
    """
    if method != "auto":
        check_memory(estimate_memory(fp, method), f"reducing {fp.describe()} (method {method!r})", _ADVICE)
        return None
    pool = _auto_pool(fp)
    if fits(estimate_memory(fp, "auto", pool)):
        return pool
    solo = {m: estimate_memory(fp, m) for m in pool}
    allowed = [m for m in pool if m != "cover"]
    if not fits(estimate_memory(fp, "auto", allowed)):
        allowed = [m for m in allowed if fits(solo[m])]
        while allowed and not fits(estimate_memory(fp, "auto", allowed)):
            allowed.remove(max(allowed, key=solo.__getitem__))
    if not allowed:
        cheapest = min(solo, key=solo.__getitem__)
        check_memory(solo[cheapest], f"reducing {fp.describe()} (method 'auto', even its cheapest "
                     f"method {cheapest!r})", _ADVICE)
    skipped = [m for m in pool if m not in allowed]
    warnings.warn(
        f"reduce(method='auto'): skipped {', '.join(skipped)} for {fp.describe()}: "
        + "; ".join(f"{m} needs ~{human(solo[m])}" for m in skipped)
        + f", and all together ~{human(estimate_memory(fp, 'auto'))}, over the memory budget of "
        f"{human(memory_budget())} (ANNEAL_BINN_MEMORY_LIMIT)",
        MemoryBudgetWarning,
        stacklevel=3,
    )
    return allowed


def _names(labels, prefix: str, m: int) -> list:
    return list(labels) + [f"{prefix}{k}" for k in range(m)]


def reduce(
    hubo,
    method: str = "auto",
    *,
    seed: int = 0,
    steps: int | None = None,
    ancilla_prefix: str = "aux",
    objective: str = "ancillas",
    target="pegasus",
    embed_timeout: float = 10.0,
) -> tuple[dimod.BinaryQuadraticModel, Reduction]:
    """Reduce a HUBO to a QUBO whose minimum over the ancillas equals the HUBO everywhere.

    Args:
        hubo: a :class:`dimod.BinaryPolynomial` or an :class:`anneal_binn.hubo.Hubo`, BINARY or
            SPIN. The BINARY-route methods work on its BINARY form (one ancilla per shared product,
            never two), the spin-route ones on its SPIN form; the QUBO is returned in the input's
            vartype. Work is done on arrays (:class:`~anneal_binn.hubo.Hubo`);
            a ``Hubo`` input skips the one per-term Python pass.
        method: ``"substitution"`` (Rosenberg, greedy pair sharing, minimal per-ancilla
            penalties), ``"hybrid"`` (the same sharing, then every shared product that does not
            pay for itself is undone and its terms finished by exact gadgets),
            ``"freedman-drineas"`` (penalty-free; negative monomials 1 ancilla, positive ones via
            complemented literals, ``k-2``), ``"ishikawa"`` (penalty-free; negative monomials by
            Freedman-Drineas, positive ones ``floor((k-1)/2)``), ``"bcr"`` (penalty-free; negative
            monomials by Freedman-Drineas, positive ones by the logarithmic gadget of Boros, Crama
            & Rodriguez-Heck, ``ceil(log2 k) - 1``), ``"cover"`` (shared products of two variables
            chosen by seeded annealing + the cheapest exact gadget for the rest), the spin route
            on the HUBO's SPIN (Walsh) form -- ``"parity"`` (penalty-free; one parity gadget per
            spin monomial of degree d, ``bit_length((d - r) // 2)`` ancillas whatever its sign),
            ``"spin-substitution"`` (shared spin products, two variables each, as dimod's
            make_quadratic does on SPIN input, with the greedy order and minimal penalties above)
            and ``"spin-hybrid"`` (the same, then every product that does not pay for itself
            undone and its terms finished by parity gadgets) -- or
            ``"auto"`` (builds the candidates and keeps the best by ``objective``; the cover search
            is skipped when its lower bound shows it cannot win on ancillas, the spin route when
            the SPIN form has more terms than the BINARY one or than :data:`SPIN_ROUTE_TERMS`).
        seed: seed of the ``"cover"`` search, of the greedy restarts (substitution, hybrid: up to
            64 seeded relabellings of the variables on HUBOs of at most 50,000 terms of degree
            >= 3, keeping the fewest ancillas) and of the embeddings (deterministic).
        steps: annealing steps of the ``"cover"`` search (default scales with the problem).
        ancilla_prefix: ancillas are labelled ``f"{prefix}{k}"``; must not clash with the
            HUBO's variables.
        objective: what ``"auto"`` minimises: ``"ancillas"`` (then couplers, then max/min |bias|),
            ``"coefficient_range"`` (max/min |bias| of the QUBO, then ancillas: the precision a
            QPU's analog control must resolve) or ``"physical_qubits"`` (qubits after a seeded
            minorminer embedding into ``target``, then ancillas; a candidate that does not embed
            within ``embed_timeout`` seconds scores infinity).
        target: the QPU graph of ``objective="physical_qubits"``: ``"pegasus"`` (Advantage,
            P16), ``"zephyr"`` (Advantage2, Z12) or a ``networkx.Graph``.
        embed_timeout: seconds minorminer may spend per candidate.

    Returns:
        ``(bqm, reduction)``: the QUBO (same vartype as ``hubo``) and its :class:`Reduction`
        (``reduction.candidates`` lists what ``"auto"`` compared).

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
        >>> _, red = ab.reduce(dimod.BinaryPolynomial({tuple(range(8)): 1.0}, "BINARY"), method="bcr")
        >>> red.num_ancillas, [a.gadget for a in red.ancillas]      # Ishikawa would need 3
        (2, ['bcr', 'bcr'])
    """
    if method not in METHODS:
        raise ValueError(f"method: unknown reduction method {method!r}; choose one of {', '.join(METHODS)}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective: unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}")
    if not isinstance(ancilla_prefix, str) or not ancilla_prefix:
        raise TypeError("ancilla_prefix: must be a non-empty string")
    if not isinstance(hubo, (dimod.BinaryPolynomial, Hubo)):
        as_hubo(hubo)  # raises the TypeError naming what to pass
    allowed = _plan_memory(Footprint.of(hubo), method)  # before any per-term allocation
    h = as_hubo(hubo)
    spin = h.vartype == "SPIN"
    hb = h.to_binary()
    labels = hb.variables
    n = len(labels)
    clash = sorted(str(v) for v in labels if isinstance(v, str) and v.startswith(ancilla_prefix))
    if clash:
        raise ValueError(
            f"ancilla_prefix: {ancilla_prefix!r} clashes with variable(s) {clash[:3]}; pass another ancilla_prefix"
        )
    candidates: tuple = ()
    if method == "auto":
        score = None
        if objective == "coefficient_range":
            def score(r):
                a, q, rng = _cost(r)
                return (rng, a, q)
        elif objective == "physical_qubits":
            from anneal_binn.reduction.hardware import physical_qubits, target_graph

            graph = target_graph(target)

            def score(r):
                m = len(r["table"]["gadget"])
                edges = list(zip(r["qi"].tolist(), r["qj"].tolist()))
                emb = physical_qubits(edges, n + m, graph, seed=seed, timeout=embed_timeout)
                return (emb.qubits if emb.ok else math.inf, m, int(r["qv"].size))
        spin_form = h.to_spin() if set(allowed) & set(_SPIN_METHODS) else None
        if spin_form is not None and spin_form.num_terms > hb.num_terms:
            # not sparser in the Walsh basis: every spin term would need at least what the
            # BINARY route pays (random BINARY HUBOs: 4-12x the ancillas), so do not build it
            spin_form = None
        chosen, r, seen = _auto(hb, seed=seed, steps=steps, allowed=allowed, score=score, spin_form=spin_form)
        del spin_form
        candidates = tuple((name, int(anc), tuple(float(x) for x in sc)) for name, anc, sc in seen)
    else:
        spin_form = h.to_spin() if method in _SPIN_METHODS else None
        chosen, r = method, _BUILDERS[method](hb, seed=seed, steps=steps, spin_form=spin_form)
    record = Reduction.from_arrays(
        method=chosen, requested=method, vartype="SPIN" if spin else "BINARY", source=hb,
        table=r["table"], linear=r["linear"], qi=r["qi"], qj=r["qj"], qv=r["qv"], offset=r["offset"],
        ancilla_prefix=ancilla_prefix, objective=objective if method == "auto" else "ancillas",
        candidates=candidates,
    )
    return record.to_bqm(), record
