"""Diagonal MPOs for the cost layer ``exp(-i theta H_z)``, built from the model.

Two builders:

- **Counter MPO** (:class:`StabilityMPO`), for energies that are sums over patterns of a
  function of one linear form, ``H = sum_mu f_mu(Delta_mu)``, ``Delta_mu = sum_i c_mu,i s_i + o_mu``
  (the perceptron's stabilities). ``exp(-i theta f(Delta))`` is an MPO whose bond carries the
  partial sum of the linear form (Lami et al., SciPost Phys. 14, 117 (2023), Eq. 17, there in
  Fourier form). Partial sums whose *futures* agree up to a constant are merged exactly (for the
  ramp ``max(-Delta, 0)``: every sum that can no longer turn negative, and every sum that can no
  longer turn positive), so the bond at cut ``j`` is about ``min(j, N - j) + 1``. The structure
  depends only on the pattern; each step only exponentiates its phase table.
- **Tensor trains of a HUBO** (:func:`zstring_tt`, :func:`phase_tt_dense`,
  :func:`phase_tt_from_terms`): the energy diagonal as a compressed sum of Z-strings (rank-1
  terms added block by block and rounded by SVD), and the phase diagonal ``exp(-i theta E)``
  either by TT-SVD of the dense phases (up to :data:`DENSE_TT_LIMIT` variables) or as a
  product of the commuting factors ``cos(theta c) - i sin(theta c) Z_S`` rounded after each.

A diagonal MPO is a list of arrays ``W[j][k, b, k']`` (b = the bit of site j).

Examples:
    >>> import numpy as np
    >>> xi = np.array([[1, -1, 1]])
    >>> m = StabilityMPO(xi, lambda v, mu: np.maximum(-v, 0.0))
    >>> W = m.mpo(0, 0.3)
    >>> diag = dense_diagonal(W)
    >>> bits = (np.arange(8)[:, None] >> np.arange(3)) & 1
    >>> bool(np.allclose(diag, np.exp(-0.3j * np.maximum(-((2 * bits - 1) @ xi[0]), 0))))
    True
"""
from __future__ import annotations

import numpy as np

from anneal_binn.errors import TooLargeError
from anneal_binn.tensor_network.mps import _svd, keep_count

DENSE_TT_LIMIT = 22  # phase tensor trains by TT-SVD of the 2^N dense phases up to this many variables
MAX_COUNTER_STATES = 4096  # refuse linear forms whose partial sums take more distinct values


def dense_diagonal(mpo: list[np.ndarray]) -> np.ndarray:
    """The 2^n diagonal of a diagonal MPO (index = sum_j b_j 2^j); small n only."""
    out = np.ones((1, 1), dtype=np.complex128)
    for W in mpo:
        out = np.einsum("ck,kbq->bcq", out, W).reshape(-1, W.shape[2])
    return out[:, 0]


class CounterStructure:
    """Reachable partial sums of one linear form ``sum_j c_j s_j`` (s = 2b - 1), site by site.

    ``values[j]``: the distinct partial sums after ``j`` sites; ``dst[j][v, b]``: index in
    ``values[j + 1]`` reached from value ``v`` with bit ``b`` at site ``j``.
    """

    def __init__(self, coefficients: np.ndarray, decimals: int = 9):
        c = np.asarray(coefficients, dtype=np.float64)
        self.coefficients = c
        self.values = [np.zeros(1)]
        self.dst = []
        for j, cj in enumerate(c):
            cur = self.values[-1]
            nxt = np.round(np.concatenate([cur - cj, cur + cj]), decimals)
            uniq, inv = np.unique(nxt, return_inverse=True)
            if uniq.size > MAX_COUNTER_STATES:
                raise TooLargeError(f"counter MPO: the partial sums take {uniq.size:,} values after {j + 1} sites "
                                    f"(limit {MAX_COUNTER_STATES}); the coefficients must be integers or take few values")
            self.values.append(uniq)
            self.dst.append(inv.reshape(2, cur.size).T.copy())


