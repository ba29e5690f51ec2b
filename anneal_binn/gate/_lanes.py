"""Lane-batched statevector kernels: ``LANES`` initializations side by side in every amplitude row.

States are pairs of real arrays ``re, im`` of shape ``(2**N, LANES)``: row ``x`` holds amplitude
``x`` of ``LANES`` different circuits (initializations). Every gate then acts on whole rows with
per-lane coefficients, so the innermost loop is ``LANES`` wide and vectorizes the same way for
every qubit (a row of 16 float32 is one 64-byte cache line), where one state per thread leaves
the low qubits' pair loops one or two elements long.

A block's single-qubit rotations are applied in two cache-resident sweeps instead of N passes
over the whole state: the lowest ``low_bits`` qubits inside contiguous chunks of ``2**low_bits``
rows, the others inside tiles of ``tile`` consecutive low indices gathered across every value of
the high bits (sizes from :func:`anneal_binn.gate.statevector._lane_layout`). The CX layers are
XOR permutations of the rows, ``x -> x ^ ((x & controls) << 1)``, computed on the fly. Rows are
wide (up to 128 float32 lanes): the per-row loop overhead is what a 16-lane row pays most for
(measured: 2.7x the time per amplitude of 128 lanes).

The kernels are generic in the float type: float64 reproduces the one-state kernels of
:mod:`anneal_binn.gate.statevector` to rounding; float32 halves the memory and doubles the
SIMD width (sums are accumulated in float64 either way). Module-level functions, so numba's
on-disk cache keeps them between processes.
"""
import numpy as np
from numba import njit, prange

LANES = 16  # lanes come in multiples of this (one 64-byte line of float32)

fm = {"reassoc", "contract", "nsz"}
# Lane loops run to ``arr.shape[1]``, not to the constant LANES: a constant trip count is fully
# unrolled before LLVM's loop vectorizer sees it, and numba leaves the SLP vectorizer off.


@njit(cache=True, fastmath=fm, error_model="numpy")
def rot_local(re, im, nrows, bit, c, s, xr, xi):
    # U = RZ RY on local bit `bit` of rows [0, nrows): |0> part u = c a - s b, |1> part
    # v = s a + c b, then e u and conj(e) v with e = xr + i xi = exp(-i phi / 2)
    lanes = re.shape[1]
    st = 1 << bit
    for base in range(0, nrows, 2 * st):
        for i in range(base, base + st):
            k = i + st
            for b in range(lanes):
                ar = re[i, b]
                ai = im[i, b]
                br = re[k, b]
                bi = im[k, b]
                ur = c[b] * ar - s[b] * br
                ui = c[b] * ai - s[b] * bi
                vr = s[b] * ar + c[b] * br
                vi = s[b] * ai + c[b] * bi
                re[i, b] = xr[b] * ur - xi[b] * ui
                im[i, b] = xr[b] * ui + xi[b] * ur
                re[k, b] = xr[b] * vr + xi[b] * vi
                im[k, b] = xr[b] * vi - xi[b] * vr


@njit(cache=True, fastmath=fm, error_model="numpy")
def unrot_local(re, im, nrows, bit, c, s, xr, xi):
    # U^dag = RY(-theta) RZ(-phi) on local bit `bit`: a0 = conj(e) a, b0 = e b, then
    # (c a0 + s b0, c b0 - s a0)
    lanes = re.shape[1]
    st = 1 << bit
    for base in range(0, nrows, 2 * st):
        for i in range(base, base + st):
            k = i + st
            for b in range(lanes):
                ar = re[i, b]
                ai = im[i, b]
                br = re[k, b]
                bi = im[k, b]
                a0r = xr[b] * ar + xi[b] * ai
                a0i = xr[b] * ai - xi[b] * ar
                b0r = xr[b] * br - xi[b] * bi
                b0i = xr[b] * bi + xi[b] * br
                re[i, b] = c[b] * a0r + s[b] * b0r
                im[i, b] = c[b] * a0i + s[b] * b0i
                re[k, b] = c[b] * b0r - s[b] * a0r
                im[k, b] = c[b] * b0i - s[b] * a0i


