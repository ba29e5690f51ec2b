"""``mps-qa``: quantum annealing simulated with matrix product states, N up to ~100.

The digitized evolution of Lami et al., SciPost Phys. 14, 117 (2023): each time step is the
second-order Trotter step ``Ux(dt/2) Uz(dt) Ux(dt/2)`` used by ``statevector-qa``'s
``method="trotter"``, with

- ``Ux = prod_i exp(+i dt A(s)/2 X_i)``: single-site gates, no bond growth;
- ``Uz = exp(-i dt B(s)/2 H_problem)``: ``H_problem`` in SPIN form is a sum of Z-strings
  ``c_S prod_{i in S} s_i``, and each factor ``exp(-i theta prod s_i)`` is applied exactly as a
  bond-dimension-2 "parity" MPO across the span of ``S`` (the running parity of the spins in
  ``S`` rides on the bond), then the span is recompressed by SVD to ``max_bond``.

The state stays in mixed canonical form (an orthogonality centre that moves along with the
gates), so every truncation is locally optimal and sampling needs no environment contraction:
reads are drawn site by site, all at once, in O(reads x N x max_bond^2). ``max_bond`` is the
accuracy knob; ``info["truncation_error"]`` is the summed discarded weight.

Examples:
    >>> import dimod
    >>> poly = dimod.BinaryPolynomial({(0, 1): -1.0, (1, 2, 3): 0.5, (2,): 0.3}, "SPIN")
    >>> ss = MPSAnnealer().sample_poly(poly, annealing_time=10.0, num_reads=20, seed=0, max_bond=8)
    >>> 0.0 <= ss.info["ground_state_probability"] <= 1.0
    True
"""
from __future__ import annotations

from typing import Any

import dimod
import numpy as np

from anneal_binn.solvers._common import PolyAnnealerBase, as_polynomial, check_num_reads, make_rng, ordered_variables, sampleset
from anneal_binn.solvers.schedule import resolve

EXACT_GROUND_LIMIT = 20  # compute the exact ground-state probability up to this many variables


class MPS:
    """A qubit MPS in mixed canonical form: ``tensors[j]`` has shape (left, 2, right).

    Physical index ``b`` of site ``j`` is bit ``b`` of variable ``j`` (spin ``2b - 1``).
    """

    def __init__(self, tensors: list[np.ndarray], center: int = 0):
        self.tensors = tensors
        self.center = center
        self.truncation_error = 0.0

    @classmethod
    def product(cls, vectors: np.ndarray) -> "MPS":
        """Product state from (n, 2) single-site amplitudes."""
        return cls([np.asarray(v, dtype=np.complex128).reshape(1, 2, 1) for v in vectors], 0)

    @property
    def n(self) -> int:
        return len(self.tensors)

    @property
    def max_bond_dimension(self) -> int:
        # an MPS of no sites (a model without variables) is the scalar 1: bond dimension 1
        return max((t.shape[2] for t in self.tensors), default=1)

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

    def apply_1site(self, j: int, gate: np.ndarray) -> None:
        """Apply a 2x2 unitary at site ``j`` (canonical form is kept)."""
        self.tensors[j] = np.einsum("ab,lbr->lar", gate, self.tensors[j])

    def apply_zstring(self, sites: tuple[int, ...], theta: float, max_bond: int, cutoff: float) -> None:
        """Apply ``exp(-i theta prod_{i in sites} s_i)`` with s = +1 for bit 1, then recompress."""
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
            u, s, vh = np.linalg.svd(T[j].reshape(l, d * r), full_matrices=False)
            keep = _keep(s, max_bond, cutoff)
            self.truncation_error += float((s[keep:] ** 2).sum() / max((s**2).sum(), 1e-300))
            T[j] = vh[:keep].reshape(keep, d, r)
            T[j - 1] = np.tensordot(T[j - 1], u[:, :keep] * s[:keep], axes=(2, 0))
        self.center = a
        # renormalize at the centre (truncation discards weight)
        T[a] /= np.linalg.norm(T[a])

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


def _keep(s: np.ndarray, max_bond: int, cutoff: float) -> int:
    total = (s**2).sum()
    if total == 0:
        return 1
    tail = np.cumsum((s**2)[::-1])[::-1] / total  # tail[k] = weight discarded if we keep k
    keep = int(np.count_nonzero(tail > cutoff))
    return max(1, min(max_bond, keep))


def spin_terms(poly: dimod.BinaryPolynomial, variables: list) -> tuple[float, list[tuple[tuple[int, ...], float]]]:
    """(constant, [(sorted site indices, coefficient)]) of ``poly`` in SPIN form (s = 2x - 1)."""
    spin = poly if poly.vartype is dimod.SPIN else poly.to_spin(copy=True)
    index = {v: i for i, v in enumerate(variables)}
    const = 0.0
    terms: dict[tuple[int, ...], float] = {}
    for term, bias in spin.items():
        if not term:
            const += float(bias)
            continue
        key = tuple(sorted(index[v] for v in term))
        terms[key] = terms.get(key, 0.0) + float(bias)
    return const, sorted((k, c) for k, c in terms.items() if c != 0.0)


