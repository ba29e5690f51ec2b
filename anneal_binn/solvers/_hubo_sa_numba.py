"""Numba kernels for :mod:`anneal_binn.solvers.hubo_sa` (imported only when numba is present).

One read is one independent Metropolis anneal; reads run in parallel (``prange``). Each read
keeps, per term, a count of its zero bits (BINARY) or its current sign (SPIN), and per variable
the energy change of flipping it (its local field). A proposal therefore costs O(1), which
matters because late in an anneal almost every proposal is rejected; an accepted flip updates
the fields of the variables sharing a term with it (term adjacency), skipping BINARY terms
that hold two or more other zeros. No full energy is recomputed until the end.
Random numbers come from a per-read xorshift64* stream seeded from the caller's Generator, so
results do not depend on the thread count.
"""
from __future__ import annotations

import numba as nb
import numpy as np

_U12 = np.uint64(12)
_U25 = np.uint64(25)
_U27 = np.uint64(27)
_U11 = np.uint64(11)
_MULT = np.uint64(0x2545F4914F6CDD1D)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@nb.njit(cache=True, inline="always")
def _next(state):
    x = state[0]
    x ^= x >> _U12
    x ^= x << _U25
    x ^= x >> _U27
    state[0] = x
    return np.float64((x * _MULT) >> _U11) * _INV53


@nb.njit(cache=True)
def _anneal_binary(x, coef, term_ptr, term_vars, var_ptr, var_terms, betas, tie, state):
    n = x.shape[0]
    T = coef.shape[0]
    # zeros[t]: zero bits in term t.  f[i]: sum of c_t over terms t containing i whose other
    # bits are all 1, so flipping x_i costs f[i] (0->1) or -f[i] (1->0): O(1) per proposal.
    zeros = np.zeros(T, dtype=np.int32)
    for t in range(T):
        z = 0
        for k in range(term_ptr[t], term_ptr[t + 1]):
            if x[term_vars[k]] == 0:
                z += 1
        zeros[t] = z
    f = np.zeros(n, dtype=np.float64)
    for i in range(n):
        for k in range(var_ptr[i], var_ptr[i + 1]):
            t = var_terms[k]
            if zeros[t] - (1 - x[i]) == 0:
                f[i] += coef[t]
    for b in range(betas.shape[0]):
        beta = betas[b]
        for i in range(n):
            xi = x[i]
            d = f[i] if xi == 0 else -f[i]
            if d > tie:
                bd = beta * d
                if bd > 40.0 or _next(state) >= np.exp(-bd):
                    continue
            elif d >= -tie:
                # a zero-cost flip: accept with probability 1/2, else the cold sweeps turn into a
                # deterministic cycle on a plateau that can miss its exit forever
                if _next(state) >= 0.5:
                    continue
            # accept: only terms whose other bits hold at most one zero change anyone's field
            for k in range(var_ptr[i], var_ptr[i + 1]):
                t = var_terms[k]
                others = zeros[t] - (1 - xi)
                if others == 0:
                    # every other member j sees its "others all one" status toggle
                    c = coef[t] if xi == 0 else -coef[t]
                    for m in range(term_ptr[t], term_ptr[t + 1]):
                        j = term_vars[m]
                        if j != i:
                            f[j] += c
                elif others == 1:
                    c = coef[t] if xi == 0 else -coef[t]
                    for m in range(term_ptr[t], term_ptr[t + 1]):
                        j = term_vars[m]
                        if j != i and x[j] == 0:
                            f[j] += c
                            break
                zeros[t] += 1 if xi == 1 else -1
            x[i] = 1 - xi
    e = 0.0
    for t in range(T):
        if zeros[t] == 0:
            e += coef[t]
    return e


@nb.njit(cache=True)
def _anneal_spin(x, coef, term_ptr, term_vars, var_ptr, var_terms, nb_ptr, nb_var, nb_term, betas, tie, state):
    n = x.shape[0]
    T = coef.shape[0]
    # sign[t]: current value of the spin product of term t.  d[i]: energy change of flipping i.
    sign = np.ones(T, dtype=np.int8)
    for t in range(T):
        p = 1
        for k in range(term_ptr[t], term_ptr[t + 1]):
            p *= x[term_vars[k]]
        sign[t] = p
    d = np.zeros(n, dtype=np.float64)
    for i in range(n):
        acc = 0.0
        for k in range(var_ptr[i], var_ptr[i + 1]):
            t = var_terms[k]
            acc += coef[t] * sign[t]
        d[i] = -2.0 * acc
    for b in range(betas.shape[0]):
        beta = betas[b]
        for i in range(n):
            di = d[i]
            if di > tie:
                bd = beta * di
                if bd > 40.0 or _next(state) >= np.exp(-bd):
                    continue
            elif di >= -tie:
                if _next(state) >= 0.5:  # a zero-cost flip, as in _anneal_binary
                    continue
            x[i] = -x[i]
            d[i] = -di
            # contiguous (neighbour, term) pairs of i: one linear scan updates every field
            for m in range(nb_ptr[i], nb_ptr[i + 1]):
                t = nb_term[m]
                d[nb_var[m]] += 4.0 * coef[t] * sign[t]
            for k in range(var_ptr[i], var_ptr[i + 1]):
                t = var_terms[k]
                sign[t] = -sign[t]
    e = 0.0
    for t in range(T):
        e += coef[t] * sign[t]
    return e


