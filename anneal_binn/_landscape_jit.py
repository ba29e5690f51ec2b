"""numba kernels of :mod:`anneal_binn.landscape_kernels` (imported only when numba is there).

Module-level functions, so numba's on-disk cache keeps them between processes (closures made
inside a function are compiled again by every process).
"""
import math

import numpy as np
from numba import njit

# The constants live here, not in the importing module: numba freezes globals into the cached
# machine code and only this file's changes invalidate that cache.
BLOCK_BITS = 12  # pre-activations are recomputed from scratch every 2^12 Gray-code steps
CLAMP = 40.0  # exp(-a) for a > CLAMP is below 4.3e-18: returned as exp(-CLAMP)
# exp(r) = sum r^k / k!, k <= 13, |r| <= ln2/2: truncation (ln2/2)^14 / 14! < 4e-18
EXP_COEFFS = tuple(1.0 / math.factorial(k) for k in range(13, -1, -1))
# atanh(s)/s = sum w^k / (2k+1), w = s^2 <= 1/9, k <= 15: truncation < 1.2e-17
ATANH_COEFFS = tuple(1.0 / (2 * k + 1) for k in range(15, -1, -1))
LN2_HI, LN2_LO, LOG2E = 6.93147180369123816490e-01, 1.90821492927058770002e-10, 1.4426950408889634
ec, ac = EXP_COEFFS, ATANH_COEFFS

# reassociation (vectorized sums) and FMA contraction only, no approximate math; numpy's error
# model, because the python one checks every division for zero and that stops vectorization
fm = {"reassoc", "contract", "nsz"}

@njit(cache=True, fastmath=fm, inline="always", error_model="numpy")
def exp_neg(a):
    # exp(-a) for a >= 0 (clamped at CLAMP): branch-free so the sample loop vectorizes
    a = min(a, CLAMP)
    n = np.floor(a * LOG2E + 0.5)
    x = (n * LN2_HI - a) + n * LN2_LO  # -r, |r| <= ln2/2
    # Horner written out: a loop over the tuple would not be unrolled, nor the sample loop vectorized
    p = ec[0]
    p = p * x + ec[1]
    p = p * x + ec[2]
    p = p * x + ec[3]
    p = p * x + ec[4]
    p = p * x + ec[5]
    p = p * x + ec[6]
    p = p * x + ec[7]
    p = p * x + ec[8]
    p = p * x + ec[9]
    p = p * x + ec[10]
    p = p * x + ec[11]
    p = p * x + ec[12]
    p = p * x + ec[13]
    ni = np.int64(n)  # 0 <= n <= 58: 2^-n from its six bits, every factor exact
    p *= 0.5 if ni & 1 else 1.0
    p *= 0.25 if ni & 2 else 1.0
    p *= 0.0625 if ni & 4 else 1.0
    p *= 0.00390625 if ni & 8 else 1.0
    p *= 1.52587890625e-05 if ni & 16 else 1.0
    p *= 2.3283064365386963e-10 if ni & 32 else 1.0
    return p

@njit(cache=True, fastmath=fm, inline="always", error_model="numpy")
def log1p01(u):
    # log1p(u) for 0 <= u <= 1: 2 atanh(s), s = u / (2 + u) <= 1/3
    s = u / (2.0 + u)
    w = s * s
    q = ac[0]
    q = q * w + ac[1]
    q = q * w + ac[2]
    q = q * w + ac[3]
    q = q * w + ac[4]
    q = q * w + ac[5]
    q = q * w + ac[6]
    q = q * w + ac[7]
    q = q * w + ac[8]
    q = q * w + ac[9]
    q = q * w + ac[10]
    q = q * w + ac[11]
    q = q * w + ac[12]
    q = q * w + ac[13]
    q = q * w + ac[14]
    q = q * w + ac[15]
    return 2.0 * s * q