@njit(cache=True, fastmath=fm, error_model="numpy")
def back_local(pr, pi, qr, qi, nrows, bit, c, s, xr, xi, acc, unwind):
    # the three pair sums of :mod:`anneal_binn.gate.statevector` (S01, S10, Im D) over these
    # rows, added into acc (5, LANES) float64, then (unwind) U^dag applied to psi and lambda
    # while they are in cache. Separate loops, because one loop over all eight arrays is not
    # vectorized, and fresh local accumulators (no aliasing with the states) in the state's
    # float type: a call covers at most half a chunk's or a tile's rows in pairs.
    lanes = pr.shape[1]
    st = 1 << bit
    t0 = np.zeros(lanes, pr.dtype)
    t1 = np.zeros(lanes, pr.dtype)
    t2 = np.zeros(lanes, pr.dtype)
    t3 = np.zeros(lanes, pr.dtype)
    t4 = np.zeros(lanes, pr.dtype)
    for base in range(0, nrows, 2 * st):
        for i in range(base, base + st):
            k = i + st
            for b in range(lanes):
                ar = pr[i, b]
                ai = pi[i, b]
                br = pr[k, b]
                bi = pi[k, b]
                ur = qr[i, b]
                ui = qi[i, b]
                vr = qr[k, b]
                vi = qi[k, b]
                t0[b] += ur * br + ui * bi
                t1[b] += ur * bi - ui * br
                t2[b] += vr * ar + vi * ai
                t3[b] += vr * ai - vi * ar
                t4[b] += (ur * ai - ui * ar) - (vr * bi - vi * br)
    for b in range(lanes):
        acc[0, b] += t0[b]
        acc[1, b] += t1[b]
        acc[2, b] += t2[b]
        acc[3, b] += t3[b]
        acc[4, b] += t4[b]
    if unwind:
        unrot_local(pr, pi, nrows, bit, c, s, xr, xi)
        unrot_local(qr, qi, nrows, bit, c, s, xr, xi)


@njit(cache=True, fastmath=fm, error_model="numpy")
def gather(src, dst, l0, chunk, tile, high):
    lanes = src.shape[1]
    for h in range(high):
        for t in range(tile):
            for b in range(lanes):
                dst[t + tile * h, b] = src[l0 + t + chunk * h, b]


@njit(cache=True, fastmath=fm, error_model="numpy")
def scatter(src, dst, l0, chunk, tile, high):
    lanes = src.shape[1]
    for h in range(high):
        for t in range(tile):
            for b in range(lanes):
                dst[l0 + t + chunk * h, b] = src[t + tile * h, b]


@njit(cache=True, fastmath=fm, error_model="numpy")
def rotate_block(re, im, c, s, xr, xi, sre, sim, low_bits, tile):
    # every qubit's rotation of one block (c, s, xr, xi: (N, LANES))
    n = c.shape[0]
    d = re.shape[0]
    k = min(low_bits, n)
    chunk = 1 << k
    for r0 in range(0, d, chunk):
        cre = re[r0:r0 + chunk]
        cim = im[r0:r0 + chunk]
        for j in range(k):
            rot_local(cre, cim, chunk, j, c[j], s[j], xr[j], xi[j])
    if n > k:
        high = 1 << (n - k)
        tile = min(tile, chunk)
        tb = 0
        while (1 << tb) < tile:
            tb += 1
        rows = tile * high
        for l0 in range(0, chunk, tile):
            gather(re, sre, l0, chunk, tile, high)
            gather(im, sim, l0, chunk, tile, high)
            for j in range(k, n):
                rot_local(sre, sim, rows, tb + j - k, c[j], s[j], xr[j], xi[j])
            scatter(sre, re, l0, chunk, tile, high)
            scatter(sim, im, l0, chunk, tile, high)


