"""Numba kernels for the single-unit sign layer (the binary perceptron), the benchmarks' hot path.

A configuration is a spin vector ``s`` (weights, then the bias as a weight on a constant input);
each pattern keeps its stability ``D[mu] = y_mu * z_mu``. Flipping ``s_i`` changes every
stability by ``-2 s_i yx[i, mu]`` with ``yx[i, mu] = y_mu x_mu,i``, so a proposal costs one pass
over a contiguous row of ``yx`` (O(P)), and nothing else is stored. With ±1 inputs every
quantity is an integer held exactly in float64, so incremental energies never drift.

Energies per pattern (unscaled; the caller multiplies by ``scale``):
- mode 0, errors: 1 when misclassified (``D < 0``, or ``D == 0`` with ``y = -1`` since sign(0) = +1);
- mode 1, hinge: ``max(0, -D)``, plus 1 for a tie ``D == 0`` with ``y = -1`` (an error: sign(0) = +1).

One read anneals ``M`` copies of the weights (M = 1 for SA, the Trotter slices for SQA, the
replicas for replicated SA) coupled by ``-J_k sum s_i^a s_i^b`` over the pairs of ``topology``
(0: none, 1: ring, 2: all pairs), at inverse temperature ``betas[k]`` in sweep ``k``.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from anneal_binn.solvers._hubo_sa_numba import _next


@nb.njit(cache=True, inline="always")
def _pattern_energy(d, tie, mode):
    if mode == 1:
        return -d if d < 0.0 else (1.0 if (d == 0.0 and tie) else 0.0)
    if d < 0.0 or (d == 0.0 and tie):
        return 1.0
    return 0.0


@nb.njit(cache=True)
def _flip_delta_hinge(D, row, step, tie):
    # sum over patterns of hinge(D + step*row) - hinge(D); written without branches so that
    # LLVM vectorizes it (with int32 stabilities, 8 patterns per AVX2 instruction)
    acc = D[0] - D[0]
    for mu in range(D.shape[0]):
        old = D[mu]
        new = old + step * row[mu]
        t = tie[mu]
        acc += max(-new, 0) + ((new == 0) & t) - max(-old, 0) - ((old == 0) & t)
    return float(acc)


@nb.njit(cache=True)
def _flip_delta_errors(D, row, step, tie):
    acc = 0
    for mu in range(D.shape[0]):
        old = D[mu]
        new = old + step * row[mu]
        e_old = (old < 0) | ((old == 0) & tie[mu])
        e_new = (new < 0) | ((new == 0) & tie[mu])
        acc += np.int32(e_new) - np.int32(e_old)
    return float(acc)


@nb.njit(cache=True)
def stabilities(s, yx):
    """D[mu] = sum_i s_i yx[i, mu] for one spin vector (in yx's dtype)."""
    P = yx.shape[1]
    D = np.zeros(P, dtype=yx.dtype)
    for i in range(yx.shape[0]):
        si = s[i]
        for mu in range(P):
            D[mu] += si * yx[i, mu]
    return D


@nb.njit(cache=True)
def energy_of(s, yx, tie, mode):
    D = stabilities(s, yx)
    e = 0.0
    for mu in range(D.shape[0]):
        e += _pattern_energy(float(D[mu]), tie[mu], mode)
    return e


@nb.njit(cache=True)
def _anneal_read(S, yx, tie, mode, escale, betas, couplings, topology, rng, best, D):
    # S (M, N) int8 spins, D (M, P) stabilities in yx's dtype (int32 for integer inputs: exact and
    # twice as many lanes per vector instruction as float64)
    M, N = S.shape
    P = yx.shape[1]
    E = np.empty(M)
    for a in range(M):
        D[a] = stabilities(S[a], yx)
        e = 0.0
        for mu in range(P):
            e += _pattern_energy(float(D[a, mu]), tie[mu], mode)
        E[a] = e
    col = np.zeros(N)  # sum over copies of s_i (all-pairs coupling)
    for a in range(M):
        for i in range(N):
            col[i] += S[a, i]
    b0 = 0
    for a in range(1, M):
        if E[a] < E[b0]:
            b0 = a
    best_e = E[b0]
    best[:] = S[b0]
    for k in range(betas.shape[0]):
        beta = betas[k]
        J = couplings[k]
        for a in range(M):
            Da = D[a]
            for i in range(N):
                s = S[a, i]
                step = D[0, 0] - D[0, 0] - 2 * s
                if mode == 1:
                    dE = _flip_delta_hinge(Da, yx[i], step, tie)
                else:
                    dE = _flip_delta_errors(Da, yx[i], step, tie)
                dH = escale * dE
                if topology == 1 and M > 1:
                    nb_sum = S[(a - 1) % M, i] + S[(a + 1) % M, i]
                    dH += 2.0 * J * s * nb_sum
                elif topology == 2:
                    dH += 2.0 * J * s * (col[i] - s)
                if dH <= 0.0 or _next(rng) < math.exp(-beta * dH):
                    row = yx[i]
                    for mu in range(P):
                        Da[mu] += step * row[mu]
                    S[a, i] = -s
                    col[i] -= 2.0 * s
                    E[a] += dE
        for a in range(M):
            if E[a] < best_e:
                best_e = E[a]
                best[:] = S[a]
    return best_e


@nb.njit(cache=True, parallel=True)
def anneal(S0, yx, tie, mode, escale, betas, couplings, topology, seeds):
    """Anneal every read; ``S0`` (reads, M, N) int8 spins (changed in place); returns best (reads, N)."""
    R, M, N = S0.shape
    P = yx.shape[1]
    best = np.empty((R, N), dtype=np.int8)
    for r in nb.prange(R):
        rng = np.empty(1, dtype=np.uint64)
        rng[0] = seeds[r]
        D = np.empty((M, P), dtype=yx.dtype)
        b = np.empty(N, dtype=np.int8)
        _anneal_read(S0[r], yx, tie, mode, escale, betas, couplings, topology, rng, b, D)
        best[r] = b
    return best
