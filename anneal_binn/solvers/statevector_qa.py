"""``statevector-qa``: quantum annealing simulated exactly on the full 2^N state vector (N <= ~26).

Evolves ``|psi>`` under ``H(s) = -A(s)/2 sum_i X_i + B(s)/2 H_problem`` along an anneal path
(forward, with pauses, or reverse), then draws ``num_reads`` samples from ``|psi|^2``.
``H_problem`` is the HUBO's energy diagonal (bit i of a basis index = variable i = 1, i.e.
spin +1), shifted to zero mean and, with ``auto_scale``, divided by its largest spin-form
coefficient, as a QPU's auto-scaling would.

Three propagators:
- ``"expm"`` (default): each time step applies ``exp(-i dt H(s_mid))`` with
  :func:`scipy.sparse.linalg.expm_multiply` on ``H`` as a sparse matrix (truncated Taylor series
  to double precision), so the only approximation is freezing ``H`` over a step (error O(dt^2)
  per step; raise ``num_steps`` to converge). Faster than ``"krylov"`` from N=12 on, ~3x at
  N=14-16, with states equal to 2e-11 (``python benchmarks/expm.py 12 14 16``).
- ``"krylov"``: the same step by the package's own Lanczos exponential (:func:`expm_krylov`,
  to 1e-10), matrix-free; kept as an independent check of ``"expm"``.
- ``"trotter"``: the gate layers of :func:`~anneal_binn.solvers.schedule.protocol` that
  ``mps-qa`` applies (second-order ``Ux(dt/2) Uz(dt) Ux(dt/2)`` steps for continuous schedules),
  so the two can be compared gate for gate. It is the only method, and the default, of the
  digitized protocol of Lami et al. (``schedule="digitized"``, ``num_steps`` = P,
  ``time_step`` = dt): ``prod_p exp(-i beta_p H_x) exp(-i gamma_p H_z) |+>``, H_z as given.

Size: the limit is memory (:func:`memory_needed`, by method, against ``max_memory_gib``), not
a number of variables: N = 21 runs in 128 MiB with ``trotter`` and 1.6 GiB with ``expm``.
Besides polynomials, :meth:`StatevectorAnnealer.sample_cost` anneals a
:class:`~anneal_binn.tensor_network.StabilityCost` (the perceptron of Lami et al.) from its
energies, with no HUBO expansion.

Examples:
    >>> import dimod
    >>> poly = dimod.BinaryPolynomial({(0, 1): -1.0, (0,): 0.5}, "SPIN")
    >>> ss = StatevectorAnnealer().sample_poly(poly, annealing_time=20.0, num_reads=50, seed=1)
    >>> ss.info["ground_state_probability"] > 0.9
    True
"""
from __future__ import annotations

from typing import Any

import dimod
import numpy as np

from anneal_binn.errors import TooLargeError
from anneal_binn.solvers._common import (
    PolyAnnealerBase,
    ProblemCostMixin,
    as_polynomial,
    check_num_reads,
    make_rng,
    ordered_variables,
    sampleset,
)
from anneal_binn.solvers.schedule import protocol

KRYLOV_DIM = 30


def apply_x_sum(psi: np.ndarray, n: int) -> np.ndarray:
    """sum_i X_i |psi> (X_i flips bit i of the basis index)."""
    out = np.zeros_like(psi)
    for i in range(n):  # X_i swaps the halves where bit i is 0 and 1
        v = psi.reshape(-1, 2, 1 << i)
        o = out.reshape(-1, 2, 1 << i)
        o[:, 0, :] += v[:, 1, :]
        o[:, 1, :] += v[:, 0, :]
    return out


def apply_x_rotation(psi: np.ndarray, n: int, phi: float) -> np.ndarray:
    """prod_i exp(+i phi X_i) |psi>, in place (each factor is cos(phi) + i sin(phi) X_i)."""
    c, s = np.cos(phi), 1j * np.sin(phi)
    for i in range(n):
        v = psi.reshape(-1, 2, 1 << i)
        a = v[:, 0, :].copy()
        v[:, 0, :] = c * a + s * v[:, 1, :]
        v[:, 1, :] = s * a + c * v[:, 1, :]
    return psi


