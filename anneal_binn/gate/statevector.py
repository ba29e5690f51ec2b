"""Exact statevector energies ``E(theta) = sum_x |psi_theta(x)|^2 C(x)`` and adjoint gradients.

Everything is batched over initializations: ``theta`` has shape ``(B, P)`` and the work for the
``B`` rows runs in parallel (numba ``prange``; one state and one adjoint state per thread,
``2 * 16 * 2**N`` bytes). Gates act in place on the flat state, pair by pair, so no temporaries
of size ``2**N`` are made. For two or more layers the default is the lane-batched kernels of
:mod:`anneal_binn.gate._lanes` (:func:`lane_energy_and_gradient`): up to 128 initializations side
by side in every amplitude row, in float64 or float32 (``precision="single"``), about 1.9x (float32)
and 1.2x (float64) less CPU per initialization than one state per thread at N = 17 with 112
initializations per call. Narrow batches pay more per initialization (float32, N = 17, 2 layers,
energy and gradient, wall time on two cores: 5.7 ms at 224, 16 ms at 16, 37 ms at 8, where lanes
are padded to 16).

Why it is fast:
    * each block's RY and RZ on a qubit are applied as one 2x2 unitary, one pass per qubit;
    * the first block acts on ``|0...0>``, so its output is a product state built in one pass;
    * the CX layer closing the last block is a permutation of basis states, folded into ``C``
      once (``C'[x] = C[perm(x)]``) instead of applied to the state;
    * the backward sweep computes the three pair sums a qubit's two angle derivatives need and
      un-applies that qubit's gate on ``psi`` and ``lambda`` in the same pass;
    * before the second block's CX layer the state is a product of two-qubit states (the first
      block's CX gates only pair (0,1), (2,3), ...): the product state and one layer are pure
      ``O(2**N)`` contractions of ``C`` against small local distributions (a BLAS GEMM for the
      low 10 qubits), and deeper circuits start from that pair product, with the first layer's
      gradient from a contraction of ``lambda`` and exact shift rules on 4-amplitude states.
      ``product_contraction=False`` forces the plain gate kernels (the tests cross-check both).

Derivation (gate convention of :mod:`anneal_binn.gate.circuits`): with ``lambda = C psi``
propagated back to the point right after block ``k``'s rotations (``psi'`` likewise),
``dE/dphi_j = Im <lambda'|Z_j|psi'>`` and ``dE/dtheta_j = Im <lambda'|RZ Y_j RZ^dag|psi'>``;
both only need ``S01 = sum conj(l0) p1``, ``S10 = sum conj(l1) p0`` and
``D = sum conj(l0) p0 - conj(l1) p1`` over the pairs of qubit ``j``. Rotations of other qubits
commute with those operators, so the sums may be taken while the block is being unwound.

Examples:
    >>> import numpy as np
    >>> from anneal_binn.gate.circuits import Ansatz
    >>> a = Ansatz(3, 1)
    >>> C = np.arange(8.0)
    >>> E, G = energy_and_gradient(a, C, a.random_parameters(4, seed=0))
    >>> E.shape, G.shape
    ((4,), (4, 12))
"""
from __future__ import annotations

import numpy as np

from anneal_binn.errors import TooLargeError
from anneal_binn.gate.circuits import Ansatz

MAX_QUBITS = 28


def check_cost(cost, num_qubits: int | None = None) -> np.ndarray:
    """Validate a cost vector: 1-D float64 of length ``2**N``; returns it (contiguous)."""
    C = np.ascontiguousarray(np.asarray(cost, dtype=np.float64))
    if C.ndim != 1 or C.size < 2 or C.size & (C.size - 1):
        raise ValueError(f"cost: must be a 1-D array of length 2**N (bit i of the index = qubit i), got shape {C.shape}")
    n = C.size.bit_length() - 1
    if num_qubits is not None and n != num_qubits:
        raise ValueError(f"cost: length {C.size} = 2**{n} does not match num_qubits={num_qubits}")
    if not np.all(np.isfinite(C)):
        raise ValueError("cost: contains NaN or infinity; clip or replace them before training")
    return C


def guard_size(num_qubits: int, copies: int = 2) -> None:
    """Raise :class:`TooLargeError` before allocating when ``2**N`` amplitudes are too many."""
    if num_qubits > MAX_QUBITS:
        need = copies * 16 * 2.0**num_qubits / 2**30
        raise TooLargeError(
            f"exact statevector with N={num_qubits} qubits needs {need:.0f} GiB per thread "
            f"(limit N <= {MAX_QUBITS}); use method='mps'"
        )


def cx_permutation(num_qubits: int, pairs) -> np.ndarray:
    """Index map of a layer of disjoint CX gates: ``(P psi)[x] = psi[perm[x]]``; an involution."""
    x = np.arange(2**num_qubits, dtype=np.int64)
    flip = np.zeros_like(x)
    for c, t in pairs:
        flip |= ((x >> c) & 1) << t
    return x ^ flip


