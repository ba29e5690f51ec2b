"""Numba kernels for any feed-forward BiNN of the package: incremental single-bit flips.

Static description ``st`` (built by :class:`~anneal_binn.solvers.loss_anneal.model.LossModel`):
``(X0, y, nin, nout, acts, nacts, widths, nwidths, kind, vl, vu, vi, vb, widx, bidx, midx,
nidx, aidx, naidx, wcidx, nwcidx, loss, mode, hnorm)``; codes are in ``model.py``.

State of copy ``c`` (all arrays have a leading copy axis): ``bits`` (N,), effective weights
``W`` (L, U, I) (spin × connection mask × presence of the input unit), biases ``B`` (L, U),
live-input counts ``cnt`` (L, U), unit presence ``act_u`` (L, U), activation codes ``act``
(L,), pre-activations ``z`` and activations ``h`` (L, U, P), and per-sample losses ``lp`` (P,).

A weight, bias or mask flip in layer l, unit u changes ``z[l, u, :]`` by a multiple of that
input's row (O(P)); only the samples whose ``h[l, u]`` changed (for sign units, those whose
sign flipped) are pushed into layer l+1 (O(fan-out) each) and forward from there, and only
their losses are recomputed. Activation, width and neuron bits rebuild the layers from theirs
on (there are few of them).
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from anneal_binn.solvers._hubo_sa_numba import _next

# activation codes
SIGN, RELU, SIGMOID, TANH, IDENTITY, SOFTMAX = 0, 1, 2, 3, 4, 5
# loss codes
ZERO_ONE, MSE, BCE, SOFTMAX_CE = 0, 1, 2, 3
# variable kinds
WEIGHT, BIAS, MASK, NEURON, ACTIVATION, WIDTH = 0, 1, 2, 3, 4, 5


@nb.njit(cache=True, inline="always")
def _f(code, z):
    if code == SIGN:
        return 1.0 if z >= 0.0 else -1.0
    if code == RELU:
        return z if z > 0.0 else 0.0
    if code == SIGMOID:
        e = math.exp(-abs(z))
        return 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)
    if code == TANH:
        return math.tanh(z)
    return z


@nb.njit(cache=True, inline="always")
def _threshold(code):
    if code == SIGMOID:
        return 0.5
    if code == RELU:
        return 1e-300
    return 0.0


@nb.njit(cache=True, inline="always")
def _targets(code):
    if code == SIGMOID or code == RELU:
        return 0.0, 1.0
    return -1.0, 1.0


@nb.njit(cache=True, inline="always")
def _loss_at(y, z, h, act, c, p, o, K, loss, mode, hnorm):
    """Loss (or hinge term) of sample p of copy c from the output layer o (K units)."""
    if mode == 1:  # hinge on the output pre-activation; a tie on label -1 is an error (sign(0) = +1)
        d = y[p] * z[c, o, 0, p]
        if d < 0.0:
            return -d / hnorm
        return 1.0 / hnorm if (d == 0.0 and y[p] < 0) else 0.0
    if loss == BCE:
        zz = z[c, o, 0, p]
        return max(zz, 0.0) + math.log1p(math.exp(-abs(zz))) - (1.0 if y[p] > 0 else 0.0) * zz
    if loss == SOFTMAX_CE:
        zmax = z[c, o, 0, p]
        for k in range(1, K):
            zmax = max(zmax, z[c, o, k, p])
        s = 0.0
        for k in range(K):
            s += math.exp(z[c, o, k, p] - zmax)
        return zmax + math.log(s) - z[c, o, y[p], p]
    code = act[c, o]
    if loss == ZERO_ONE:
        if K == 1:
            pred = 1 if h[c, o, 0, p] >= _threshold(code) else -1
        else:
            pred = 0
            for k in range(1, K):
                if h[c, o, k, p] > h[c, o, pred, p]:
                    pred = k
        return 1.0 if pred != y[p] else 0.0
    lo, hi = _targets(code)
    if K == 1:
        t = hi if y[p] > 0 else lo
        return (h[c, o, 0, p] - t) ** 2
    acc = 0.0
    for k in range(K):
        t = hi if k == y[p] else lo
        acc += (h[c, o, k, p] - t) ** 2
    return acc / K


@nb.njit(cache=True)
def _loss_all(st, dy, c):
    """Every per-sample loss of copy c from its current outputs; returns their sum."""
    bits, W, B, cnt, act_u, act, z, h, lp = dy
    y, nin, nout, loss, mode, hnorm = st[1], st[2], st[3], st[21], st[22], st[23]
    o = nin.shape[0] - 1
    total = 0.0
    for p in range(lp.shape[1]):
        v = _loss_at(y, z, h, act, c, p, o, nout[o], loss, mode, hnorm)
        lp[c, p] = v
        total += v
    return total


@nb.njit(cache=True, inline="always")
def _h_unit(code, zv, count):
    # a sign unit with no live input (all masked/absent, no bias) outputs -1 (see model.network)
    if code == SIGN and count == 0.0:
        return -1.0
    return _f(code, zv)


@nb.njit(cache=True)
def _layer_params(st, dy, c, l):
    """Rebuild layer l's activation code, unit presence, effective weights, biases and counts."""
    bits, W, B, cnt, act_u, act, z, h, lp = dy
    (X0, y, nin, nout, acts, nacts, widths, nwidths, kind, vl, vu, vi, vb, widx, bidx, midx,
     nidx, aidx, naidx, wcidx, nwcidx, loss, mode, hnorm) = st
    idx = 0
    for k in range(naidx[l]):
        idx |= np.int64(bits[c, aidx[l, k]]) << k
    act[c, l] = acts[l, min(idx, nacts[l] - 1)]
    idx = 0
    for k in range(nwcidx[l]):
        idx |= np.int64(bits[c, wcidx[l, k]]) << k
    width = widths[l, min(idx, nwidths[l] - 1)]
    for u in range(nout[l]):
        on = 1.0 if u < width else 0.0
        if nidx[l, u] >= 0:
            on *= float(bits[c, nidx[l, u]])
        act_u[c, l, u] = on
    for u in range(nout[l]):
        count = 0.0
        for i in range(nin[l]):
            g = 1.0 if l == 0 else act_u[c, l - 1, i]
            if midx[l, u, i] >= 0:
                g *= float(bits[c, midx[l, u, i]])
            W[c, l, u, i] = g * (2.0 * bits[c, widx[l, u, i]] - 1.0)
            count += g
        if bidx[l, u] >= 0:
            B[c, l, u] = 2.0 * bits[c, bidx[l, u]] - 1.0
            count += 1.0
        else:
            B[c, l, u] = 0.0
        cnt[c, l, u] = count