class StabilityMPO:
    """Counter MPOs of ``exp(-i theta f_mu(Delta_mu))`` for every pattern ``mu``.

    Args:
        coefficients: (M, N) array ``c_mu,i`` of the linear forms (integers, or few distinct values).
        fn: ``fn(values, mu) -> energies``, vectorized over a float array of ``Delta`` values.
        offsets: (M,) constants ``o_mu`` added to each form (default 0).
    """

    def __init__(self, coefficients: np.ndarray, fn, offsets: np.ndarray | None = None):
        C = np.atleast_2d(np.asarray(coefficients, dtype=np.float64))
        self.coefficients = C
        self.fn = fn
        self.offsets = np.zeros(len(C)) if offsets is None else np.asarray(offsets, dtype=np.float64)
        self.structures = [CounterStructure(c) for c in C]
        self._tables = [self._table(mu) for mu in range(len(C))]

    @property
    def num_patterns(self) -> int:
        return len(self.coefficients)

    def bond_dimensions(self, mu: int) -> list[int]:
        """Bond dimension of pattern ``mu``'s MPO at each of the N - 1 inner cuts."""
        return list(self._tables[mu][0][1:-1])

    def _table(self, mu: int):
        """Merge partial sums into classes of equal futures; per site (class dst, phase exponent)."""
        st = self.structures[mu]
        c = st.coefficients
        n = c.size
        o = self.offsets[mu]
        # reachable remainders R_j = sums over sites j..n-1
        rem = [np.zeros(1)]
        for cj in c[::-1]:
            rem.append(np.unique(np.round(np.concatenate([rem[-1] - cj, rem[-1] + cj]), 9)))
        rem = rem[::-1]
        classes, deltas, reps = [], [], []  # per cut: class of each value, offset of each value, class reps
        for j in range(n + 1):
            vals = st.values[j]
            rows = np.asarray(self.fn((vals[:, None] + rem[j][None, :] + o).ravel(), mu), dtype=np.float64)
            rows = rows.reshape(vals.size, rem[j].size)
            scale = max(1.0, float(np.abs(rows).max()) if rows.size else 1.0)
            shifted = np.round((rows - rows[:, :1]) / scale, 9)
            _, first, inv = np.unique(shifted, axis=0, return_index=True, return_inverse=True)
            inv = inv.ravel()
            order = np.argsort(first)  # classes numbered by first appearance
            rank = np.empty_like(order)
            rank[order] = np.arange(order.size)
            cls = rank[inv]
            rep_idx = first[order]
            classes.append(cls)
            deltas.append(rows[:, 0] - rows[rep_idx[cls], 0])
            reps.append(rep_idx)
        dims, dsts, phases = [1], [], []
        for j in range(n):
            rep_idx = reps[j]
            nxt = st.dst[j][rep_idx]  # (classes_j, 2) value index at cut j+1
            dsts.append(classes[j + 1][nxt])
            if j == n - 1:
                vals = st.values[n][nxt]
                phases.append(np.asarray(self.fn((vals + o).ravel(), mu), dtype=np.float64).reshape(nxt.shape))
            else:
                phases.append(deltas[j + 1][nxt])
            dims.append(len(reps[j + 1]))
        return dims, dsts, phases

    def mpo(self, mu: int, theta: float, canonical: bool = False) -> list[np.ndarray]:
        """The diagonal MPO of ``exp(-i theta f_mu(Delta_mu))`` (right-canonical gauge if ``canonical``)."""
        dims, dsts, phases = self._tables[mu]
        out = []
        for j, (dst, ph) in enumerate(zip(dsts, phases)):
            W = np.zeros((dims[j], 2, dims[j + 1]), dtype=np.complex128)
            k = np.arange(dims[j])
            W[k, 0, dst[:, 0]] = np.exp(-1j * theta * ph[:, 0])
            W[k, 1, dst[:, 1]] = np.exp(-1j * theta * ph[:, 1])
            out.append(W)
        return tt_right_canonical(out) if canonical else out

    def energy_mpo(self, mu: int) -> list[np.ndarray]:
        """``f_mu(Delta_mu)`` itself as a diagonal MPO (the counter, unmerged, f on the last bond)."""
        st = self.structures[mu]
        out = []
        n = len(st.dst)
        for j, dst in enumerate(st.dst):
            W = np.zeros((len(st.values[j]), 2, len(st.values[j + 1])))
            k = np.arange(len(st.values[j]))
            W[k, 0, dst[:, 0]] = 1.0
            W[k, 1, dst[:, 1]] = 1.0
            if j == n - 1:
                W = W @ np.asarray(self.fn(st.values[n] + self.offsets[mu], mu), dtype=np.float64)[:, None]
            out.append(W.astype(np.complex128))
        return out