def expm_krylov(matvec, v: np.ndarray, tau: float, m: int = KRYLOV_DIM, tol: float = 1e-10) -> np.ndarray:
    """exp(-i tau H) v for Hermitian H given by ``matvec``.

    Lanczos with an a-posteriori error estimate checked as the basis grows, so a short step
    stops after a handful of matrix-vector products; if ``m`` vectors do not reach ``tol`` the
    step is split in two.
    """
    norm = np.linalg.norm(v)
    if norm == 0 or tau == 0:
        return v.copy()
    V = np.empty((m + 1, v.size), dtype=np.complex128)
    V[0] = v / norm
    alpha = np.zeros(m)
    beta = np.zeros(m)
    coef = np.ones(1, dtype=np.complex128)
    for j in range(m):
        w = matvec(V[j])
        alpha[j] = np.vdot(V[j], w).real
        w -= alpha[j] * V[j]
        if j:
            w -= beta[j - 1] * V[j - 1]
        # one extra Gram-Schmidt pass against the last two vectors keeps the short basis orthogonal
        w -= np.vdot(V[j], w) * V[j]
        beta[j] = np.linalg.norm(w)
        k = j + 1
        T = np.diag(alpha[:k]) + np.diag(beta[: k - 1], 1) + np.diag(beta[: k - 1], -1)
        evals, evecs = np.linalg.eigh(T)
        coef = evecs @ (np.exp(-1j * tau * evals) * evecs[0].conj())
        if beta[j] < 1e-13 or abs(beta[j] * coef[-1]) < tol:
            return norm * (V[:k].T @ coef)
        V[j + 1] = w / beta[j]
    half = expm_krylov(matvec, v, tau / 2, m, tol)
    return expm_krylov(matvec, half, tau / 2, m, tol)


def x_sum_matrix(n: int):
    """``sum_i X_i`` over ``n`` qubits as a CSR matrix (``n`` ones per row; bit i = qubit i).

    Examples:
        >>> x_sum_matrix(2).toarray().tolist()
        [[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]]
    """
    import scipy.sparse as sp

    idx = np.arange(1 << n, dtype=np.int64)
    rows = np.tile(idx, n)
    cols = np.concatenate([idx ^ (1 << i) for i in range(n)]) if n else idx[:0]
    return sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(1 << n, 1 << n))


def expm_step(x_sum, diag: np.ndarray, A: float, B: float, tau: float, psi: np.ndarray) -> np.ndarray:
    """``exp(-i tau H) psi`` for ``H = B/2 diag - A/2 x_sum`` by :func:`scipy.sparse.linalg.expm_multiply`.

    The trace is passed in closed form (``x_sum`` is traceless), which spares scipy its estimate.

    Examples:
        >>> psi = expm_step(x_sum_matrix(1), np.zeros(2), 2.0, 0.0, np.pi / 2, np.array([1, 0], complex))
        >>> np.round(np.abs(psi) ** 2, 12).tolist()   # exp(i pi/2 X) flips the qubit
        [0.0, 1.0]
    """
    import scipy.sparse as sp
    from scipy.sparse.linalg import expm_multiply

    H = (sp.diags((B / 2) * diag) - (A / 2) * x_sum).tocsr()
    return expm_multiply((-1j * tau) * H, psi, traceA=complex(-1j * tau * (B / 2) * diag.sum()))