@njit(cache=True, fastmath=fm, error_model="numpy")
def back_block(pr, pi, qr, qi, c, s, xr, xi, acc, unwind, spr, spi, sqr, sqi, low_bits, tile):
    # acc: (N, 5, LANES) float64 pair sums of every qubit of this block; then U^dag applied to
    # psi and lambda (unwind 2), to lambda alone (1), or to neither (0). With 1 every qubit's sums
    # are taken before any unwinding (a qubit's reduced |psi><lambda| does not change when the
    # same unitary acts on another qubit of both), lambda is unwound afterwards (the low qubits in
    # a third sweep) and psi is neither rotated nor written back.
    n = c.shape[0]
    d = pr.shape[0]
    k = min(low_bits, n)
    chunk = 1 << k
    both = unwind == 2
    for r0 in range(0, d, chunk):
        a = pr[r0:r0 + chunk]
        b = pi[r0:r0 + chunk]
        u = qr[r0:r0 + chunk]
        v = qi[r0:r0 + chunk]
        for j in range(k):
            back_local(a, b, u, v, chunk, j, c[j], s[j], xr[j], xi[j], acc[j], both)
    if n > k:
        high = 1 << (n - k)
        tile = min(tile, chunk)
        tb = 0
        while (1 << tb) < tile:
            tb += 1
        rows = tile * high
        for l0 in range(0, chunk, tile):
            gather(pr, spr, l0, chunk, tile, high)
            gather(pi, spi, l0, chunk, tile, high)
            gather(qr, sqr, l0, chunk, tile, high)
            gather(qi, sqi, l0, chunk, tile, high)
            for j in range(k, n):
                back_local(spr, spi, sqr, sqi, rows, tb + j - k, c[j], s[j], xr[j], xi[j], acc[j], both)
            if unwind == 1:
                for j in range(k, n):
                    unrot_local(sqr, sqi, rows, tb + j - k, c[j], s[j], xr[j], xi[j])
            if both:
                scatter(spr, pr, l0, chunk, tile, high)
                scatter(spi, pi, l0, chunk, tile, high)
            if unwind:
                scatter(sqr, qr, l0, chunk, tile, high)
                scatter(sqi, qi, l0, chunk, tile, high)
    if unwind == 1:
        for r0 in range(0, d, chunk):
            u = qr[r0:r0 + chunk]
            v = qi[r0:r0 + chunk]
            for j in range(k):
                unrot_local(u, v, chunk, j, c[j], s[j], xr[j], xi[j])


@njit(cache=True, fastmath=fm, error_model="numpy")
def permute(re, im, controls):
    # (P psi)[x] = psi[x ^ ((x & controls) << 1)]: CX gates (j, j + 1) for the bits j of controls
    lanes = re.shape[1]
    for x in range(re.shape[0]):
        y = x ^ ((x & controls) << 1)
        if y > x:
            for b in range(lanes):
                t = re[x, b]
                re[x, b] = re[y, b]
                re[y, b] = t
                t = im[x, b]
                im[x, b] = im[y, b]
                im[y, b] = t


@njit(cache=True, fastmath=fm, error_model="numpy")
def product_state(re, im, c, s, xr, xi):
    # block 0 on |0...0>: |0> -> e c, |1> -> conj(e) s per qubit, built by doubling
    lanes = re.shape[1]
    for b in range(lanes):
        re[0, b] = 1.0
        im[0, b] = 0.0
    size = 1
    for j in range(c.shape[0]):
        for i in range(size):
            for b in range(lanes):
                ar = re[i, b]
                ai = im[i, b]
                v0r = xr[j, b] * c[j, b]
                v0i = xi[j, b] * c[j, b]
                v1r = xr[j, b] * s[j, b]
                v1i = -xi[j, b] * s[j, b]
                re[i + size, b] = ar * v1r - ai * v1i
                im[i + size, b] = ar * v1i + ai * v1r
                re[i, b] = ar * v0r - ai * v0i
                im[i, b] = ar * v0i + ai * v0r
        size *= 2


@njit(cache=True, fastmath=fm, error_model="numpy")
def run_group(pr, pi, qr, qi, c, s, xr, xi, controls, cost, want_grad, energy, acc, spr, spi, sqr, sqi, low_bits,
              tile):
    # one group of LANES circuits: forward through every block, energy, adjoint sweep back.
    # c, s, xr, xi: (K, N, LANES); controls: (K,) CX masks closing each block (the last one is
    # folded into cost); energy: (LANES,) float64; acc: (K, N, 5, LANES) float64
    lanes = pr.shape[1]
    nb = c.shape[0]
    product_state(pr, pi, c[0], s[0], xr[0], xi[0])
    for k in range(1, nb):
        permute(pr, pi, controls[k - 1])
        rotate_block(pr, pi, c[k], s[k], xr[k], xi[k], spr, spi, low_bits, tile)
    for b in range(lanes):
        energy[b] = 0.0
    for x in range(pr.shape[0]):
        cx = cost[x]
        for b in range(lanes):
            energy[b] += cx * (np.float64(pr[x, b]) * pr[x, b] + np.float64(pi[x, b]) * pi[x, b])
    if not want_grad:
        return
    for x in range(pr.shape[0]):
        cx = cost[x]
        for b in range(lanes):
            qr[x, b] = cx * pr[x, b]
            qi[x, b] = cx * pi[x, b]
    for k in range(nb - 1, -1, -1):
        back_block(pr, pi, qr, qi, c[k], s[k], xr[k], xi[k], acc[k], 2 if k > 0 else 0, spr, spi, sqr, sqi,
                   low_bits, tile)
        if k > 0:
            permute(pr, pi, controls[k - 1])
            permute(qr, qi, controls[k - 1])


