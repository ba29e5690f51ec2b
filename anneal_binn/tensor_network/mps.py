"""A qubit matrix product state with the operations the annealers need.

``tensors[j]`` has shape (left, 2, right); physical index ``b`` of site ``j`` is bit ``b`` of
variable ``j`` (spin ``2b - 1``). The state is kept in mixed canonical form (``center`` is the
orthogonality centre), so every truncation is locally optimal and sampling needs no environment.

Truncation is booked as a probability: each truncation discards a fraction ``eps`` of the
squared norm, and :attr:`MPS.truncation_error` is ``1 - prod(1 - eps)``, the weight lost over the
whole run (0 when nothing was cut, never above 1).

The cost layer ``exp(-i theta H_z)`` is a *diagonal* MPO (``W[k, b, k']``, bond dimension D);
:meth:`MPS.apply_diagonal_mpo` applies it by a zip-up sweep (left to right, SVD at each site
with a looser bond) followed by an optimal right-to-left SVD truncation to ``max_bond``. The
zip-up never forms the (chi D)-bond product, so a step costs O(N chi^2 D^2) instead of
O(N chi^3 D^3) for canonicalising the product first; with nothing to cut both are exact.
``benchmarks/tensor_network.py`` times it against quimb's ``MPO.apply(compress=True)``.

Examples:
    >>> import numpy as np
    >>> psi = MPS.product(np.full((3, 2), 2 ** -0.5))
    >>> psi.apply_diagonal_mpo([np.ones((1, 2, 1))] * 3, max_bond=4)
    >>> round(float(np.abs(psi.to_dense()) @ np.abs(psi.to_dense())), 12), psi.truncation_error
    (1.0, 0.0)
"""
from __future__ import annotations

import math

import numpy as np


def keep_count(s: np.ndarray, max_bond: int, cutoff: float) -> int:
    """How many singular values to keep: at most ``max_bond``, dropping a tail of relative
    squared weight at most ``cutoff`` (at least one is kept)."""
    w = s * s
    total = w.sum()
    if total == 0 or not np.isfinite(total):
        return 1
    tail = np.cumsum(w[::-1])[::-1] / total  # tail[k] = weight discarded if we keep k
    keep = int(np.count_nonzero(tail > cutoff))
    return max(1, min(max_bond, keep))


def _svd(mat: np.ndarray):
    try:
        return np.linalg.svd(mat, full_matrices=False)
    except np.linalg.LinAlgError:  # gesdd can fail to converge on ill-conditioned input; gesvd does not
        import scipy.linalg

        return scipy.linalg.svd(mat, full_matrices=False, lapack_driver="gesvd")