def _angles(ansatz: Ansatz, theta: np.ndarray):
    """(B, P) angles -> cos(ty/2), sin(ty/2), Re and Im of exp(-i tz/2), each (B, K, N)."""
    t = theta.reshape(theta.shape[0], ansatz.num_blocks, 2, ansatz.num_qubits)
    ty, tz = t[:, :, 0, :], t[:, :, 1, :]
    return (np.ascontiguousarray(np.cos(ty / 2)), np.ascontiguousarray(np.sin(ty / 2)),
            np.ascontiguousarray(np.cos(tz / 2)), np.ascontiguousarray(-np.sin(tz / 2)))


def _perms(ansatz: Ansatz) -> np.ndarray:
    """CX permutations of every block, shape (K, 2**N) (identity rows for the product state)."""
    n = ansatz.num_qubits
    return np.stack([cx_permutation(n, ansatz.cx_pairs(k)) for k in range(ansatz.num_blocks)])


_KERNELS = None


def _kernels():
    """Compile (once, cached on disk) and return the numba kernels.

    States are complex128 arrays handled through their float64 view (re, im interleaved):
    written out in real arithmetic the loops vectorize, about twice as fast as numba's complex
    type here.
    """
    global _KERNELS
    if _KERNELS is not None:
        return _KERNELS
    from anneal_binn.errors import require

    numba = require("numba", "gate")
    njit, prange = numba.njit, numba.prange

    @njit(cache=True, fastmath=True)
    def product_state(p, c, s, er, ei):
        p[0] = 1.0
        p[1] = 0.0
        size = 1
        for j in range(c.shape[0]):
            # |0> -> e c, |1> -> conj(e) s with e = exp(-i tz/2)
            v0r, v0i = er[j] * c[j], ei[j] * c[j]
            v1r, v1i = er[j] * s[j], -ei[j] * s[j]
            for i in range(size):
                ar, ai = p[2 * i], p[2 * i + 1]
                p[2 * (i + size)] = ar * v1r - ai * v1i
                p[2 * (i + size) + 1] = ar * v1i + ai * v1r
                p[2 * i] = ar * v0r - ai * v0i
                p[2 * i + 1] = ar * v0i + ai * v0r
            size *= 2

    @njit(cache=True, fastmath=True)
    def rotations(p, c, s, er, ei):
        d = p.shape[0] // 2
        for j in range(c.shape[0]):
            st = 1 << j
            cj, sj, xr, xi = c[j], s[j], er[j], ei[j]
            for base in range(0, d, 2 * st):
                for i in range(base, base + st):
                    k0 = 2 * i
                    k1 = 2 * (i + st)
                    ar, ai, br, bi = p[k0], p[k0 + 1], p[k1], p[k1 + 1]
                    ur, ui = cj * ar - sj * br, cj * ai - sj * bi
                    vr, vi = sj * ar + cj * br, sj * ai + cj * bi
                    p[k0] = xr * ur - xi * ui
                    p[k0 + 1] = xr * ui + xi * ur
                    p[k1] = xr * vr + xi * vi
                    p[k1 + 1] = xr * vi - xi * vr

    @njit(cache=True)
    def permute(p, perm):
        for x in range(perm.shape[0]):
            y = perm[x]
            if y > x:
                tr, ti = p[2 * x], p[2 * x + 1]
                p[2 * x], p[2 * x + 1] = p[2 * y], p[2 * y + 1]
                p[2 * y], p[2 * y + 1] = tr, ti

    @njit(cache=True, fastmath=True)
    def backward_block(p, q, c, s, er, ei, gy, gz, unwind):
        # p: psi, q: lambda (both right after this block's rotations). For every qubit take the
        # pair sums S01 = sum conj(l0) p1, S10 = sum conj(l1) p0, D = sum conj(l0) p0 - conj(l1) p1,
        # then (unwind) apply U^dag = RY(-t) RZ(-p) to both states in the same pass.
        d = p.shape[0] // 2
        for j in range(c.shape[0]):
            st = 1 << j
            cj, sj, xr, xi = c[j], s[j], er[j], ei[j]
            s01r = s01i = s10r = s10i = ddi = 0.0
            for base in range(0, d, 2 * st):
                for i in range(base, base + st):
                    k0 = 2 * i
                    k1 = 2 * (i + st)
                    ar, ai, br, bi = p[k0], p[k0 + 1], p[k1], p[k1 + 1]
                    ur, ui, vr, vi = q[k0], q[k0 + 1], q[k1], q[k1 + 1]
                    # conj(u) * b, conj(v) * a
                    s01r += ur * br + ui * bi
                    s01i += ur * bi - ui * br
                    s10r += vr * ar + vi * ai
                    s10i += vr * ai - vi * ar
                    # Im(conj(u) a - conj(v) b)
                    ddi += (ur * ai - ui * ar) - (vr * bi - vi * br)
                    if unwind:
                        # a0 = conj(e) a, b0 = e b
                        a0r, a0i = xr * ar + xi * ai, xr * ai - xi * ar
                        b0r, b0i = xr * br - xi * bi, xr * bi + xi * br
                        p[k0], p[k0 + 1] = cj * a0r + sj * b0r, cj * a0i + sj * b0i
                        p[k1], p[k1 + 1] = cj * b0r - sj * a0r, cj * b0i - sj * a0i
                        u0r, u0i = xr * ur + xi * ui, xr * ui - xi * ur
                        v0r, v0i = xr * vr - xi * vi, xr * vi + xi * vr
                        q[k0], q[k0 + 1] = cj * u0r + sj * v0r, cj * u0i + sj * v0i
                        q[k1], q[k1 + 1] = cj * v0r - sj * u0r, cj * v0i - sj * u0i
            gz[j] = ddi
            # Im(-i e^2 S01 + i conj(e)^2 S10) = Re(conj(e)^2 S10) - Re(e^2 S01)
            e2r, e2i = xr * xr - xi * xi, 2.0 * xr * xi
            gy[j] = (e2r * s10r + e2i * s10i) - (e2r * s01r - e2i * s01i)

    @njit(cache=True)
    def forward(p, c, s, er, ei, perms):
        nb = c.shape[0]
        product_state(p, c[0], s[0], er[0], ei[0])
        for k in range(1, nb):
            permute(p, perms[k - 1])
            rotations(p, c[k], s[k], er[k], ei[k])

    def energy_grad(c, s, er, ei, perms, cost, want_grad):
        nbatch, nb, n = c.shape
        d = cost.shape[0]
        energy = np.zeros(nbatch)
        grad = np.zeros((nbatch, nb, 2, n))
        for b in prange(nbatch):
            p = np.empty(2 * d)
            forward(p, c[b], s[b], er[b], ei[b], perms)
            en = 0.0
            for x in range(d):
                en += cost[x] * (p[2 * x] * p[2 * x] + p[2 * x + 1] * p[2 * x + 1])
            energy[b] = en
            if want_grad:
                q = np.empty(2 * d)
                for x in range(d):
                    q[2 * x] = cost[x] * p[2 * x]
                    q[2 * x + 1] = cost[x] * p[2 * x + 1]
                for k in range(nb - 1, -1, -1):
                    backward_block(p, q, c[b, k], s[b, k], er[b, k], ei[b, k], grad[b, k, 0], grad[b, k, 1], k > 0)
                    if k > 0:
                        permute(p, perms[k - 1])
                        permute(q, perms[k - 1])
        return energy, grad

    def energy_grad_tail(p0, c, s, er, ei, perms, cost, start, want_grad):
        # p0[b]: the state right after block start-1's rotations (given, e.g. a product of pair
        # states); run blocks start.. forward and back. Returns energy, gradients of blocks >=
        # start, and lambda = C psi brought back to p0's point (in place of p0's rows).
        nbatch, nb, n = c.shape
        d = cost.shape[0]
        energy = np.zeros(nbatch)
        grad = np.zeros((nbatch, nb, 2, n))
        lam = np.empty_like(p0)
        for b in prange(nbatch):
            p = p0[b].copy()
            for k in range(start, nb):
                permute(p, perms[k - 1])
                rotations(p, c[b, k], s[b, k], er[b, k], ei[b, k])
            en = 0.0
            for x in range(d):
                en += cost[x] * (p[2 * x] * p[2 * x] + p[2 * x + 1] * p[2 * x + 1])
            energy[b] = en
            if want_grad:
                q = lam[b]
                for x in range(d):
                    q[2 * x] = cost[x] * p[2 * x]
                    q[2 * x + 1] = cost[x] * p[2 * x + 1]
                for k in range(nb - 1, start - 1, -1):
                    backward_block(p, q, c[b, k], s[b, k], er[b, k], ei[b, k], grad[b, k, 0], grad[b, k, 1], True)
                    permute(p, perms[k - 1])
                    permute(q, perms[k - 1])
        return energy, grad, lam

    def states(c, s, er, ei, perms, last):
        nbatch = c.shape[0]
        d = perms.shape[1]
        out = np.empty((nbatch, 2 * d))
        for b in prange(nbatch):
            forward(out[b], c[b], s[b], er[b], ei[b], perms)
            permute(out[b], last)
        return out

    # Serial and parallel builds of the batch drivers: on a loaded machine a parallel region
    # waits for every thread to be scheduled, which costs milliseconds, so small batches run serial.
    _KERNELS = {
        "energy_grad": njit(cache=True, fastmath=True)(energy_grad),
        "energy_grad_par": njit(cache=True, parallel=True, fastmath=True)(energy_grad),
        "energy_grad_tail": njit(cache=True, fastmath=True)(energy_grad_tail),
        "energy_grad_tail_par": njit(cache=True, parallel=True, fastmath=True)(energy_grad_tail),
        "states": njit(cache=True)(states),
        "states_par": njit(cache=True, parallel=True)(states),
        "rotations": rotations,
        "permute": permute,
    }
    return _KERNELS