@njit(cache=True, fastmath=fm, inline="always", error_model="numpy")
def act(z, code):
    if code == 0:
        return 1.0 if z >= 0 else -1.0
    if code == 1:
        e = exp_neg(2.0 * abs(z))
        t = (1.0 - e) / (1.0 + e)
        return t if z >= 0 else -t
    if code == 2:
        return z
    if code == 3:
        e = exp_neg(abs(z))
        return (1.0 if z >= 0 else e) / (1.0 + e)
    return z if z > 0 else 0.0

@njit(cache=True, fastmath=fm, error_model="numpy")
def softplus_array(z, out):
    for i in range(z.shape[0]):
        out[i] = max(z[i], 0.0) + log1p01(exp_neg(abs(z[i])))
    return out

@njit(cache=True, fastmath=fm, error_model="numpy")
def act_array(z, code, out):
    if code == 0:
        for i in range(z.shape[0]):
            out[i] = act(z[i], 0)
    elif code == 1:
        for i in range(z.shape[0]):
            out[i] = act(z[i], 1)
    elif code == 2:
        for i in range(z.shape[0]):
            out[i] = z[i]
    elif code == 3:
        for i in range(z.shape[0]):
            out[i] = act(z[i], 3)
    else:
        for i in range(z.shape[0]):
            out[i] = act(z[i], 4)

@njit(cache=True, fastmath=fm, error_model="numpy")
def loss_pair(zo, row, step, loss_code, code, y01, t, zthr, yneg):
    # zo += step * row, then the loss sums at z and at -z (every output bit flipped), in one
    # pass over the samples; each branch's loop is branch-free so it vectorizes
    P = zo.shape[0]
    s1 = 0.0
    s2 = 0.0
    if loss_code == 2:  # BCE: softplus(z) - y z and softplus(z) - z + y z
        sz = 0.0
        syz = 0.0
        for p in range(P):
            z = zo[p] + step * row[p]
            zo[p] = z
            s1 += max(z, 0.0) + log1p01(exp_neg(abs(z)))
            sz += z
            syz += y01[p] * z
        return s1 - syz, s1 - sz + syz
    if loss_code == 0:  # zero-one: prediction is z >= threshold (the activation is monotone)
        for p in range(P):
            z = zo[p] + step * row[p]
            zo[p] = z
            s1 += 1.0 if (z >= zthr) == yneg[p] else 0.0
            s2 += 1.0 if (-z >= zthr) == yneg[p] else 0.0
        return s1, s2
    if code == 3:
        for p in range(P):
            z = zo[p] + step * row[p]
            zo[p] = z
            f = act(z, 3)
            r1 = f - t[p]
            r2 = (1.0 - f) - t[p]
            s1 += r1 * r1
            s2 += r2 * r2
    elif code == 1:
        for p in range(P):
            z = zo[p] + step * row[p]
            zo[p] = z
            f = act(z, 1)
            r1 = f - t[p]
            r2 = f + t[p]
            s1 += r1 * r1
            s2 += r2 * r2
    elif code == 2:
        for p in range(P):
            z = zo[p] + step * row[p]
            zo[p] = z
            r1 = z - t[p]
            r2 = z + t[p]
            s1 += r1 * r1
            s2 += r2 * r2
    else:
        for p in range(P):
            z = zo[p] + step * row[p]
            zo[p] = z
            r1 = act(z, code) - t[p]
            r2 = act(-z, code) - t[p]
            s1 += r1 * r1
            s2 += r2 * r2
    return s1, s2

@njit(cache=True, fastmath=fm, error_model="numpy")
def fill_output(inp, w, ob, zo, g):
    # output pre-activations of output-bit pattern g from scratch (rows >= w are absent units)
    P = zo.shape[0]
    m = inp.shape[0]
    b = (1.0 if (g >> m) & 1 else -1.0) if ob else 0.0
    for p in range(P):
        zo[p] = b
    for j in range(w):
        sj = 1.0 if (g >> j) & 1 else -1.0
        for p in range(P):
            zo[p] += sj * inp[j, p]