# -- tensor trains of a HUBO's diagonal ----------------------------------------------------
def tt_round(cores: list[np.ndarray], cutoff: float, max_rank: int | None = None) -> list[np.ndarray]:
    """Round a tensor train (cores (r, 2, r')) by left QR then right-to-left truncating SVDs.

    ``cutoff`` is the squared weight, relative to the train's squared norm, each cut may drop.
    """
    cores = [c.copy() for c in cores]
    n = len(cores)
    for j in range(n - 1):
        l, d, r = cores[j].shape
        q, rr = np.linalg.qr(cores[j].reshape(l * d, r))
        cores[j] = q.reshape(l, d, q.shape[1])
        cores[j + 1] = np.tensordot(rr, cores[j + 1], axes=(1, 0))
    for j in range(n - 1, 0, -1):
        l, d, r = cores[j].shape
        u, s, vh = _svd(cores[j].reshape(l, d * r))
        keep = keep_count(s, max_rank or s.size, cutoff)
        cores[j] = vh[:keep].reshape(keep, d, r)
        cores[j - 1] = np.tensordot(cores[j - 1], u[:, :keep] * s[:keep], axes=(2, 0))
    return cores


def tt_right_canonical(cores: list[np.ndarray]) -> list[np.ndarray]:
    """The same train with cores 1..n-1 right-orthonormal (QR from the right): the gauge the MPS
    zip-up expects of an MPO, whose right blocks then weigh the kept directions correctly."""
    cores = list(cores)
    for j in range(len(cores) - 1, 0, -1):
        l, d, r = cores[j].shape
        q, rr = np.linalg.qr(cores[j].reshape(l, d * r).T)
        cores[j] = q.T.reshape(q.shape[1], d, r)
        cores[j - 1] = np.tensordot(cores[j - 1], rr.T, axes=(2, 0))
    return cores


def tt_add(a: list[np.ndarray], b: list[np.ndarray]) -> list[np.ndarray]:
    """Sum of two tensor trains (direct sum of the cores)."""
    n = len(a)
    if n == 1:
        return [a[0] + b[0]]
    out = []
    for j, (x, y) in enumerate(zip(a, b)):
        dt = np.result_type(x, y)
        if j == 0:
            out.append(np.concatenate([x, y], axis=2).astype(dt))
        elif j == n - 1:
            out.append(np.concatenate([x, y], axis=0).astype(dt))
        else:
            z = np.zeros((x.shape[0] + y.shape[0], 2, x.shape[2] + y.shape[2]), dtype=dt)
            z[: x.shape[0], :, : x.shape[2]] = x
            z[x.shape[0]:, :, x.shape[2]:] = y
            out.append(z)
    return out


def _block_tt(terms: list[tuple[tuple[int, ...], float]], n: int) -> list[np.ndarray]:
    """The sum of a block of K Z-string terms as a rank-K tensor train (z(b) = 2b - 1)."""
    K = len(terms)
    Z = np.zeros((K, n, 2))
    Z[:] = 1.0
    for t, (sites, _) in enumerate(terms):
        Z[t, list(sites), 0] = -1.0
    coef = np.array([c for _, c in terms])
    cores = []
    for j in range(n):
        if n == 1:
            cores.append((coef[:, None] * Z[:, 0, :]).sum(axis=0).reshape(1, 2, 1))
        elif j == 0:
            cores.append((coef[:, None] * Z[:, 0, :]).T.reshape(1, 2, K))
        elif j == n - 1:
            cores.append(Z[:, j, :].reshape(K, 2, 1))
        else:
            core = np.zeros((K, 2, K))
            core[np.arange(K), :, np.arange(K)] = Z[:, j, :]
            cores.append(core)
    return cores