@nb.njit(cache=True)
def _forward_from(st, dy, c, l0):
    """Full forward pass from layer l0 for copy c, then every per-sample loss; returns their sum."""
    bits, W, B, cnt, act_u, act, z, h, lp = dy
    X0, nin, nout = st[0], st[2], st[3]
    L = nin.shape[0]
    P = X0.shape[1]
    for l in range(l0, L):
        for u in range(nout[l]):
            for p in range(P):
                z[c, l, u, p] = B[c, l, u]
            for i in range(nin[l]):
                w = W[c, l, u, i]
                if w != 0.0:
                    for p in range(P):
                        z[c, l, u, p] += w * (X0[i, p] if l == 0 else h[c, l - 1, i, p])
        _activate_layer(st, dy, c, l)
    return _loss_all(st, dy, c)


@nb.njit(cache=True)
def _activate_layer(st, dy, c, l):
    bits, W, B, cnt, act_u, act, z, h, lp = dy
    P = st[0].shape[1]
    K = st[3][l]
    code = act[c, l]
    if code == SOFTMAX:
        for p in range(P):
            _softmax_at(z, h, c, l, K, p)
        return
    for u in range(K):
        for p in range(P):
            h[c, l, u, p] = _h_unit(code, z[c, l, u, p], cnt[c, l, u])