class MPS:
    """A qubit MPS in mixed canonical form (see the module docstring)."""

    def __init__(self, tensors: list[np.ndarray], center: int = 0):
        self.tensors = tensors
        self.center = center
        self._log_keep = 0.0  # sum of log(1 - eps) over truncations

    # -- construction and inspection ----------------------------------------------------
    @classmethod
    def product(cls, vectors: np.ndarray) -> MPS:
        """Product state from (n, 2) single-site amplitudes."""
        return cls([np.asarray(v, dtype=np.complex128).reshape(1, 2, 1) for v in vectors], 0)

    @property
    def n(self) -> int:
        return len(self.tensors)

    @property
    def max_bond_dimension(self) -> int:
        # an MPS of no sites (a model without variables) is the scalar 1: bond dimension 1
        return max((t.shape[2] for t in self.tensors), default=1)

    @property
    def truncation_error(self) -> float:
        """Squared-norm weight discarded over the run, as a probability in [0, 1]."""
        return float(min(1.0, max(0.0, -math.expm1(self._log_keep))))

    def _book(self, discarded: float) -> None:
        if discarded > 0:
            self._log_keep += math.log1p(-min(discarded, 1.0 - 1e-300))

    def to_dense(self) -> np.ndarray:
        """The 2^n amplitudes (index = sum_j b_j 2^j); small n only."""
        out = np.ones((1, 1), dtype=np.complex128)  # (configs so far, bond)
        for j, A in enumerate(self.tensors):
            _l, d, r = A.shape
            out = np.einsum("cl,lbr->bcr", out, A).reshape(d * out.shape[0], r)
        # rows are ordered with the last site as the slowest index: that is sum_j b_j 2^j
        return out[:, 0]

    # -- canonical form -----------------------------------------------------------------
    def move_center(self, j: int) -> None:
        """Shift the orthogonality centre to site ``j`` by QR decompositions."""
        T = self.tensors
        while self.center < j:
            c = self.center
            l, d, r = T[c].shape
            q, rr = np.linalg.qr(T[c].reshape(l * d, r))
            T[c] = q.reshape(l, d, q.shape[1])
            T[c + 1] = np.tensordot(rr, T[c + 1], axes=(1, 0))
            self.center += 1
        while self.center > j:
            c = self.center
            l, d, r = T[c].shape
            q, rr = np.linalg.qr(T[c].reshape(l, d * r).T)
            T[c] = q.T.reshape(q.shape[1], d, r)
            T[c - 1] = np.tensordot(T[c - 1], rr.T, axes=(2, 0))
            self.center -= 1

    def normalize(self) -> float:
        """Rescale the centre tensor to unit norm; returns the norm it had."""
        if not self.tensors:
            return 1.0
        c = self.tensors[self.center]
        nrm = float(np.linalg.norm(c))
        if nrm > 0:
            self.tensors[self.center] = c / nrm
        return nrm

    def truncate_right_to_left(self, max_bond: int, cutoff: float) -> None:
        """From a left-canonical state (centre at the right end): optimal SVD truncation of every
        bond to ``max_bond`` sweeping right to left; the centre ends at site 0."""
        self.move_center(self.n - 1)
        T = self.tensors
        for j in range(self.n - 1, 0, -1):
            l, d, r = T[j].shape
            u, s, vh = _svd(T[j].reshape(l, d * r))
            keep = keep_count(s, max_bond, cutoff)
            w = s * s
            self._book(float(w[keep:].sum() / w.sum()) if w.sum() > 0 else 0.0)
            T[j] = vh[:keep].reshape(keep, d, r)
            T[j - 1] = np.tensordot(T[j - 1], u[:, :keep] * s[:keep], axes=(2, 0))
        self.center = 0
        self.normalize()

    # -- gates ----------------------------------------------------------------------------
    def apply_1site(self, j: int, gate: np.ndarray) -> None:
        """Apply a 2x2 unitary at site ``j`` (canonical form is kept)."""
        self.tensors[j] = np.einsum("ab,lbr->lar", gate, self.tensors[j])

    def apply_x_rotation(self, phi: float) -> None:
        """``prod_j exp(+i phi X_j)`` (bond dimension 1: nothing to truncate)."""
        c, s = math.cos(phi), 1j * math.sin(phi)
        for j, A in enumerate(self.tensors):
            a0, a1 = A[:, 0, :], A[:, 1, :]
            self.tensors[j] = np.stack([c * a0 + s * a1, s * a0 + c * a1], axis=1)

    def apply_diagonal_mpo(self, mpo: list[np.ndarray], max_bond: int, cutoff: float = 1e-12,
                           zip_bond: int | None = None, zip_cutoff: float = 1e-14) -> None:
        """Apply a diagonal MPO ``W[j][k, b, k']`` and recompress to ``max_bond``.

        Zip-up from the left (SVD at each site, keeping up to ``zip_bond``, default
        ``2 max_bond``), then an optimal right-to-left truncation; the centre ends at site 0.
        """
        if len(mpo) != self.n:
            raise ValueError(f"mpo: {len(mpo)} tensors for {self.n} sites")
        if self.n == 0:
            return
        zb = 2 * max_bond if zip_bond is None else max(int(zip_bond), max_bond)
        self.move_center(0)
        T = self.tensors
        L = np.ones((1, 1, 1), dtype=np.complex128)  # (new bond, old MPS bond, MPO bond)
        for j in range(self.n):
            A, W = T[j], mpo[j]
            X = np.tensordot(L, A, axes=([1], [0]))  # (n, k, b, r)
            n_, _, _, r = X.shape
            q = W.shape[2]
            M = np.empty((n_, 2, r, q), dtype=np.complex128)
            for b in (0, 1):
                M[:, b] = np.tensordot(X[:, :, b, :], W[:, b, :], axes=([1], [0]))  # (n, r, q)
            if j == self.n - 1:
                T[j] = M.reshape(n_, 2, r * q)
                break
            mat = M.reshape(n_ * 2, r * q)
            # left singular vectors from the small Gram matrix (2n x 2n) instead of an SVD of
            # the wide (2n x r q) matrix: 3-4x cheaper, and exact enough for this intermediate cut
            w, u = np.linalg.eigh(mat @ mat.conj().T)
            w, u = np.clip(w[::-1], 0.0, None), u[:, ::-1]
            keep = keep_count(np.sqrt(w), zb, zip_cutoff)
            if keep < w.size and w.sum() > 0:
                self._book(float(w[keep:].sum() / w.sum()))
            T[j] = u[:, :keep].reshape(n_, 2, keep)
            L = (u[:, :keep].conj().T @ mat).reshape(keep, r, q)
        self.center = self.n - 1
        self.normalize()
        self.truncate_right_to_left(max_bond, cutoff)

    # -- measurements ---------------------------------------------------------------------
    def expectation_diagonal(self, mpo: list[np.ndarray]) -> complex:
        """``<psi| W |psi>`` for a diagonal MPO ``W[j][k, b, k']`` (e.g. H_z as a tensor train)."""
        env = np.ones((1, 1, 1), dtype=np.complex128)  # (bra bond, mpo bond, ket bond)
        for A, W in zip(self.tensors, mpo):
            new = 0
            for b in (0, 1):
                x = np.tensordot(env, A[:, b, :], axes=([2], [0]))  # (l*, k, r)
                x = np.tensordot(x, W[:, b, :], axes=([1], [0]))  # (l*, r, q)
                new = new + np.tensordot(A[:, b, :].conj(), x, axes=([0], [0]))  # (r*, r, q)
            env = new.transpose(0, 2, 1)
        return complex(env.reshape(-1)[0])

    def counter_distribution(self, structure) -> np.ndarray:
        """Exact probability of each final value of a linear form (a :class:`CounterStructure`)."""
        env = np.ones((1, 1, 1), dtype=np.complex128)  # (values, bra bond, ket bond)
        for j, A in enumerate(self.tensors):
            dst = structure.dst[j]
            new = np.zeros((len(structure.values[j + 1]), A.shape[2], A.shape[2]), dtype=np.complex128)
            for b in (0, 1):
                Ab = A[:, b, :]
                y = np.tensordot(env, Ab, axes=([2], [0]))  # (v, x, r')
                z = np.tensordot(Ab.conj(), y, axes=([0], [1]))  # (r, v, r')
                np.add.at(new, dst[:, b], z.transpose(1, 0, 2))
            env = new
        return env[:, 0, 0].real

    def norm_squared(self) -> float:
        env = np.ones((1, 1), dtype=np.complex128)
        for A in self.tensors:
            env = np.einsum("xy,xbr,ybs->rs", env, A.conj(), A)
        return float(env[0, 0].real)

    def amplitudes(self, bits: np.ndarray) -> np.ndarray:
        """<z|psi> for each row of ``bits`` (R, n)."""
        R = bits.shape[0]
        env = np.ones((R, 1), dtype=np.complex128)
        for j, A in enumerate(self.tensors):
            env = np.einsum("rl,rlm->rm", env, A[:, bits[:, j], :].transpose(1, 0, 2))
        return env[:, 0]

    def sample(self, num: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``num`` bit strings (num, n) from |psi|^2, all at once, site by site."""
        self.move_center(0)
        self.normalize()
        bits = np.zeros((num, self.n), dtype=np.int8)
        env = np.ones((num, 1), dtype=np.complex128)
        for j, A in enumerate(self.tensors):
            amp = np.einsum("rl,lbm->rbm", env, A)  # (num, 2, right)
            w = (np.abs(amp) ** 2).sum(axis=2)
            p1 = w[:, 1] / w.sum(axis=1)
            b = (rng.random(num) < p1).astype(np.int8)
            bits[:, j] = b
            chosen = amp[np.arange(num), b]
            env = chosen / np.sqrt(w[np.arange(num), b])[:, None]
        return bits

    # -- the term-by-term route (kept for comparison) ------------------------------------
    def apply_zstring(self, sites: tuple[int, ...], theta: float, max_bond: int, cutoff: float) -> None:
        """Apply ``exp(-i theta prod_{i in sites} s_i)`` with s = +1 for bit 1, then recompress.

        One bond-2 "parity" MPO across the span of ``sites``: the route the annealer took before
        the cost was built as one MPO (``cost_mpo="terms"``).
        """
        a, c = sites[0], sites[-1]
        if a == c:
            self.apply_1site(a, np.diag([np.exp(1j * theta), np.exp(-1j * theta)]))
            return
        self.move_center(a)
        inS = set(sites)
        T = self.tensors
        flip = np.array([1, 0])  # a spin -1 (bit 0) toggles the parity
        for j in range(a, c + 1):
            A = T[j]
            l, d, r = A.shape
            toggles = flip if j in inS else np.zeros(2, dtype=int)
            if j == a:
                B = np.zeros((l, d, r, 2), dtype=np.complex128)
                for b in range(2):
                    B[:, b, :, toggles[b]] = A[:, b, :]
                T[j] = B.reshape(l, d, 2 * r)
            elif j < c:
                B = np.zeros((l, 2, d, r, 2), dtype=np.complex128)
                for p in range(2):
                    for b in range(2):
                        B[:, p, b, :, p ^ toggles[b]] = A[:, b, :]
                T[j] = B.reshape(l * 2, d, r * 2)
            else:
                B = np.zeros((l, 2, d, r), dtype=np.complex128)
                for p in range(2):
                    for b in range(2):
                        parity = p ^ toggles[b]
                        B[:, p, b, :] = A[:, b, :] * np.exp(-1j * theta * (1 - 2 * parity))
                T[j] = B.reshape(l * 2, d, r)
        # left-to-right QR over the span, then truncating SVDs right-to-left: centre ends at a
        for j in range(a, c):
            l, d, r = T[j].shape
            q, rr = np.linalg.qr(T[j].reshape(l * d, r))
            T[j] = q.reshape(l, d, q.shape[1])
            T[j + 1] = np.tensordot(rr, T[j + 1], axes=(1, 0))
        for j in range(c, a, -1):
            l, d, r = T[j].shape
            u, s, vh = _svd(T[j].reshape(l, d * r))
            keep = keep_count(s, max_bond, cutoff)
            w = s * s
            self._book(float(w[keep:].sum() / max(w.sum(), 1e-300)))
            T[j] = vh[:keep].reshape(keep, d, r)
            T[j - 1] = np.tensordot(T[j - 1], u[:, :keep] * s[:keep], axes=(2, 0))
        self.center = a
        self.normalize()


# -- quimb interop (the tn extra): for cross-checks and for quimb's own algorithms ------------------
def to_quimb(psi: MPS):
    """The MPS as a ``quimb.tensor.MatrixProductState`` (site j's index ``k{j}`` = bit of variable j)."""
    import quimb.tensor as qtn

    n = psi.n
    arrays = []
    for j, t in enumerate(psi.tensors):
        if n == 1:
            arrays.append(t[0, :, 0])
        elif j == 0:
            arrays.append(t[0].T)  # (right, phys)
        elif j == n - 1:
            arrays.append(t[:, :, 0])  # (left, phys)
        else:
            arrays.append(t.transpose(0, 2, 1))  # (left, right, phys)
    return qtn.MatrixProductState(arrays, shape="lrp")


def diagonal_mpo_to_quimb(mpo: list[np.ndarray]):
    """A diagonal MPO ``W[j][k, b, k']`` as a ``quimb.tensor.MatrixProductOperator``."""
    import quimb.tensor as qtn

    n = len(mpo)
    arrays = []
    for j, W in enumerate(mpo):
        k, _, q = W.shape
        full = np.zeros((k, q, 2, 2), dtype=W.dtype)
        full[:, :, 0, 0] = W[:, 0, :]
        full[:, :, 1, 1] = W[:, 1, :]
        if n == 1:
            arrays.append(full[0, 0])
        elif j == 0:
            arrays.append(full[0])
        elif j == n - 1:
            arrays.append(full[:, 0])
        else:
            arrays.append(full)
    return qtn.MatrixProductOperator(arrays, shape="lrud")