@njit(cache=True, fastmath=fm, error_model="numpy")
def walk_output(inp, w, ob, code, loss_code, y01, t, zthr, yneg, zo, out, base, shift, divisor):
    # every output-bit pattern g (bit j < m: weight j, bit m: bias) in Gray order over the
    # low n2 - 1 bits; the companion pattern g ^ full is written from the same pass
    m = inp.shape[0]
    n2 = m + ob
    full = (1 << n2) - 1
    half = 1 << (n2 - 1)
    block = 1 << min(n2 - 1, BLOCK_BITS)
    ones = np.ones(zo.shape[0])
    for t0 in range(0, half, block):
        g = t0 ^ (t0 >> 1)
        fill_output(inp, w, ob, zo, g)
        prev = -1
        for tt in range(t0, t0 + block):
            if tt > t0:
                v = 0
                while not (tt >> v) & 1:
                    v += 1
                g ^= 1 << v
                if v < m and v >= w:  # an absent unit's weight: same net, same loss
                    out[base | (g << shift)] = out[base | (prev << shift)]
                    out[base | ((g ^ full) << shift)] = out[base | ((prev ^ full) << shift)]
                    prev = g
                    continue
                step = 2.0 if (g >> v) & 1 else -2.0
                row = inp[v] if v < m else ones
            else:
                step = 0.0
                row = ones
            l1, l2 = loss_pair(zo, row, step, loss_code, code, y01, t, zthr, yneg)
            out[base | (g << shift)] = l1 / divisor  # a division, as numpy's mean does
            out[base | ((g ^ full) << shift)] = l2 / divisor
            prev = g

@njit(cache=True, fastmath=fm, error_model="numpy")
def fill_hidden(XT, units, hb, Z, g):
    d, P = XT.shape
    for u in range(units):
        b = (1.0 if (g >> (units * d + u)) & 1 else -1.0) if hb else 0.0
        for p in range(P):
            Z[u, p] = b
        for i in range(d):
            si = 1.0 if (g >> (u * d + i)) & 1 else -1.0
            for p in range(P):
                Z[u, p] += si * XT[i, p]

@njit(cache=True, fastmath=fm, error_model="numpy")
def landscape(XT, units, hb, ob, offs, ah, aw, ao, need, loss_code, y01, t, zthr, yneg, divisor, out):
    d, P = XT.shape
    zo = np.empty(P)
    if units == 0:  # single unit: the inputs are the output layer's inputs
        for c in range(offs.shape[0]):
            walk_output(XT, aw[c], ob, ao[c], loss_code, y01, t, zthr[c], yneg, zo, out, offs[c], 0, divisor)
        return out
    n1 = units * (d + hb)
    Z = np.empty((units, P))
    H = np.empty((5, units, P))
    total = 1 << n1
    block = 1 << min(n1, BLOCK_BITS)
    for t0 in range(0, total, block):
        g = t0 ^ (t0 >> 1)
        fill_hidden(XT, units, hb, Z, g)
        for code in range(5):
            if need[code]:
                for u in range(units):
                    act_array(Z[u], code, H[code, u])
        for tt in range(t0, t0 + block):
            if tt > t0:
                v = 0
                while not (tt >> v) & 1:
                    v += 1
                g ^= 1 << v
                step = 2.0 if (g >> v) & 1 else -2.0
                if v < units * d:
                    u = v // d
                    i = v - u * d
                    for p in range(P):
                        Z[u, p] += step * XT[i, p]
                else:
                    u = v - units * d
                    for p in range(P):
                        Z[u, p] += step
                for code in range(5):
                    if need[code]:
                        act_array(Z[u], code, H[code, u])
            for c in range(offs.shape[0]):
                walk_output(H[ah[c]], aw[c], ob, ao[c], loss_code, y01, t, zthr[c], yneg, zo, out,
                            offs[c] | g, n1, divisor)
    return out