@nb.njit(cache=True, inline="always")
def _softmax_at(z, h, c, l, K, p):
    m = z[c, l, 0, p]
    for k in range(1, K):
        m = max(m, z[c, l, k, p])
    s = 0.0
    for k in range(K):
        e = math.exp(z[c, l, k, p] - m)
        h[c, l, k, p] = e
        s += e
    for k in range(K):
        h[c, l, k, p] /= s


@nb.njit(cache=True)
def _samples_from(st, dy, c, l0, idx, n):
    """Recompute layer l0's activations and everything above it at samples idx[:n] (z[l0] is
    current there) and their losses; returns the change of their summed loss.

    One call per flip (a call per sample costs more than the arithmetic it would do).
    """
    bits, W, B, cnt, act_u, act, z, h, lp = dy
    y, nin, nout, loss, mode, hnorm = st[1], st[2], st[3], st[21], st[22], st[23]
    L = nin.shape[0]
    for l in range(l0, L):
        code = act[c, l]
        if l > l0:
            for u in range(nout[l]):
                for j in range(n):
                    p = idx[j]
                    acc = B[c, l, u]
                    for i in range(nin[l]):
                        acc += W[c, l, u, i] * h[c, l - 1, i, p]
                    z[c, l, u, p] = acc
        if code == SOFTMAX:
            for j in range(n):
                _softmax_at(z, h, c, l, nout[l], idx[j])
        else:
            for u in range(nout[l]):
                cu = cnt[c, l, u]
                for j in range(n):
                    p = idx[j]
                    h[c, l, u, p] = _h_unit(code, z[c, l, u, p], cu)
    total = 0.0
    o = L - 1
    for j in range(n):
        p = idx[j]
        v = _loss_at(y, z, h, act, c, p, o, nout[o], loss, mode, hnorm)
        total += v - lp[c, p]
        lp[c, p] = v
    return total


@nb.njit(cache=True)
def _unit_changed(st, dy, c, l, u):
    """z[l, u, :] changed: push the change forward, only at the samples whose h[l, u] moved;
    returns the loss change."""
    bits, W, B, cnt, act_u, act, z, h, lp = dy
    nin, nout = st[2], st[3]
    L = nin.shape[0]
    P = lp.shape[1]
    code = act[c, l]
    idx = np.empty(P, dtype=np.int64)
    if l == L - 1 or code == SOFTMAX:
        # the output layer (or a softmax layer, whose every unit moves): recompute from layer l
        for p in range(P):
            idx[p] = p
        return _samples_from(st, dy, c, l, idx, P)
    cu = cnt[c, l, u]
    n = 0
    for p in range(P):
        hv = _h_unit(code, z[c, l, u, p], cu)
        dh = hv - h[c, l, u, p]
        if dh != 0.0:
            h[c, l, u, p] = hv
            for v in range(nout[l + 1]):
                z[c, l + 1, v, p] += W[c, l + 1, v, u] * dh
            idx[n] = p
            n += 1
    return _samples_from(st, dy, c, l + 1, idx, n)


@nb.njit(cache=True)
def flip(st, dy, c, v):
    """Flip bit v of copy c, update the state; returns the change of the (unreduced) energy."""
    bits, W, B, cnt, act_u, act, z, h, lp = dy
    (X0, y, nin, nout, acts, nacts, widths, nwidths, kind, vl, vu, vi, vb, widx, bidx, midx,
     nidx, aidx, naidx, wcidx, nwcidx, loss, mode, hnorm) = st
    P = X0.shape[1]
    bits[c, v] = 1 - bits[c, v]
    k = kind[v]
    l = vl[v]
    u = vu[v]
    if k == WEIGHT or k == MASK:
        i = vi[v]
        g = 1.0 if l == 0 else act_u[c, l - 1, i]
        if midx[l, u, i] >= 0:
            g *= float(bits[c, midx[l, u, i]])
        new = g * (2.0 * bits[c, widx[l, u, i]] - 1.0)
        dw = new - W[c, l, u, i]
        if k == MASK:
            cnt[c, l, u] += (1.0 if bits[c, v] == 1 else -1.0) * (1.0 if l == 0 else act_u[c, l - 1, i])
        if dw == 0.0 and k == WEIGHT:
            return 0.0
        W[c, l, u, i] = new
        if dw != 0.0:
            for p in range(P):
                z[c, l, u, p] += dw * (X0[i, p] if l == 0 else h[c, l - 1, i, p])
        return _unit_changed(st, dy, c, l, u)
    if k == BIAS:
        new = 2.0 * bits[c, v] - 1.0
        dw = new - B[c, l, u]
        B[c, l, u] = new
        for p in range(P):
            z[c, l, u, p] += dw
        return _unit_changed(st, dy, c, l, u)
    # architecture bits: rebuild from this layer on
    old = 0.0
    for p in range(P):
        old += lp[c, p]
    for j in range(l, nin.shape[0]):
        _layer_params(st, dy, c, j)
    return _forward_from(st, dy, c, l) - old