@nb.njit(cache=True)
def flip_costs(X, spin, coef, term_ptr, term_vars, var_ptr, var_terms):
    """|energy change| of every single flip from each row of ``X`` (S, n): the kernels' initial fields."""
    S, n = X.shape
    T = coef.shape[0]
    out = np.empty((S, n), dtype=np.float64)
    count = np.empty(T, dtype=np.int64)  # zero bits (BINARY) or the spin product (SPIN) of each term
    for s in range(S):
        x = X[s]
        for t in range(T):
            c = 0 if not spin else 1
            for k in range(term_ptr[t], term_ptr[t + 1]):
                if spin:
                    c *= x[term_vars[k]]
                elif x[term_vars[k]] == 0:
                    c += 1
            count[t] = c
        for i in range(n):
            acc = 0.0
            for k in range(var_ptr[i], var_ptr[i + 1]):
                t = var_terms[k]
                if spin:
                    acc += coef[t] * count[t]
                elif count[t] - (1 - x[i]) == 0:
                    acc += coef[t]
            out[s, i] = abs(acc) * (2.0 if spin else 1.0)
    return out


@nb.njit(cache=True)
def neighbours(n, term_ptr, term_vars, var_ptr, var_terms):
    """For each variable i, the flat (j, t) pairs with j != i both in term t (CSR by i)."""
    counts = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        c = 0
        for k in range(var_ptr[i], var_ptr[i + 1]):
            t = var_terms[k]
            c += term_ptr[t + 1] - term_ptr[t] - 1
        counts[i + 1] = c
    nb_ptr = np.cumsum(counts)
    nb_var = np.empty(nb_ptr[n], dtype=np.int32)
    nb_term = np.empty(nb_ptr[n], dtype=np.int32)
    for i in range(n):
        pos = nb_ptr[i]
        for k in range(var_ptr[i], var_ptr[i + 1]):
            t = var_terms[k]
            for m in range(term_ptr[t], term_ptr[t + 1]):
                j = term_vars[m]
                if j != i:
                    nb_var[pos] = j
                    nb_term[pos] = t
                    pos += 1
    return nb_ptr, nb_var, nb_term


@nb.njit(cache=True)
def _fields(n, spin, term_ptr, term_vars, var_ptr, var_terms):
    if spin:
        return neighbours(n, term_ptr, term_vars, var_ptr, var_terms)
    return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)


@nb.njit(cache=True)
def _one(states, r, spin, coef, term_ptr, term_vars, var_ptr, var_terms, nb_ptr, nb_var, nb_term, betas, tie,
         seeds):
    st = np.empty(1, dtype=np.uint64)
    st[0] = seeds[r]
    if spin:
        return _anneal_spin(states[r], coef, term_ptr, term_vars, var_ptr, var_terms,
                            nb_ptr, nb_var, nb_term, betas, tie, st)
    return _anneal_binary(states[r], coef, term_ptr, term_vars, var_ptr, var_terms, betas, tie, st)


@nb.njit(cache=True, parallel=True)
def anneal(states, spin, coef, term_ptr, term_vars, var_ptr, var_terms, betas, tie, seeds):
    """Anneal every row of ``states`` (R, n) int8 in place; returns the (R,) energies w/o offset.

    A flip whose energy change is within ``tie`` of zero is a tie, accepted with probability 1/2.
    """
    R = states.shape[0]
    energies = np.empty(R, dtype=np.float64)
    nb_ptr, nb_var, nb_term = _fields(states.shape[1], spin, term_ptr, term_vars, var_ptr, var_terms)
    for r in nb.prange(R):
        energies[r] = _one(states, r, spin, coef, term_ptr, term_vars, var_ptr, var_terms,
                           nb_ptr, nb_var, nb_term, betas, tie, seeds)
    return energies


@nb.njit(cache=True)
def anneal_serial(states, spin, coef, term_ptr, term_vars, var_ptr, var_terms, betas, tie, seeds):
    """:func:`anneal` on the calling thread: the same numbers, without the thread pool's start-up,
    which costs more than a small anneal (8 variables, 100 reads, 10 sweeps: ~8 ms against ~0.1 ms
    on a busy 2-core machine)."""
    R = states.shape[0]
    energies = np.empty(R, dtype=np.float64)
    nb_ptr, nb_var, nb_term = _fields(states.shape[1], spin, term_ptr, term_vars, var_ptr, var_terms)
    for r in range(R):
        energies[r] = _one(states, r, spin, coef, term_ptr, term_vars, var_ptr, var_terms,
                           nb_ptr, nb_var, nb_term, betas, tie, seeds)
    return energies


_WARM = False


def warm_up() -> None:
    """Run every kernel once on a one-term problem (loads the on-disk cache or compiles)."""
    global _WARM
    if _WARM:
        return
    coef = np.ones(1)
    ptr = np.array([0, 1], dtype=np.int64)
    tv = np.zeros(1, dtype=np.int32)
    for spin in (False, True):
        for kernel in (anneal, anneal_serial):
            st = np.ones((1, 1), dtype=np.int8)
            kernel(st, spin, coef, ptr, tv, ptr, tv, np.ones(1), 0.0, np.ones(1, dtype=np.uint64))
    _WARM = True