class MPSAnnealer(PolyAnnealerBase):
    """Matrix-product-state simulation of a quantum anneal of a HUBO or BQM.

    Args:
        **defaults: default values for :meth:`sample_poly` parameters.

    Examples:
        >>> import dimod
        >>> bqm = dimod.BinaryQuadraticModel({0: -1.0}, {(0, 1): -1.0}, 0.0, "BINARY")
        >>> ss = MPSAnnealer().sample(bqm, annealing_time=20.0, num_reads=10, seed=0)
        >>> float(ss.first.energy)
        -2.0
    """

    _params = ("num_reads", "seed", "annealing_time", "anneal_schedule", "schedule", "num_steps", "max_bond",
               "cutoff", "auto_scale", "initial_state")

    def __init__(self, **defaults: Any):
        self.defaults = dict(defaults)
        self._validate_names(self.defaults)

    @property
    def properties(self) -> dict:
        return {"method": "digitized TEBD-style MPS (Lami et al. 2023)"}

    def sample_poly(self, polynomial: dimod.BinaryPolynomial, **kwargs: Any) -> dimod.SampleSet:
        """Simulate the anneal with MPS and sample the final state.

        Args:
            polynomial: HUBO (BINARY or SPIN); samples come back in its vartype.
            num_reads: samples drawn from the final MPS (default 100).
            seed: seed of the sampling (the evolution is deterministic).
            annealing_time, anneal_schedule, schedule, auto_scale, initial_state: as for ``statevector-qa``.
            num_steps: Trotter steps (default 200).
            max_bond: largest bond dimension kept (default 32).
            cutoff: discarded weight allowed per truncation (default 1e-12).

        Returns:
            SampleSet; ``info`` holds ``truncation_error``, ``max_bond_dimension`` and, up to 20
            variables, the exact ``ground_state_probability`` of the final MPS.
        """
        self._validate_names(kwargs)
        opts = {**self.defaults, **kwargs}
        poly = as_polynomial(polynomial)
        variables = ordered_variables(poly.variables)
        n = len(variables)
        num_reads = check_num_reads(opts.get("num_reads"), default=100)
        rng = make_rng(opts.get("seed"))
        sch, path = resolve(opts.get("schedule"), opts.get("annealing_time"), opts.get("anneal_schedule"))
        num_steps = int(opts.get("num_steps", 200))
        max_bond = int(opts.get("max_bond", 32))
        if max_bond < 1:
            raise ValueError(f"max_bond: must be a positive int, got {max_bond}")
        cutoff = float(opts.get("cutoff", 1e-12))
        _, terms = spin_terms(poly, variables)
        scale = max((abs(c) for _, c in terms), default=1.0) if opts.get("auto_scale", True) else 1.0
        if path.reverse:
            from anneal_binn.solvers.statevector_qa import classical_bits

            bits = classical_bits(opts.get("initial_state"), variables, poly.vartype)
            mps = MPS.product(np.eye(2)[bits])
        else:
            if opts.get("initial_state") is not None:
                raise ValueError("initial_state: only a reverse anneal (anneal_schedule starting at s=1) takes one")
            mps = MPS.product(np.full((n, 2), 2**-0.5))
        u = sch.phase_per_unit
        dts, mids = path.steps(num_steps)
        for dt, s in zip(dts, mids):
            A, B = sch(s)
            half = _x_gate(u * dt * A / 4)
            for j in range(n):
                mps.apply_1site(j, half)
            for sites, c in terms:
                mps.apply_zstring(sites, u * dt * B / 2 * c / scale, max_bond, cutoff)
            for j in range(n):
                mps.apply_1site(j, half)
        bits = mps.sample(num_reads, rng)
        samples = 2 * bits - 1 if poly.vartype is dimod.SPIN else bits
        from anneal_binn.solvers._common import CompiledPolynomial

        cp = CompiledPolynomial.from_polynomial(poly)
        energies = cp.energies(samples)
        info = {
            "truncation_error": mps.truncation_error,
            "max_bond_dimension": mps.max_bond_dimension,
            "max_bond": max_bond,
            "problem_scale": scale,
            "schedule": sch.name,
            "anneal_schedule": [list(p) for p in path.points],
            "num_steps": int(len(dts)),
        }
        if n <= EXACT_GROUND_LIMIT:
            from anneal_binn.polynomial import dense_energies

            E = dense_energies(poly, variables, limit=EXACT_GROUND_LIMIT)
            emin = float(E.min())
            ground = np.flatnonzero(E <= emin + 1e-9 * max(1.0, abs(emin)))
            gbits = ((ground[:, None] >> np.arange(n)) & 1).astype(np.int8)
            info["ground_state_probability"] = float((np.abs(mps.amplitudes(gbits)) ** 2).sum())
            info["ground_energy"] = emin
        return sampleset(samples, energies, variables, poly.vartype, info)


def _x_gate(phi: float) -> np.ndarray:
    """exp(+i phi X)."""
    return np.array([[np.cos(phi), 1j * np.sin(phi)], [1j * np.sin(phi), np.cos(phi)]])