@nb.njit(cache=True)
def init_copy(st, dy, c):
    """Build the whole state of copy c from its bits; returns its (unreduced) energy."""
    for l in range(st[2].shape[0]):
        _layer_params(st, dy, c, l)
    return _forward_from(st, dy, c, 0)


@nb.njit(cache=True)
def _anneal_read(st, dy, c0, M, red, escale, betas, couplings, topology, resync, rng, best, free):
    bits = dy[0]
    N = bits.shape[1]
    E = np.empty(M)
    for a in range(M):
        E[a] = init_copy(st, dy, c0 + a)
    col = np.zeros(N)
    for a in range(M):
        for i in range(N):
            col[i] += 2.0 * bits[c0 + a, i] - 1.0
    b0 = 0
    for a in range(1, M):
        if E[a] < E[b0]:
            b0 = a
    best_e = E[b0]
    best[:] = bits[c0 + b0]
    for k in range(betas.shape[0]):
        beta = betas[k]
        J = couplings[k]
        for a in range(M):
            c = c0 + a
            for j in range(free.shape[0]):
                i = free[j]
                s = 2.0 * bits[c, i] - 1.0
                dE = flip(st, dy, c, i)
                dH = escale * red * dE
                if topology == 1 and M > 1:
                    nb_sum = (2.0 * bits[c0 + (a - 1) % M, i] - 1.0) + (2.0 * bits[c0 + (a + 1) % M, i] - 1.0)
                    dH += 2.0 * J * s * nb_sum
                elif topology == 2:
                    dH += 2.0 * J * s * (col[i] - s)
                if dH <= 0.0 or _next(rng) < math.exp(-beta * dH):
                    E[a] += dE
                    col[i] -= 2.0 * s
                else:
                    flip(st, dy, c, i)
        for a in range(M):
            c = c0 + a
            if resync > 0 and (k + 1) % resync == 0:
                E[a] = init_copy(st, dy, c)  # float round-off of undone flips never accumulates
            else:
                e = 0.0
                for p in range(dy[8].shape[1]):
                    e += dy[8][c, p]
                E[a] = e
            if E[a] < best_e:
                best_e = E[a]
                best[:] = bits[c]
    return best_e


@nb.njit(cache=True, parallel=True)
def anneal(st, dy, M, red, escale, betas, couplings, topology, resync, seeds, free):
    """Anneal every read (copies r*M .. r*M+M-1 of the state); returns the best bits (reads, N).

    Only the variables in ``free`` (int64) are flipped, in that order; the others keep their values
    in ``dy`` (a problem restricted to some of its bits, e.g. mask bits over frozen weights).
    """
    R = seeds.shape[0]
    N = dy[0].shape[1]
    best = np.empty((R, N), dtype=np.int8)
    for r in nb.prange(R):
        rng = np.empty(1, dtype=np.uint64)
        rng[0] = seeds[r]
        b = np.empty(N, dtype=np.int8)
        _anneal_read(st, dy, r * M, M, red, escale, betas, couplings, topology, resync, rng, b, free)
        best[r] = b
    return best