@njit(cache=True, parallel=True, fastmath=fm, error_model="numpy")
def run_groups(states, scratch, c, s, xr, xi, controls, cost, want_grad, energy, acc, low_bits, tile):
    # c, s, xr, xi: (G, K, N, LANES) for G groups; states: (T, 4, 2**N, LANES) psi re/im and
    # lambda re/im for each of T workers, scratch: (T, 4, tile rows, LANES). Worker t takes groups
    # t, t + T, ...: each group's numbers do not depend on which worker or how many there are.
    workers = states.shape[0]
    groups = c.shape[0]
    for t in prange(workers):
        st = states[t]
        sc = scratch[t]
        for g in range(t, groups, workers):
            run_group(st[0], st[1], st[2], st[3], c[g], s[g], xr[g], xi[g], controls, cost, want_grad,
                      energy[g], acc[g], sc[0], sc[1], sc[2], sc[3], low_bits, tile)


@njit(cache=True, fastmath=fm, error_model="numpy")
def run_groups_serial(states, scratch, c, s, xr, xi, controls, cost, want_grad, energy, acc, low_bits, tile):
    # the same on one thread (a parallel region waits for every thread to be scheduled)
    for g in range(c.shape[0]):
        st = states[0]
        sc = scratch[0]
        run_group(st[0], st[1], st[2], st[3], c[g], s[g], xr[g], xi[g], controls, cost, want_grad,
                  energy[g], acc[g], sc[0], sc[1], sc[2], sc[3], low_bits, tile)


# -- two or more layers from the first layer's pair states ---------------------------------------
# Before the second block's CX layer the state is a product of two-qubit states (block 0's CX
# gates pair (0, 1), (2, 3), ...): site s holds bits [2s, 2s + 2) (the last one bit when N is odd).
# So the forward pass starts from that product and runs blocks 2.. only, and the first layer's
# gradient comes from contracting lambda (brought back to that point) against the site states.


@njit(cache=True, fastmath=fm, error_model="numpy")
def pair_product(re, im, phr, phi, dims, sites):
    # rows [0, prod(dims[:sites])) <- the product of site states 0..sites-1 (phr, phi: (S, 4, lanes))
    lanes = re.shape[1]
    for b in range(lanes):
        re[0, b] = 1.0
        im[0, b] = 0.0
    size = 1
    for s_ in range(sites):
        for v in range(dims[s_] - 1, -1, -1):  # v = 0 last: it overwrites the rows it reads
            for i in range(size):
                for b in range(lanes):
                    ar = re[i, b]
                    ai = im[i, b]
                    fr = phr[s_, v, b]
                    fi = phi[s_, v, b]
                    re[i + v * size, b] = ar * fr - ai * fi
                    im[i + v * size, b] = ar * fi + ai * fr
        size *= dims[s_]


@njit(cache=True, fastmath=fm, error_model="numpy")
def site_env(pr, pi, qr, qi, phr, phi, dims, env_r, env_i):
    # env[s, v] = sum over x with x_s = v of conj(lambda(x)) prod_{s' != s} phi_s'(x_s'), i.e.
    # dE'/dphi_s for E' = <lambda | (x)_s phi_s>. lambda is in q (destroyed: q's leading rows take
    # the partial contractions A_s over sites >= s, highest first); p is workspace for the
    # products of the sites below s.
    lanes = pr.shape[1]
    nsites = dims.shape[0]
    stride = 1
    for s_ in range(nsites - 1):
        stride *= dims[s_]
    for s_ in range(nsites - 1, -1, -1):
        # here q[0 : stride * dims[s]) holds A_{s+1} (conj(lambda) itself for the top site)
        top = s_ == nsites - 1
        sign = -1.0 if top else 1.0
        pair_product(pr, pi, phr, phi, dims, s_)
        for v in range(dims[s_]):
            tr = np.zeros(lanes)  # fresh accumulators: no aliasing, so the lane loop vectorizes
            ti = np.zeros(lanes)
            for x in range(stride):
                for b in range(lanes):
                    ar = qr[x + v * stride, b]
                    ai = sign * qi[x + v * stride, b]
                    tr[b] += ar * pr[x, b] - ai * pi[x, b]
                    ti[b] += ar * pi[x, b] + ai * pr[x, b]
            for b in range(lanes):
                env_r[s_, v, b] += tr[b]
                env_i[s_, v, b] += ti[b]
        # A_s[x] = sum_v A_{s+1}[x + v stride] phi_s[v], into q's leading rows
        for x in range(stride):
            for b in range(lanes):
                ur = 0.0
                ui = 0.0
                for v in range(dims[s_]):
                    ar = qr[x + v * stride, b]
                    ai = sign * qi[x + v * stride, b]
                    fr = phr[s_, v, b]
                    fi = phi[s_, v, b]
                    ur += ar * fr - ai * fi
                    ui += ar * fi + ai * fr
                qr[x, b] = ur
                qi[x, b] = ui
        if s_ > 0:
            stride //= dims[s_ - 1]


