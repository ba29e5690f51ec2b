"""Choosing which products of two variables become shared ancillas.

Two strategies, both deterministic:

* :func:`greedy_pairs` -- Rosenberg substitution with pair sharing: in rounds, every term of degree
  >= 3 substitutes the pair of its symbols that occurs in the most such terms (ties: the smallest
  pair of ids), until every term is quadratic. Symbols may be earlier ancillas, so ancillas nest.
* :func:`optimized_cover` -- the cover used by ``method="auto"``: a set of products of two
  *original* variables, chosen by seeded simulated annealing to minimise
  ``#pairs + sum over terms of the exact-gadget ancillas still needed``, where a term that still has
  ``L >= 3`` symbols costs 1 ancilla if negative (Freedman-Drineas) and ``floor((L-1)/2)`` if
  positive (Ishikawa). Terms above :data:`COVER_MAX_DEGREE` are left to their gadgets (a degree-14
  term alone has 2.4 million matchings); ``method="auto"`` then usually prefers nested substitution.

:func:`prune_leaves` also serves the spin route (``spin=True``): on spin monomials a shared
product costs two ancillas (the product and its parity carry) and a term left with ``L >= 3``
symbols costs its parity gadget, :func:`parity_cost`. (A spin version of the cover search was
tried: on the catalogue HUBOs it found no fewer ancillas than the greedy products, 42 vs 42 on
fawaz-meta-p1 at degree 4, 111 vs 113 on gaussian-activation, and no fewer physical qubits.)
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from anneal_binn.reduction._terms import Term

COVER_MAX_DEGREE = 8
_DENSE_PAIRS = 1 << 22  # pair codes counted in a table (32 MB) while the symbols are this few  # matchings per term: 763 at degree 8, 2.4 million at degree 14


def bcr_ancillas(length: int) -> int:
    """Ancillas of the Boros-Crama-Rodriguez-Heck gadget for a positive monomial of ``length``
    symbols: ``ceil(log2 length) - 1``.

    Examples:
        >>> [bcr_ancillas(k) for k in (3, 4, 5, 8, 9, 16, 17)]
        [1, 1, 2, 2, 3, 3, 4]
    """
    return max(0, (length - 1).bit_length() - 1) if length > 2 else 0


def gadget_cost(length: int, coefficient: float) -> int:
    """Ancillas the cheapest exact gadget needs for a monomial of ``length`` symbols: 1 for a
    negative one (Freedman-Drineas), ``min(floor((k-1)/2), ceil(log2 k) - 1)`` for a positive one
    (Ishikawa, or Boros-Crama-Rodriguez-Heck from degree 7 on).

    Examples:
        >>> [gadget_cost(k, -1.0) for k in range(1, 7)], [gadget_cost(k, 1.0) for k in range(1, 10)]
        ([0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2, 2, 2, 3])
    """
    if length <= 2:
        return 0
    return 1 if coefficient < 0 else min((length - 1) // 2, bcr_ancillas(length))


def parity_cost(length: int, coefficient: float) -> int:
    """Ancillas of the parity gadget for a *spin* monomial of ``length`` symbols (any sign):
    the bits of a counter up to ``(length - r) // 2``, ``r = [coefficient * (-1)^length > 0]``.

    Examples:
        >>> [parity_cost(k, 1.0) for k in range(1, 10)], [parity_cost(k, -1.0) for k in range(1, 10)]
        ([0, 0, 1, 1, 2, 2, 2, 2, 3], [0, 0, 1, 2, 2, 2, 2, 3, 3])
    """
    if length <= 2:
        return 0
    r = int(coefficient * (-1) ** length > 0)
    return ((length - r) // 2).bit_length()


def _costs(spin: bool):
    """(gadget cost of a term, ancillas per shared product, can the cover help a term) for the
    BINARY route (a product is one ancilla) or the spin route (a spin product is two)."""
    if spin:
        return parity_cost, 2, lambda length, coefficient: length <= COVER_MAX_DEGREE
    return gadget_cost, 1, lambda length, coefficient: not _cover_cannot_help(length, coefficient)


def greedy_pairs(blocks, first_id: int, commit: float = 0.95, patience: int = 200_000):
    """Pair-sharing substitution until every term has two symbols, in vectorized rounds.

    Each round counts, over the terms of three or more symbols, how many hold each pair of
    symbols. Every term picks its most frequent pair (ties: the smallest pair of ids), and the
    terms whose pick occurs in at least ``commit`` times as many terms as the round's most frequent
    pair substitute it (all holders of a pair substitute it together, so they share one ancilla);
    the others wait for the next round, where the counts are fresh. ``commit -> 1`` is Rosenberg's
    sequential greedy (one pair per step); at 0.95 it gives the same ancilla counts as the
    sequential heap on the benchmark's random HUBOs. A round is a few numpy sorts over the pairs
    still offered. Past ``patience`` waiting terms every term substitutes its pick, so a million
    degree-4 terms take two rounds of about a second, where a heap of Python tuples took minutes.

    Args:
        blocks: int64 arrays ``(T, L)``, ``L >= 3``, rows of sorted symbol ids below ``first_id``.
        first_id: the id given to the first ancilla.
        commit: fraction of the top count a pair needs to be substituted in this round.
        patience: while more terms than this wait, every one substitutes in each round.

    Returns:
        ``(pairs, finals)``: ``pairs`` an int64 ``(m, 2)`` array, row ``k`` the two symbols
        (``u < v``) whose product ancilla ``first_id + k`` stands for (they may be earlier
        ancillas); ``finals`` one ``(T, 2)`` array per block, each term's last two symbols.

    Examples:
        >>> pairs, finals = greedy_pairs([np.array([[0, 1, 2], [0, 1, 3]])], 4)
        >>> pairs.tolist(), finals[0].tolist()
        ([[0, 1]], [[2, 4], [3, 4]])
    """
    finals = [np.empty((b.shape[0], 2), dtype=np.int64) for b in blocks]
    bound = first_id + sum(b.shape[0] * (b.shape[1] - 2) for b in blocks) + 1  # ids stay below
    active: dict[int, list] = {}
    for bi, b in enumerate(blocks):
        if b.shape[0]:
            active.setdefault(b.shape[1], []).append((np.asarray(b, dtype=np.int64), np.full(b.shape[0], bi),
                                                     np.arange(b.shape[0])))
    pairs: list[np.ndarray] = []
    next_id = first_id
    while active:
        # one block per length: (symbols, source block, source row)
        groups = [(L, np.concatenate([g[0] for g in gs]), np.concatenate([g[1] for g in gs]),
                   np.concatenate([g[2] for g in gs])) for L, gs in sorted(active.items())]
        combos = [np.triu_indices(L, 1) for L, _, _, _ in groups]
        base = next_id if next_id * next_id <= _DENSE_PAIRS else bound  # every symbol is < next_id
        codes = [S[:, ci] * base + S[:, cj] for (_, S, _, _), (ci, cj) in zip(groups, combos)]
        flat = np.concatenate([c.ravel() for c in codes])
        if base == next_id:  # few symbols: count and rank pairs in tables indexed by the code, no sort
            table = np.bincount(flat, minlength=base * base)
            uniq = np.flatnonzero(table)
            counts = table[uniq]
            order = np.lexsort((uniq, -counts))  # most frequent first, then the smallest pair
            table[uniq[order]] = np.arange(order.size)
            occ = table[flat]
            del table
        else:
            uniq, inv, counts = np.unique(flat, return_inverse=True, return_counts=True)
            order = np.lexsort((uniq, -counts))
            rank = np.empty_like(order)
            rank[order] = np.arange(order.size)
            occ = rank[inv]
        del flat
        picks, start = [], 0
        for c in codes:
            r = occ[start : start + c.size].reshape(c.shape)
            start += c.size
            arg = np.argmin(r, axis=1)
            picks.append((arg, r[np.arange(r.shape[0]), arg]))
        # a pair's holders may have picked other pairs: judge a pick by how many terms took it
        taken = np.bincount(np.concatenate([b for _, b in picks]), minlength=order.size)
        need = int(np.ceil(commit * taken.max()))
        if sum(c.shape[0] for c in codes) > patience:
            # past ``patience`` waiting terms every term substitutes its pick: a dense HUBO, where
            # every pair is equally frequent, would otherwise creep through hundreds of rounds
            # over a million terms (3,341 instead of 4,481 ancillas on the 72-variable dense
            # degree-4 HUBO, but 8x slower)
            need = 1
        need = max(1, need)
        picks = [(arg, b, taken[b] >= need) for arg, b in picks]
        new_ranks = np.unique(np.concatenate([b[go] for _, b, go in picks]))
        chosen = uniq[order[new_ranks]]
        pairs.append(np.stack([chosen // base, chosen % base], axis=1))
        nxt: dict[int, list] = {}
        for (L, S, bi, rows), (ci, cj), (arg, r, go) in zip(groups, combos, picks):
            if (~go).any():
                nxt.setdefault(L, []).append((S[~go], bi[~go], rows[~go]))
            if not go.any():
                continue
            S, bi, rows, arg, r = S[go], bi[go], rows[go], arg[go], r[go]
            T = S.shape[0]
            y = next_id + np.searchsorted(new_ranks, r)
            keep = np.ones((T, L), dtype=bool)
            keep[np.arange(T), ci[arg]] = False
            keep[np.arange(T), cj[arg]] = False
            S2 = np.concatenate([S[keep].reshape(T, L - 2), y[:, None]], axis=1)  # y is the largest id
            if L - 1 == 2:
                for b in np.unique(bi).tolist():
                    sel = bi == b
                    finals[b][rows[sel]] = S2[sel]
            else:
                nxt.setdefault(L - 1, []).append((S2, bi, rows))
        next_id += new_ranks.size
        active = nxt
    out = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)
    return out, finals


def _cover_cannot_help(length: int, coefficient: float) -> bool:
    """True when no set of shared pairs lowers the term's gadget cost (or enumerating them is
    unaffordable): a negative term improves only if <= 2 symbols remain, impossible above degree 4."""
    return length > COVER_MAX_DEGREE or (coefficient < 0 and length > 4)


def cover_lower_bound(terms: Mapping[Term, float]) -> int:
    """A lower bound on the ancillas of :func:`optimized_cover` + gadgets, without searching.

    Each term costs at least what its largest matching would leave; terms the cover cannot help
    (above :data:`COVER_MAX_DEGREE`, or negative above degree 4) cost exactly their gadget. Lets
    ``method="auto"`` skip the search when it cannot beat a candidate already built.

    Examples:
        >>> cover_lower_bound({(0, 1, 2, 3, 4): 1.0, (0, 1, 2): -1.0, tuple(range(10)): 1.0})
        4
    """
    total = 0
    for t, c in terms.items():
        L = len(t)
        if L <= 2:
            continue
        if _cover_cannot_help(L, c):
            total += gadget_cost(L, c)
        else:
            total += gadget_cost(L - L // 2, c)
    return total


def _matchings(term: Term) -> list[tuple[tuple[int, int], ...]]:
    """All non-empty sets of disjoint pairs inside ``term``."""
    out = []

    def rec(rest: tuple[int, ...], chosen: tuple) -> None:
        if chosen:
            out.append(chosen)
        for i in range(len(rest)):
            for j in range(i + 1, len(rest)):
                a, b = rest[i], rest[j]
                if chosen and (a, b) <= chosen[-1]:
                    continue  # canonical order: each matching once
                remaining = tuple(x for x in rest if x != a and x != b)
                rec(remaining, chosen + ((a, b),))

    rec(tuple(term), ())
    return sorted(set(out))


def optimized_cover(terms: Mapping[Term, float], *, steps: int | None = None, seed: int = 0):
    """Pairs of original variables to share, and the matching each term uses.

    Returns:
        ``(pairs, matching)``: the sorted list of pairs actually used, and for each term of
        degree >= 3 the tuple of disjoint pairs it substitutes (possibly empty).

    Examples:
        >>> pairs, m = optimized_cover({(0, 1, 2): 1.0, (0, 1, 3): 1.0, (0, 1, 4): 1.0})
        >>> pairs, m[(0, 1, 2)]
        ([(0, 1)], ((0, 1),))
    """
    gadget, pair_cost, helps = _costs(spin=False)
    keys = [t for t in terms if len(t) >= 3]
    base = [gadget(len(t), terms[t]) for t in keys]
    pair_index: dict[tuple[int, int], int] = {}
    options: list[list[tuple[int, tuple[int, ...]]]] = []  # per term: (cost, pair ids), best first
    for t, b in zip(keys, base):
        opts = []
        for m in (_matchings(t) if helps(len(t), terms[t]) else []):
            c = gadget(len(t) - len(m), terms[t])
            if c < b:
                ids = tuple(pair_index.setdefault(p, len(pair_index)) for p in m)
                opts.append((c, -len(m), ids, m))
        opts.sort()
        options.append([(c, ids) for c, _, ids, _ in opts])
    # renumber pairs in sorted order so the random walk is label-order independent
    ordered = sorted(pair_index)
    renum = {pair_index[p]: i for i, p in enumerate(ordered)}
    options = [[(c, tuple(renum[i] for i in ids)) for c, ids in opts] for opts in options]
    npairs = len(ordered)
    pair_terms: list[list[int]] = [[] for _ in range(npairs)]
    for ti, opts in enumerate(options):
        seen = sorted({i for _, ids in opts for i in ids})
        for i in seen:
            pair_terms[i].append(ti)

    S = np.zeros(npairs, dtype=bool)

    def cost(ti: int) -> int:
        for c, ids in options[ti]:
            if all(S[i] for i in ids):
                return c
        return base[ti]

    if npairs:
        if steps is None:
            # ~100 proposals per pair: 466 -> 454 ancillas on the 40-variable benchmark HUBO for
            # ~1.3 s; 5x more gains ~2% (see benchmarks/reduction.py)
            steps = int(min(150_000, max(2_000, 100 * npairs)))
        rng = np.random.default_rng(seed)
        qs = rng.integers(npairs, size=steps)
        us = rng.random(steps)
        tcost = [base[ti] for ti in range(len(keys))]
        cur = 0
        best, bestS = 0, S.copy()
        t_hi, t_lo = 1.0, 0.05
        for k in range(steps):
            temp = t_hi * (t_lo / t_hi) ** (k / steps)
            q = int(qs[k])
            S[q] = not S[q]
            delta = pair_cost if S[q] else -pair_cost
            new = []
            for ti in pair_terms[q]:
                c = cost(ti)
                delta += c - tcost[ti]
                new.append(c)
            if delta <= 0 or us[k] < np.exp(-delta / temp):
                for ti, c in zip(pair_terms[q], new):
                    tcost[ti] = c
                cur += delta
                if cur < best:
                    best, bestS = cur, S.copy()
            else:
                S[q] = not S[q]
        S = bestS
    matching: dict[Term, tuple] = {}
    used: set[int] = set()
    for t, opts in zip(keys, options):
        chosen: tuple[int, ...] = ()
        for c, ids in opts:
            if all(S[i] for i in ids):
                chosen = ids
                break
        used.update(chosen)
        matching[t] = tuple(ordered[i] for i in chosen)
    return [ordered[i] for i in sorted(used)], matching


def prune_leaves(terms: Mapping[Term, float], first_id: int, pairs, symbol_terms, spin: bool = False):
    """Drop shared products that do not pay for themselves once exact gadgets may finish terms
    (with ``spin``: spin products, two ancillas each, and parity gadgets).

    Starting from a full substitution (``pairs``, ``symbol_terms`` as returned by
    :func:`greedy_pairs`), an ancilla nothing else is built from is undone -- its uses get its two
    factors back -- whenever that does not raise ``#ancillas + sum of gadget ancillas of the terms``.
    Repeats until no such ancilla is left; returns the same shapes, renumbered.

    Examples:
        >>> terms = {(0, 1, 2, 3): -1.0, (0, 1, 4, 5): -1.0}
        >>> pairs, (final,) = greedy_pairs([np.array(list(terms))], 6)
        >>> sym = dict(zip(terms, map(tuple, final.tolist())))
        >>> len(pairs), prune_leaves(terms, 6, list(map(tuple, pairs.tolist())), sym)[0]
        (3, [])
    """
    gadget, pair_cost, _ = _costs(spin)
    m = len(pairs)
    alive = [True] * m
    sym = {t: list(s) for t, s in symbol_terms.items()}
    uses: list[set] = [set() for _ in range(m)]
    for t, s in sym.items():
        for a in s:
            if a >= first_id:
                uses[a - first_id].add(t)
    children = [0] * m
    for u, v in pairs:
        for f in (u, v):
            if f >= first_id:
                children[f - first_id] += 1
    changed = True
    while changed:
        changed = False
        for k in reversed(range(m)):
            if not alive[k] or children[k]:
                continue
            delta = -pair_cost
            for t in uses[k]:
                L = len(sym[t])
                delta += gadget(L + 1, terms[t]) - gadget(L, terms[t])
            if delta > 0:  # ties are undone too: they can free a parent to be undone
                continue
            y = first_id + k
            u, v = pairs[k]
            for t in sorted(uses[k]):
                sym[t] = sorted([a for a in sym[t] if a != y] + [u, v])
                for f in (u, v):
                    if f >= first_id:
                        uses[f - first_id].add(t)
            uses[k] = set()
            alive[k] = False
            for f in (u, v):
                if f >= first_id:
                    children[f - first_id] -= 1
            changed = True
    renum = {}
    kept = []
    for k in range(m):
        if alive[k]:
            renum[first_id + k] = first_id + len(kept)
            kept.append(k)
    new_pairs = [tuple(sorted(renum.get(f, f) for f in pairs[k])) for k in kept]
    new_sym = {t: tuple(sorted(renum.get(a, a) for a in s)) for t, s in sym.items()}
    return new_pairs, new_sym