def min_gap(diag: np.ndarray, n: int, sch, degeneracy: int, points: int) -> tuple[float, float]:
    """(min over s of E_degeneracy(s) - E_0(s), the s where it occurs) along the schedule."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    k = degeneracy + 1
    best, where = np.inf, 0.0
    size = diag.size
    for s in np.linspace(0.0, 1.0, points):
        A, B = sch(s)
        if size <= 256:
            H = np.diag(B / 2 * diag).astype(np.float64)
            for i in range(n):
                idx = np.arange(size)
                H[idx ^ (1 << i), idx] += -A / 2
            vals = np.linalg.eigvalsh(H)[:k]
        else:
            op = LinearOperator((size, size), dtype=np.float64,
                                matvec=lambda v, A=A, B=B: (B / 2) * diag * v.ravel() - (A / 2) * apply_x_sum(v.ravel(), n))
            vals = np.sort(eigsh(op, k=min(k, size - 1), which="SA", return_eigenvectors=False, tol=1e-8))
        gap = float(vals[-1] - vals[0]) if len(vals) >= k else np.inf
        if gap < best:
            best, where = gap, float(s)
    return best, where


def memory_needed(n: int, method: str) -> int:
    """Bytes a run over ``n`` variables needs, by method.

    Every method holds the state, the energies, the H_problem diagonal and the final
    probabilities (~48 bytes per amplitude, 64 with temporaries). ``expm`` adds ``sum X_i`` and
    H(s) as CSR matrices (n and n + 1 entries a row, 12 and 20 bytes each) and ~6 work vectors
    of expm_multiply; ``krylov`` adds ``KRYLOV_DIM + 4`` Lanczos vectors; ``trotter`` (and the
    digitized protocol) applies its gates in place and needs nothing more.

    Examples:
        >>> memory_needed(21, "trotter") / 2**20
        128.0
    """
    base = 64 * 2**n
    if method == "expm":
        return base + 2**n * (12 * n + 20 * (n + 1) + 6 * 16)
    if method == "krylov":
        return base + (KRYLOV_DIM + 4) * 16 * 2**n
    return base


class StatevectorAnnealer(ProblemCostMixin, PolyAnnealerBase):
    """Exact (state-vector) simulation of a quantum anneal of a HUBO, a BQM or a stability cost.

    Args:
        max_variables: refuse larger problems before allocating (default None: no fixed limit).
        max_memory_gib: refuse a run whose memory estimate (:func:`memory_needed`, by method)
            exceeds this (default 8 GiB: N = 21 takes 1.6 GiB with ``expm``, 128 MiB with ``trotter``).
        **defaults: default values for :meth:`sample_poly` parameters.

    Examples:
        >>> import dimod
        >>> bqm = dimod.BinaryQuadraticModel({0: -1.0}, {(0, 1): -1.0}, 0.0, "BINARY")
        >>> ss = StatevectorAnnealer().sample(bqm, annealing_time=30.0, num_reads=10, seed=0)
        >>> sorted(ss.variables)
        [0, 1]
    """

    _params = ("num_reads", "seed", "annealing_time", "anneal_schedule", "schedule", "num_steps", "time_step",
               "method", "auto_scale", "initial_state", "compute_gap", "gap_points")

    def __init__(self, max_variables: int | None = None, max_memory_gib: float = 8.0, **defaults: Any):
        self.max_variables = None if max_variables is None else int(max_variables)
        self.max_memory_gib = float(max_memory_gib)
        self.defaults = dict(defaults)
        self._validate_names(self.defaults)

    @property
    def properties(self) -> dict:
        return {"max_variables": self.max_variables, "max_memory_gib": self.max_memory_gib}

    def sample_poly(self, polynomial: dimod.BinaryPolynomial, **kwargs: Any) -> dimod.SampleSet:
        """Simulate the anneal and sample the final state.

        Args:
            polynomial: HUBO (BINARY or SPIN); samples come back in its vartype.
            num_reads: samples drawn from the final state (default 100).
            seed: seed of the sampling (the evolution itself is deterministic).
            annealing_time: total time of a forward anneal (default 10 in schedule units).
            anneal_schedule: D-Wave style ``[(t, s), ...]`` path instead (pauses, reverse anneals).
            schedule: ``"linear"`` (default), a D-Wave CSV schedule file, a Schedule, ``{s, A, B}``,
                or ``"digitized"`` (the protocol of Lami et al.; with ``num_steps`` = P and
                ``time_step`` = dt) or a :class:`~anneal_binn.solvers.schedule.Digitized`.
            num_steps: time steps (default 200).
            time_step: the digitized protocol's dt.
            method: ``"expm"`` (default for continuous schedules, scipy's ``expm_multiply``),
                ``"krylov"`` (the package's Lanczos) or ``"trotter"`` (the gate layers that
                ``mps-qa`` applies; the only method of the digitized protocol, and its default).
            auto_scale: divide H_problem by its largest spin coefficient (default True; False for
                the digitized protocol, which applies H_z as given).
            initial_state: the classical start of a reverse anneal (mapping or sequence in sorted
                variable order, in the polynomial's vartype).
            compute_gap: also report the minimum spectral gap along the path (default False).
            gap_points: s values scanned for the gap (default 41).

        Returns:
            SampleSet with ``info``: ``ground_state_probability`` (exact, from the state),
            ``ground_energy``, ``expected_energy`` (exact ``<psi|H|psi>``), ``truncation_error``
            (0: nothing is truncated) and ``min_gap``/``min_gap_s`` when asked.
        """
        from anneal_binn.tensor_network.costs import PolynomialCost

        self._validate_names(kwargs)
        poly = as_polynomial(polynomial)
        variables = ordered_variables(poly.variables)
        opts = {**self.defaults, **kwargs}
        self._check_size(len(variables), self._method(opts))
        return self._run(PolynomialCost(poly, variables), opts)

    def sample_cost(self, cost, **kwargs: Any) -> dimod.SampleSet:
        """Anneal a :class:`~anneal_binn.tensor_network.StabilityCost`; as :meth:`sample_poly`."""
        self._validate_names(kwargs)
        opts = {**self.defaults, **kwargs}
        self._check_size(cost.num_variables, self._method(opts))
        return self._run(cost, opts)

    @staticmethod
    def _method(opts: dict) -> str:
        digitized = opts.get("schedule") == "digitized" or type(opts.get("schedule")).__name__ == "Digitized"
        method = opts.get("method")
        if method is None:
            return "trotter" if digitized else "expm"
        if method not in ("expm", "krylov", "trotter"):
            raise ValueError(f"method: must be 'expm', 'krylov' or 'trotter', got {method!r}")
        if digitized and method != "trotter":
            raise ValueError(f"method: the digitized protocol is a product of gate layers; it takes 'trotter', got {method!r}")
        return method

    def _check_size(self, n: int, method: str) -> None:
        need = memory_needed(n, method)
        too_many = self.max_variables is not None and n > self.max_variables
        if too_many or need > self.max_memory_gib * 2**30:
            limit = (f"the limit is {self.max_variables} variables" if too_many
                     else f"the limit is {self.max_memory_gib:g} GiB (max_memory_gib)")
            raise TooLargeError(
                f"statevector-qa over {n} variables with method={method!r} needs about {need / 2**30:,.1f} GiB "
                f"(2^{n} amplitudes{', H as a sparse matrix' if method == 'expm' else ''}); {limit}. "
                "Use mps-qa or sqa."
            )

    def _run(self, cost, opts: dict) -> dimod.SampleSet:
        variables = list(cost.variables)
        n = len(variables)
        method = self._method(opts)
        num_reads = check_num_reads(opts.get("num_reads"), default=100)
        rng = make_rng(opts.get("seed"))
        proto = protocol(opts)
        energies = np.asarray(cost.dense_energies(), dtype=np.float64)
        constant = float(energies.mean()) if energies.size else 0.0
        scale = cost.scale() if proto.auto_scale else 1.0
        diag = (energies - constant) / scale  # the mean only shifts a global phase
        psi = initial_state(n, proto.reverse, opts.get("initial_state"), variables, cost.vartype)
        if method == "trotter":
            for kind, angle in proto.layers:
                if kind == "x":
                    apply_x_rotation(psi, n, angle)
                else:
                    psi *= np.exp(-1j * angle * diag)
        else:
            sch = proto.schedule
            u = sch.phase_per_unit
            x_sum = x_sum_matrix(n) if method == "expm" else None  # built once, reused every step
            for dt, s in zip(*proto.steps):
                A, B = sch(s)
                if method == "expm":
                    psi = expm_step(x_sum, diag, A, B, u * dt, psi)
                else:
                    def matvec(v, A=A, B=B):
                        return (B / 2) * diag * v - (A / 2) * apply_x_sum(v, n)

                    psi = expm_krylov(matvec, psi, u * dt)
        probs = np.abs(psi) ** 2
        probs /= probs.sum()
        gap = {} if proto.digitized else self._gap_info(opts, diag, n, proto.schedule, energies)
        if proto.digitized and opts.get("compute_gap"):
            raise ValueError("compute_gap: the digitized protocol has no continuous H(s) to scan")
        return finish(probs, energies, variables, cost.vartype, num_reads, rng, info_extra=gap, scale=scale,
                      proto=proto, method=method)

    @staticmethod
    def _gap_info(opts, diag, n, sch, energies) -> dict:
        if not opts.get("compute_gap"):
            return {}
        degeneracy = int(np.count_nonzero(energies <= energies.min() + 1e-9 * max(1.0, abs(energies.min()))))
        gap, where = min_gap(diag, n, sch, degeneracy, int(opts.get("gap_points", 41)))
        return {"min_gap": gap * sch.phase_per_unit, "min_gap_s": where, "ground_degeneracy": degeneracy}


def initial_state(n: int, reverse: bool, state, variables: list, vartype) -> np.ndarray:
    """|+>^n for a forward anneal, or the given classical basis state for a reverse anneal."""
    if not reverse:
        if state is not None:
            raise ValueError("initial_state: only a reverse anneal (anneal_schedule starting at s=1) takes one")
        return np.full(1 << n, 2 ** (-n / 2), dtype=np.complex128)
    bits = classical_bits(state, variables, vartype)
    psi = np.zeros(1 << n, dtype=np.complex128)
    psi[int((bits.astype(np.int64) << np.arange(n)).sum())] = 1.0
    return psi


def classical_bits(state, variables: list, vartype) -> np.ndarray:
    """A classical state (mapping or sequence, in ``vartype``) as 0/1 bits in variable order."""
    if state is None:
        raise ValueError("initial_state: a reverse anneal (s starts at 1) needs the classical state to start from")
    if isinstance(state, dict):
        missing = [v for v in variables if v not in state]
        if missing:
            raise ValueError(f"initial_state: missing variables {missing[:5]}")
        vals = np.array([state[v] for v in variables])
    else:
        vals = np.asarray(state).ravel()
        if vals.size != len(variables):
            raise ValueError(f"initial_state: need {len(variables)} values, got {vals.size}")
    allowed = (-1, 1) if vartype is dimod.SPIN else (0, 1)
    if not np.isin(vals, allowed).all():
        raise ValueError(f"initial_state: values must be in {allowed}")
    return ((vals + 1) // 2 if vartype is dimod.SPIN else vals).astype(np.int8)


def finish(probs: np.ndarray, energies: np.ndarray, variables: list, vartype, num_reads: int,
           rng: np.random.Generator, info_extra: dict, scale: float, proto, method: str) -> dimod.SampleSet:
    """Sample the final distribution and assemble the SampleSet with its info."""
    n = len(variables)
    idx = rng.choice(probs.size, size=num_reads, p=probs)
    bits = ((idx[:, None] >> np.arange(n)) & 1).astype(np.int8)
    samples = 2 * bits - 1 if vartype is dimod.SPIN else bits
    emin = float(energies.min())
    ground = energies <= emin + 1e-9 * max(1.0, abs(emin))
    info = {
        "ground_state_probability": float(probs[ground].sum()),
        "ground_energy": emin,
        "expected_energy": float(probs @ energies),
        "truncation_error": 0.0,
        "problem_scale": scale,
        "method": method,
        **proto.info(),
        **info_extra,
    }
    return sampleset(samples, energies[idx], variables, vartype, info)