@njit(cache=True, fastmath=fm, error_model="numpy")
def run_group_pairs(pr, pi, qr, qi, phr, phi, dims, c, s, xr, xi, controls, cost, want_grad, energy, acc,
                    env_r, env_i, spr, spi, sqr, sqi, low_bits, tile):
    # like run_group, from the first layer's pair product: blocks 2.. by gates, blocks 0 and 1
    # through site_env (acc of blocks 0 and 1 stays zero)
    nb = c.shape[0]
    lanes = pr.shape[1]
    pair_product(pr, pi, phr, phi, dims, dims.shape[0])
    for k in range(2, nb):
        permute(pr, pi, controls[k - 1])
        rotate_block(pr, pi, c[k], s[k], xr[k], xi[k], spr, spi, low_bits, tile)
    for b in range(lanes):
        energy[b] = 0.0
    for x in range(pr.shape[0]):
        cx = cost[x]
        for b in range(lanes):
            energy[b] += cx * (np.float64(pr[x, b]) * pr[x, b] + np.float64(pi[x, b]) * pi[x, b])
    if not want_grad:
        return
    for x in range(pr.shape[0]):
        cx = cost[x]
        for b in range(lanes):
            qr[x, b] = cx * pr[x, b]
            qi[x, b] = cx * pi[x, b]
    for k in range(nb - 1, 1, -1):
        # below block 2 site_env needs lambda only (psi's rows become its workspace): psi is
        # left where it is (2 layers, N = 17, 200 rows: 3% less time per evaluation in float32,
        # 10% in float64)
        last = k == 2
        back_block(pr, pi, qr, qi, c[k], s[k], xr[k], xi[k], acc[k], 1 if last else 2, spr, spi, sqr, sqi,
                   low_bits, tile)
        if not last:
            permute(pr, pi, controls[k - 1])
        permute(qr, qi, controls[k - 1])
    site_env(pr, pi, qr, qi, phr, phi, dims, env_r, env_i)


@njit(cache=True, parallel=True, fastmath=fm, error_model="numpy")
def run_groups_pairs(states, scratch, phr, phi, dims, c, s, xr, xi, controls, cost, want_grad, energy, acc,
                     env_r, env_i, low_bits, tile):
    # as run_groups; phr, phi: (G, S, 4, lanes); env_r, env_i: (G, S, 4, lanes) float64
    workers = states.shape[0]
    groups = c.shape[0]
    for t in prange(workers):
        st = states[t]
        sc = scratch[t]
        for g in range(t, groups, workers):
            run_group_pairs(st[0], st[1], st[2], st[3], phr[g], phi[g], dims, c[g], s[g], xr[g], xi[g], controls,
                            cost, want_grad, energy[g], acc[g], env_r[g], env_i[g], sc[0], sc[1], sc[2], sc[3],
                            low_bits, tile)


@njit(cache=True, fastmath=fm, error_model="numpy")
def run_groups_pairs_serial(states, scratch, phr, phi, dims, c, s, xr, xi, controls, cost, want_grad, energy, acc,
                            env_r, env_i, low_bits, tile):
    st = states[0]
    sc = scratch[0]
    for g in range(c.shape[0]):
        run_group_pairs(st[0], st[1], st[2], st[3], phr[g], phi[g], dims, c[g], s[g], xr[g], xi[g], controls,
                        cost, want_grad, energy[g], acc[g], env_r[g], env_i[g], sc[0], sc[1], sc[2], sc[3],
                        low_bits, tile)