def zstring_tt(terms: list[tuple[tuple[int, ...], float]], n: int, constant: float = 0.0,
               cutoff: float = 1e-24, block: int = 64) -> list[np.ndarray]:
    """The energy diagonal ``constant + sum_S c_S prod_{i in S} z_i`` as a compressed tensor train.

    Terms are added ``block`` at a time (a rank-``block`` direct sum) and the accumulated train
    is rounded by SVD after each block, so the rank never exceeds the true rank plus ``block``.

    Examples:
        >>> tt = zstring_tt([((0, 2), 1.5), ((1,), -1.0)], 3, constant=0.5)
        >>> bits = (np.arange(8)[:, None] >> np.arange(3)) & 1; z = 2 * bits - 1
        >>> bool(np.allclose(dense_diagonal(tt), 0.5 + 1.5 * z[:, 0] * z[:, 2] - z[:, 1]))
        True
    """
    if n == 0:
        return []
    acc = [np.full((1, 2, 1), 1.0)] + [np.ones((1, 2, 1)) for _ in range(n - 1)]
    acc[0] = acc[0] * constant
    for k in range(0, len(terms), block):
        acc = tt_round(tt_add(acc, _block_tt(terms[k:k + block], n)), cutoff)
    return [c.astype(np.complex128) for c in acc]


def tt_from_dense(values: np.ndarray, n: int, cutoff: float) -> list[np.ndarray]:
    """TT-SVD of a 2^n vector (index = sum_j b_j 2^j); ``cutoff`` as in :func:`tt_round`."""
    T = np.ascontiguousarray(np.asarray(values).reshape([2] * n, order="F")) if n else np.asarray(values)
    cores, r = [], 1
    for _ in range(n - 1):
        u, s, vh = _svd(T.reshape(r * 2, -1))
        keep = keep_count(s, s.size, cutoff)
        cores.append(u[:, :keep].reshape(r, 2, keep))
        T = s[:keep, None] * vh[:keep]
        r = keep
    cores.append(T.reshape(r, 2, 1))
    return cores


def phase_tt_dense(energies: np.ndarray, n: int, theta: float, cutoff: float = 1e-15) -> list[np.ndarray]:
    """``exp(-i theta E)`` of the dense energies as a diagonal MPO, by TT-SVD (right-canonical)."""
    if n > DENSE_TT_LIMIT:
        raise TooLargeError(f"phase tensor train by TT-SVD over {n} variables (limit {DENSE_TT_LIMIT})")
    return tt_right_canonical(tt_from_dense(np.exp(-1j * theta * energies), n, cutoff))


def phase_tt_from_terms(terms: list[tuple[tuple[int, ...], float]], n: int, theta: float,
                        cutoff: float = 1e-15, max_rank: int = 512) -> list[np.ndarray]:
    """``exp(-i theta sum_S c_S Z_S)`` as the product of its commuting factors, rounded after each.

    Meant for large N with a low-rank phase (local or sparse HUBOs); refuses beyond ``max_rank``.
    """
    cores = [np.ones((1, 2, 1), dtype=np.complex128) for _ in range(n)]
    for sites, c in terms:
        a, b = sites[0], sites[-1]
        cs, sn = np.cos(theta * c), -1j * np.sin(theta * c)
        inS = set(sites)
        new = []
        for j, core in enumerate(cores):
            if j < a or j > b:
                new.append(core)
                continue
            z = np.array([-1.0, 1.0]) if j in inS else np.ones(2)
            l, _, r = core.shape
            if a == b:
                new.append(core * (cs + sn * z)[None, :, None])
                continue
            f = np.zeros((1 if j == a else 2, 2, 1 if j == b else 2), dtype=np.complex128)
            if j == a:
                f[0, :, 0], f[0, :, 1] = cs, sn * z
            elif j == b:
                f[0, :, 0], f[1, :, 0] = 1.0, z
            else:
                f[0, :, 0], f[1, :, 1] = 1.0, z
            g = np.einsum("lbr,pbq->lpbrq", core, f).reshape(l * f.shape[0], 2, r * f.shape[2])
            new.append(g)
        cores = tt_round(new, cutoff)
        if max(c.shape[2] for c in cores) > max_rank:
            raise TooLargeError(f"the phase tensor train exceeds rank {max_rank}; this HUBO's cost layer is not low-rank")
    return tt_right_canonical(cores)