PARALLEL_MIN_WORK = 2**18  # amplitudes x batch below which a batch runs on one thread


def _kernel(name: str, batch: int, num_qubits: int):
    import numba

    par = batch >= 2 and numba.get_num_threads() > 1 and batch * 2**num_qubits >= PARALLEL_MIN_WORK
    return _kernels()[name + "_par" if par else name]


LANE_STATE_BYTES = 256 * 2**20  # psi + lambda of one worker's group at most
PRECISIONS = {"double": np.float64, "single": np.float32}
KERNELS = ("auto", "lanes", "rows")
# float32 states: |E_single - E_double| / max|C| measured <= 1e-6 over 2 layers at N <= 17 (tests)
SINGLE_ENERGY_ERROR = 1e-6


LANE_LOW_BITS = 8  # qubits swept inside chunks of 2**8 rows (<= 256 KiB at 128 float32 lanes)


def _lane_layout(num_qubits: int, batch: int, itemsize: int):
    """Lanes per group, groups, and the sweep sizes (low qubits per chunk, tile rows) for a batch.

    Only the batch size and the float type decide the layout, never the number of threads, and
    the sweep sizes depend on N alone: a row's partial sums are grouped the same way whatever
    the lanes, so its result does not depend on the threads or on the rows beside it. (Groups
    narrower than LANES would be faster for one or two rows, 60 ms against 266 ms for one row
    at N = 17, but they vectorize differently and change a gradient in its last bits.)
    """
    from anneal_binn.gate._lanes import LANES

    def ceil_div(a, b):
        return -(-a // b)

    d = 2**num_qubits
    # wide rows vectorize best: as few groups as memory allows, at least two to feed two cores
    cap = max(LANES, (LANE_STATE_BYTES // (4 * d * itemsize)) // LANES * LANES)
    groups = max(min(2, ceil_div(batch, LANES)), ceil_div(batch, cap))
    lanes = min(cap, ceil_div(ceil_div(batch, groups), LANES) * LANES)
    groups = ceil_div(batch, lanes)
    low_bits = min(num_qubits, LANE_LOW_BITS)
    tile = max(1, (1 << low_bits) >> (num_qubits - low_bits)) if num_qubits > low_bits else 1
    return lanes, groups, low_bits, tile


def lane_energy_and_gradient(ansatz: Ansatz, cost_folded: np.ndarray, theta: np.ndarray, precision: str = "double",
                             want_grad: bool = True, workers: int | None = None):
    """``E`` (B,) and ``dE/dtheta`` (B, P) with the lane-batched kernels of :mod:`anneal_binn.gate._lanes`.

    ``cost_folded`` is ``C`` with the last CX layer folded in (:class:`StatevectorModel` keeps it).
    ``precision="single"`` runs the states in float32 (sums in float64).
    """
    import numba

    from anneal_binn.errors import require

    require("numba", "gate")
    from anneal_binn.gate import _lanes

    if precision not in PRECISIONS:
        raise ValueError(f"precision: choose one of {', '.join(PRECISIONS)}; got {precision!r}")
    dtype = PRECISIONS[precision]
    n, nblocks = ansatz.num_qubits, ansatz.num_blocks
    batch = theta.shape[0]
    workers = numba.get_num_threads() if workers is None else workers
    lanes, groups, low_bits, tile = _lane_layout(n, batch, np.dtype(dtype).itemsize)
    padded = np.zeros((groups * lanes, theta.shape[1]))
    padded[:batch] = theta
    t = padded.reshape(groups, lanes, nblocks, 2, n)
    ty, tz = t[:, :, :, 0, :], t[:, :, :, 1, :]

    def lane_major(a):  # (G, lanes, K, N) -> (G, K, N, lanes)
        return np.ascontiguousarray(a.transpose(0, 2, 3, 1), dtype=dtype)

    c, s, xr, xi = (lane_major(np.cos(ty / 2)), lane_major(np.sin(ty / 2)), lane_major(np.cos(tz / 2)),
                    lane_major(-np.sin(tz / 2)))
    controls = np.array([sum(1 << a for a, _ in ansatz.cx_pairs(k)) for k in range(nblocks)], dtype=np.int64)
    used = min(workers, groups)
    states = np.empty((used, 4, 2**n, lanes), dtype=dtype)
    high = 1 << (n - min(low_bits, n))
    scratch = np.empty((used, 4, tile * high, lanes), dtype=dtype)
    energy = np.zeros((groups, lanes))
    acc = np.zeros((groups, nblocks, n, 5, lanes))
    pairs = ansatz.layers >= 2 and n > 2
    if pairs:
        # the first layer as a product of pair states (see _lanes.run_group_pairs)
        sites = _SiteDecomposition(ansatz).sites
        dims = np.array([2**sa.num_qubits for sa, _ in sites], dtype=np.int64)
        phis = [statevectors(sa, padded[:, idx]) for sa, idx in sites]  # (G * lanes, d_s) each
        ph = np.zeros((groups * lanes, len(sites), 4), dtype=np.complex128)
        for j, phi in enumerate(phis):
            ph[:, j, : phi.shape[1]] = phi
        ph = ph.reshape(groups, lanes, len(sites), 4).transpose(0, 2, 3, 1)
        phr, phi_ = (np.ascontiguousarray(ph.real, dtype=dtype), np.ascontiguousarray(ph.imag, dtype=dtype))
        env_r = np.zeros((groups, len(sites), 4, lanes))
        env_i = np.zeros_like(env_r)
        run = _lanes.run_groups_pairs if used > 1 else _lanes.run_groups_pairs_serial
        run(states, scratch, phr, phi_, dims, c, s, xr, xi, controls, cost_folded, want_grad, energy, acc, env_r,
            env_i, low_bits, tile)
    else:
        run = _lanes.run_groups if used > 1 else _lanes.run_groups_serial
        run(states, scratch, c, s, xr, xi, controls, cost_folded, want_grad, energy, acc, low_bits, tile)
    energy = energy.reshape(-1)[:batch]
    if not want_grad:
        return energy, None
    a = acc.transpose(0, 4, 1, 2, 3).reshape(groups * lanes, nblocks, n, 5)[:batch]
    # as in backward_block: dE/dphi = Im D, dE/dtheta = Re(conj(e)^2 S10) - Re(e^2 S01)
    er, ei = np.cos(tz / 2).reshape(-1, nblocks, n)[:batch], -np.sin(tz / 2).reshape(-1, nblocks, n)[:batch]
    e2r, e2i = er * er - ei * ei, 2.0 * er * ei
    gy = (e2r * a[..., 2] + e2i * a[..., 3]) - (e2r * a[..., 0] - e2i * a[..., 1])
    grad = np.stack([gy, a[..., 4]], axis=2).reshape(batch, -1)
    if pairs:
        # dU/dt = U(t + pi) / 2 for every rotation, so dE/dt = Re sum_v env[v] phi_{t + pi}[v]
        env = (env_r + 1j * env_i).transpose(0, 3, 1, 2).reshape(groups * lanes, len(sites), 4)[:batch]
        for j, (sa, idx) in enumerate(sites):
            th = theta[:, idx]
            npar = idx.size
            shifted = (th[:, None, :] + np.pi * np.eye(npar)[None]).reshape(-1, npar)
            dphi = statevectors(sa, shifted).reshape(batch, npar, -1)
            grad[:, idx] = np.einsum("bpv,bv->bp", dphi, env[:, j, : dphi.shape[2]]).real
    return energy, grad

PRODUCT_CHUNK_BYTES = 64 * 2**20


def _khatri_rao(q0: np.ndarray, q1: np.ndarray, skip: int = -1) -> np.ndarray:
    """``Q[m, b] = prod_i q_i(bit_i(m))[b]`` for ``i < k`` (qubit ``skip`` contributes 1), shape (2**k, B)."""
    out = np.ones((1, q0.shape[1]))
    for i in range(q0.shape[0]):
        if i == skip:
            out = np.concatenate([out, out], axis=0)
        else:
            out = np.concatenate([out * q0[i], out * q1[i]], axis=0)
    return out


def product_energy_and_gradient(cost: np.ndarray, theta_y: np.ndarray, want_grad: bool = True,
                                block: int = 10):
    """Energy and RY-angle gradient of product states by tensor contraction, ``O(B 2**N)``.

    For ``U = (x)_j RZ RY`` the measurement distribution is a product of ``q_j(1) = sin^2(t_j/2)``,
    so ``E = sum_x C(x) prod_j q_j(x_j)``. The lowest ``block`` qubits are contracted at once
    with one GEMM, ``C.reshape(2**(N-k), 2**k) @ Q_k`` (``Q_k`` the Khatri-Rao product of their
    distributions), the rest one qubit at a time on the small remainder; reverse mode through
    both gives every ``dE/dq_j``. That is about ``N`` times less work than applying gates and
    runs at BLAS speed, vectorized over the batch. RZ angles do not change the distribution:
    their gradient is 0.

    Args:
        cost: ``C`` (2**N,).
        theta_y: RY angles (B, N).
        want_grad: skip the reverse pass when False.
        block: qubits contracted by the GEMM.

    Returns:
        ``E`` (B,) and ``dE/dtheta_y`` (B, N) (zeros when ``want_grad`` is False).
    """
    nb, n = theta_y.shape
    k = min(n, block)
    q1 = (np.sin(theta_y / 2) ** 2).T  # (N, B)
    q0 = 1.0 - q1
    c2 = cost.reshape(-1, 2**k)  # row: high bits, column: the low k bits
    energy = np.empty(nb)
    grad = np.zeros((nb, n))
    chunk = max(1, int(PRODUCT_CHUNK_BYTES // (8 * (c2.shape[0] + 2**k))))
    for start in range(0, nb, chunk):
        sl = slice(start, min(nb, start + chunk))
        a0, a1 = q0[:, sl], q1[:, sl]
        qk = _khatri_rao(a0[:k], a1[:k])
        t = c2 @ qk  # (2**(N-k), b)
        ts = []
        for j in range(k, n):  # T_{j+1}[hi, b] = T_j[hi, 0, b] q_j0[b] + T_j[hi, 1, b] q_j1[b]
            ts.append(t)
            tr = t.reshape(-1, 2, t.shape[1])
            t = tr[:, 0, :] * a0[j] + tr[:, 1, :] * a1[j]
        energy[sl] = t[0]
        if not want_grad:
            continue
        dq = np.zeros((n, 2, t.shape[1]))
        g = np.ones((1, t.shape[1]))  # dE/dT_N
        for j in range(n - 1, k - 1, -1):
            tr = ts[j - k].reshape(-1, 2, g.shape[1])
            dq[j, 0] = np.einsum("hb,hb->b", g, tr[:, 0, :])
            dq[j, 1] = np.einsum("hb,hb->b", g, tr[:, 1, :])
            g = np.stack([g * a0[j], g * a1[j]], axis=1).reshape(-1, g.shape[1])
        dqk = c2.T @ g  # dE/dQ_k, (2**k, b)
        bits = (np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1
        for i in range(k):
            loo = dqk * _khatri_rao(a0[:k], a1[:k], skip=i)
            dq[i, 0] = loo[bits[:, i] == 0].sum(axis=0)
            dq[i, 1] = loo[bits[:, i] == 1].sum(axis=0)
        # q1 = sin^2(t/2): dq1/dt = sin(t)/2 = -dq0/dt
        grad[sl] = ((dq[:, 1] - dq[:, 0]) * (np.sin(theta_y[sl].T) / 2)).T
    return energy, grad


def contract_sites(cost: np.ndarray, sites: list, want_grad: bool = True, gemm_bits: int = 10):
    """``E[b] = sum_x C(x) prod_s Q_s[x_s, b]`` for distributions on consecutive bit groups, and ``dE/dQ_s``.

    ``sites[s]`` has shape (d_s, B) with ``d_s = 2**(bits of site s)``, sites in increasing bit
    order (site 0 holds bit 0). The lowest sites, up to ``gemm_bits`` bits, are contracted with
    one GEMM against their Khatri-Rao product; the rest one site at a time. Reverse mode gives
    the gradients (leave-one-out Khatri-Rao products for the GEMM group).
    """
    nb = sites[0].shape[1]
    dims = [q.shape[0] for q in sites]
    g, dg = 0, 1
    while g < len(sites) and dg * dims[g] <= 2**gemm_bits:
        dg *= dims[g]
        g += 1
    c2 = cost.reshape(-1, dg)

    def kr(skip=-1):
        out = np.ones((1, nb))
        for s_ in range(g):
            q = sites[s_]
            out = np.concatenate([out if s_ == skip else out * q[v] for v in range(dims[s_])], axis=0)
        return out

    t = c2 @ kr()
    ts = []
    for s_ in range(g, len(sites)):
        ts.append(t)
        tr = t.reshape(-1, dims[s_], nb)
        t = np.einsum("hvb,vb->hb", tr, sites[s_])
    energy = t[0].copy()
    if not want_grad:
        return energy, None
    grads = [None] * len(sites)
    gr = np.ones((1, nb))
    for s_ in range(len(sites) - 1, g - 1, -1):
        tr = ts[s_ - g].reshape(-1, dims[s_], nb)
        grads[s_] = np.einsum("hb,hvb->vb", gr, tr)
        gr = (gr[:, None, :] * sites[s_][None, :, :]).reshape(-1, nb)
    dq = c2.T @ gr
    stride = 1
    for s_ in range(g):
        loo = dq * kr(skip=s_)
        digit = (np.arange(dg) // stride) % dims[s_]
        grads[s_] = np.stack([loo[digit == v].sum(axis=0) for v in range(dims[s_])])
        stride *= dims[s_]
    return energy, grads


class _SiteDecomposition:
    """One layer (two blocks) = a product of two-qubit states before the last CX layer.

    Block 0's CX gates pair qubits (0,1), (2,3), ...; block 1's rotations keep those pairs
    apart and block 1's CX layer is folded into ``C``. So the state is ``(x)_p phi_p`` with
    ``phi_p`` the 2-qubit circuit ``Ansatz(2, 1)`` on qubits ``(2p, 2p+1)`` (and ``Ansatz(1, 1)``
    on the last qubit when N is odd). Energies contract ``C`` against the pair distributions
    (:func:`contract_sites`); gradients chain ``dE/dQ_p`` through each pair's 8 angles by the
    parameter-shift rule, exact for these gates, on 4-amplitude states.
    """

    def __init__(self, ansatz: Ansatz):
        n = ansatz.num_qubits
        self.ansatz = ansatz
        self.sites = []  # (site ansatz, index array into the full theta)
        for j0 in range(0, n, 2):
            m = min(2, n - j0)
            sa = Ansatz(m, 1)
            idx = np.empty(sa.num_parameters, dtype=np.int64)
            for k in range(2):
                for q in range(m):
                    for alpha in ("y", "z"):
                        idx[sa.index(alpha, q, k)] = ansatz.index(alpha, j0 + q, k)
            self.sites.append((sa, idx))

    def energy_and_gradient(self, cost_folded: np.ndarray, theta: np.ndarray, want_grad: bool = True):
        nb = theta.shape[0]
        dists, shifted = [], []
        for sa, idx in self.sites:
            th = theta[:, idx]
            npar = th.shape[1]
            rows = [th]
            if want_grad:
                eye = np.eye(npar) * (np.pi / 2)
                rows += [(th[:, None, :] + eye[None]).reshape(-1, npar), (th[:, None, :] - eye[None]).reshape(-1, npar)]
            psi = statevectors(sa, np.concatenate(rows))
            probs = psi.real**2 + psi.imag**2
            dists.append(np.ascontiguousarray(probs[:nb].T))
            shifted.append(probs[nb:])
        energy, dq = contract_sites(cost_folded, dists, want_grad)
        if not want_grad:
            return energy, None
        grad = np.zeros_like(theta)
        for (sa, idx), w, sh in zip(self.sites, dq, shifted):
            npar = idx.size
            plus = sh[: nb * npar].reshape(nb, npar, -1)
            minus = sh[nb * npar:].reshape(nb, npar, -1)
            grad[:, idx] = 0.5 * np.einsum("bpv,vb->bp", plus - minus, w)
        return energy, grad


class StatevectorModel:
    """Exact energy, gradient and state of one ansatz against one cost vector.

    Precomputes the CX permutations and the cost folded through the last CX layer, so repeated
    calls (an optimizer's) pay only for the simulation.

    Args:
        ansatz: the circuit layout.
        cost: ``C``, length ``2**N``.
        product_contraction: for the product-state ansatz and for one layer use the ``O(2**N)``
            contractions (:func:`product_energy_and_gradient`, :class:`_SiteDecomposition`)
            instead of gate application (False forces the gate kernels, e.g. to cross-check).
        kernel: for two or more layers, ``"lanes"`` runs the lane-batched kernels
            (:func:`lane_energy_and_gradient`: initializations side by side in every amplitude
            row), ``"rows"`` one state per thread (first layer by contraction, the later blocks by
            gates); ``"auto"`` (default) is ``"lanes"`` (``"rows"`` with ``product_contraction=False``).
            Both are exact; they agree to rounding.
        precision: ``"double"`` (default) or ``"single"``: float32 states in the lane kernels
            (energies within about 1e-6 of double, see :data:`SINGLE_ENERGY_ERROR`); for the
            product state and one layer the contractions stay in double.

    Examples:
        >>> import numpy as np
        >>> from anneal_binn.gate.circuits import Ansatz
        >>> m = StatevectorModel(Ansatz(2, 0), np.array([3.0, 1.0, 2.0, 0.0]))
        >>> theta = np.array([[np.pi, np.pi, 0.0, 0.0]])  # RY(pi) on both qubits -> |11>
        >>> float(np.round(m.energy(theta)[0], 12))
        0.0
    """

    def __init__(self, ansatz: Ansatz, cost, product_contraction: bool = True, kernel: str = "auto",
                 precision: str = "double"):
        if kernel not in KERNELS:
            raise ValueError(f"kernel: choose one of {', '.join(KERNELS)}; got {kernel!r}")
        if precision not in PRECISIONS:
            raise ValueError(f"precision: choose one of {', '.join(PRECISIONS)}; got {precision!r}")
        self.ansatz = ansatz
        self.product_contraction = product_contraction
        self.precision = precision
        # precision="single" needs the lane kernels (the row kernels are float64 only);
        # product_contraction=False keeps "auto" on the plain row kernels, the cross-check
        if kernel == "auto":
            kernel = "lanes" if (product_contraction or precision == "single") else "rows"
        self.kernel = "lanes" if precision == "single" else kernel
        self._lanes = self.kernel == "lanes" and ansatz.layers >= 2
        guard_size(ansatz.num_qubits)
        self.cost = check_cost(cost, ansatz.num_qubits)
        self._perms = _perms(ansatz)
        # fold the final CX layer into the cost: E = sum_y C[perm[y]] |psi'(y)|^2
        self._cost_folded = np.ascontiguousarray(self.cost[self._perms[-1]])
        self._sites = _SiteDecomposition(ansatz) if (product_contraction and ansatz.layers == 1 and ansatz.num_qubits > 2) else None
        # two or more layers: the first layer's state is a product of pair states, built and
        # differentiated by contraction; the gate kernels run the later blocks only
        self._first_layer = (_SiteDecomposition(ansatz) if (product_contraction and ansatz.layers >= 2 and not self._lanes
                                                             and ansatz.num_qubits > 2) else None)

    def _deep(self, theta: np.ndarray, want_grad: bool):
        nb_rows = theta.shape[0]
        n = self.ansatz.num_qubits
        d = 2**n
        sites = self._first_layer.sites
        phis = [statevectors(sa, theta[:, idx]) for sa, idx in sites]  # (B, d_s) each
        c, s_, er, ei = _angles(self.ansatz, theta)
        energy = np.empty(nb_rows)
        grad = np.zeros_like(theta)
        chunk = max(1, int(PRODUCT_CHUNK_BYTES // (16 * d)))
        for start in range(0, nb_rows, chunk):
            sl = slice(start, min(nb_rows, start + chunk))
            psi = phis[0][sl]
            for phi in phis[1:]:  # site s holds the next higher bits
                psi = (phi[sl][:, :, None] * psi[:, None, :]).reshape(psi.shape[0], -1)
            p0 = np.ascontiguousarray(psi).view(np.float64)
            kernel = _kernel("energy_grad_tail", p0.shape[0], n)
            e, g, lam = kernel(p0, c[sl], s_[sl], er[sl], ei[sl], self._perms, self._cost_folded, 2, want_grad)
            energy[sl] = e
            if not want_grad:
                continue
            grad[sl] = g.reshape(g.shape[0], -1)
            grad[sl, : 4 * n] = 0.0  # blocks 0 and 1 are filled below
            lam = lam.view(np.complex128)
            # dU/dt = U(t + pi) / 2 for every rotation, so dE/dt = Re <lambda | psi(t + pi)>
            dphis = []
            for sa, idx in sites:
                th = theta[sl][:, idx]
                npar = idx.size
                shifted = (th[:, None, :] + np.pi * np.eye(npar)[None]).reshape(-1, npar)
                dphis.append(statevectors(sa, shifted).reshape(th.shape[0], npar, -1))
            for r in range(lam.shape[0]):
                b = start + r
                env = contract_sites(np.conj(lam[r]), [phi[b][:, None] for phi in phis])[1]
                for (sa, idx), e_s, dphi in zip(sites, env, dphis):
                    grad[b, idx] = (dphi[r] @ e_s[:, 0]).real
        return energy, grad

    def energy_and_gradient(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """``E`` of shape (B,) and ``dE/dtheta`` of shape (B, P) for angles (B, P) or (P,)."""
        theta = self.ansatz.check_parameters(theta)
        n = self.ansatz.num_qubits
        if not self.ansatz.entangling and n > 1 and self.product_contraction:
            energy, gy = product_energy_and_gradient(self.cost, theta[:, :n])
            return energy, np.concatenate([gy, np.zeros_like(gy)], axis=1)
        if self._sites is not None:
            return self._sites.energy_and_gradient(self._cost_folded, theta)
        if self._lanes:
            return lane_energy_and_gradient(self.ansatz, self._cost_folded, theta, self.precision)
        if self._first_layer is not None:
            return self._deep(theta, True)
        kernel = _kernel("energy_grad", theta.shape[0], n)
        energy, grad = kernel(*_angles(self.ansatz, theta), self._perms, self._cost_folded, True)
        return energy, grad.reshape(theta.shape[0], -1)

    def energy(self, theta) -> np.ndarray:
        """``E`` of shape (B,) (no gradient work)."""
        theta = self.ansatz.check_parameters(theta)
        n = self.ansatz.num_qubits
        if not self.ansatz.entangling and n > 1 and self.product_contraction:
            return product_energy_and_gradient(self.cost, theta[:, :n], want_grad=False)[0]
        if self._sites is not None:
            return self._sites.energy_and_gradient(self._cost_folded, theta, want_grad=False)[0]
        if self._lanes:
            return lane_energy_and_gradient(self.ansatz, self._cost_folded, theta, self.precision, want_grad=False)[0]
        if self._first_layer is not None:
            return self._deep(theta, False)[0]
        kernel = _kernel("energy_grad", theta.shape[0], n)
        return kernel(*_angles(self.ansatz, theta), self._perms, self._cost_folded, False)[0]

    def states(self, theta) -> np.ndarray:
        """Final statevectors, shape (B, 2**N), amplitude index bit ``i`` = qubit ``i``."""
        return statevectors(self.ansatz, theta, _perms_cache=self._perms)


def energy_and_gradient(ansatz: Ansatz, cost, theta) -> tuple[np.ndarray, np.ndarray]:
    """One-shot :meth:`StatevectorModel.energy_and_gradient` (precomputations not reused)."""
    return StatevectorModel(ansatz, cost).energy_and_gradient(theta)


def statevectors(ansatz: Ansatz, theta, _perms_cache=None) -> np.ndarray:
    """Final states ``U(theta)|0>`` for a batch of angles, shape (B, 2**N).

    Examples:
        >>> from anneal_binn.gate.circuits import Ansatz
        >>> psi = statevectors(Ansatz(1, 0), [np.pi, 0.0])
        >>> np.round(np.abs(psi) ** 2, 12).tolist()
        [[0.0, 1.0]]
    """
    guard_size(ansatz.num_qubits, copies=1)
    theta = ansatz.check_parameters(theta)
    perms = _perms(ansatz) if _perms_cache is None else _perms_cache
    kernel = _kernel("states", theta.shape[0], ansatz.num_qubits)
    return kernel(*_angles(ansatz, theta), perms, perms[-1]).view(np.complex128)


def probabilities(ansatz: Ansatz, theta) -> np.ndarray:
    """``|psi_theta(x)|^2``, shape (B, 2**N)."""
    psi = statevectors(ansatz, theta)
    return psi.real**2 + psi.imag**2


def sample_indices(probs, shots: int, seed=None) -> np.ndarray:
    """Draw ``shots`` basis indices from each row of ``probs`` (B, D) -> (B, shots) int64.

    Inverse-CDF sampling, vectorized over rows; same seed -> same draws.
    """
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    if shots < 1:
        raise ValueError(f"shots: must be >= 1, got {shots}")
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random((probs.shape[0], int(shots)))
    out = np.empty(u.shape, dtype=np.int64)
    for b in range(probs.shape[0]):
        out[b] = np.searchsorted(cdf[b], u[b], side="right")
    np.minimum(out, probs.shape[1] - 1, out=out)
    return out
