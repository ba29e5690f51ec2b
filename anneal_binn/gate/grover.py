"""Amplitude amplification on the landscape state (seed 003, Fawaz et al.).

The landscape state is ``A|0> = 2^{-N/2} sum_w |w>|O_w>``; an oracle marks the target
configurations (100 % training accuracy, or loss <= a threshold). With ``M`` of ``2**N``
configurations marked, ``sin^2(theta) = M / 2**N`` and after ``k`` Grover iterations the
probability of measuring a marked one is ``sin^2((2k+1) theta)``.

Simulation is exact on the two-dimensional marked subspace (any N the landscape allows); a
full statevector simulation on the weight register (oracle as a sign flip, diffusion
``2|u><u| - I``) checks it for small N, and :mod:`anneal_binn.gate.qbnn_circuit` checks it once
more against the explicit QBNN circuit of section 4.3.

For an unknown number of solutions the Boyer-Brassard-Hoyer-Tapp (BBHT) schedule is used:
``schedule="paper"`` is seed 003's reading of it (step ``n = 0, 1, 2, ...``: draw ``k`` uniformly
from ``0..n``, run ``k`` iterations, measure); ``schedule="bbht"`` is BBHT's Theorem 3
(``m = 1``, ``k`` uniform in ``0..ceil(m)-1``, ``m <- min(6/5 m, sqrt(2**N))``).

Examples:
    >>> import numpy as np
    >>> C = np.zeros(256); C[np.arange(8) * 32] = -1.0        # 8 marked of 256
    >>> g = LandscapeGrover(C, threshold=-1.0)
    >>> g.num_marked, round(g.marked_fraction, 5)
    (8, 0.03125)
    >>> round(float(g.success_probability(4)), 4), g.optimal_iterations()
    (0.9992, 4)
    >>> classical_steps(8 / 256, 0.9), classical_steps(8 / 256, 0.9, population=256)
    (73, 64)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anneal_binn.gate.circuits import bits_of_indices
from anneal_binn.gate.statevector import check_cost


def grover_probability(k, marked_fraction: float):
    """``sin^2((2k+1) theta)`` with ``sin^2 theta = marked_fraction`` (vectorized over ``k``)."""
    if not 0.0 <= marked_fraction <= 1.0:
        raise ValueError(f"marked_fraction: must lie in [0, 1], got {marked_fraction}")
    theta = np.arcsin(np.sqrt(marked_fraction))
    return np.sin((2 * np.asarray(k) + 1) * theta) ** 2


def classical_steps(marked_fraction: float, confidence: float = 0.9, population: int | None = None) -> int:
    """Fewest classical random guesses that find a marked configuration with ``confidence``.

    With replacement (``population=None``): the smallest ``t`` with ``1 - (1-p)^t >= confidence``.
    Without replacement (brute force in random order over ``population`` configurations of
    which ``p * population`` are marked): the smallest ``t`` with
    ``1 - C(P-M, t) / C(P, t) >= confidence``.

    Seed 003 quotes 28 and 57 steps for 8/256 and 4/256 marked; those equal
    ``floor(0.9 / p)``, i.e. they treat the expected number of hits ``t p`` as the success
    probability. The correct figures are 73 and 147 (with replacement) or 64 and 112
    (without).
    """
    if not 0.0 < marked_fraction <= 1.0:
        raise ValueError(f"marked_fraction: must lie in (0, 1], got {marked_fraction}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence: must lie in (0, 1), got {confidence}")
    if population is None:
        return int(np.ceil(np.log1p(-confidence) / np.log1p(-marked_fraction) - 1e-12)) if marked_fraction < 1 else 1
    m = int(round(marked_fraction * population))
    fail = 1.0
    for t in range(1, population + 1):
        fail *= (population - m - (t - 1)) / (population - (t - 1))
        if 1.0 - fail >= confidence:
            return t
    return population


@dataclass(frozen=True)
class BBHTRun:
    """One run of the search: measurement steps, total Grover iterations, found configuration."""

    steps: int
    iterations: int
    index: int
    success: bool


class LandscapeGrover:
    """Amplitude amplification of the configurations with ``cost <= threshold``.

    Args:
        cost: landscape ``C`` (length ``2**N``; bit ``i`` of the index = variable ``i``).
        threshold: configurations with ``C <= threshold`` are marked; default: the minimum
            (for a 0-1 loss with zero minimum that is "100 % training accuracy").
        atol: tolerance of the comparison.
    """

    def __init__(self, cost, threshold: float | None = None, atol: float = 1e-9):
        self.cost = check_cost(cost)
        self.num_qubits = self.cost.size.bit_length() - 1
        self.threshold = float(self.cost.min()) if threshold is None else float(threshold)
        self.marked = self.cost <= self.threshold + atol
        self.marked_indices = np.flatnonzero(self.marked)
        self.num_marked = int(self.marked_indices.size)
        if self.num_marked == 0:
            raise ValueError(f"threshold: no configuration has cost <= {self.threshold}; the minimum is {self.cost.min()}")
        self.marked_fraction = self.num_marked / self.cost.size
        self.theta = float(np.arcsin(np.sqrt(self.marked_fraction)))

    def success_probability(self, k) -> np.ndarray:
        """Probability of measuring a marked configuration after ``k`` iterations (subspace, exact)."""
        return grover_probability(k, self.marked_fraction)

    def optimal_iterations(self) -> int:
        """``round(pi / (4 theta) - 1/2)``, the first maximum of the success probability."""
        return int(max(0, round(np.pi / (4 * self.theta) - 0.5)))

    def statevector(self, k: int) -> np.ndarray:
        """Full real statevector on the weight register after ``k`` iterations (checks the subspace formula).

        ``Q = -A S_0 A^dag S_chi`` with ``A = H^{(x)N}``: sign flip of the marked amplitudes, then
        reflection about the uniform state.
        """
        if self.num_qubits > 26:
            from anneal_binn.errors import TooLargeError

            raise TooLargeError(f"statevector of {self.num_qubits} qubits needs {8 * 2.0**self.num_qubits / 2**30:.0f} GiB")
        d = self.cost.size
        psi = np.full(d, 1.0 / np.sqrt(d))
        sign = np.where(self.marked, -1.0, 1.0)
        for _ in range(int(k)):
            psi *= sign
            psi = 2.0 * psi.mean() - psi
        return psi

    def sample(self, k: int, shots: int = 1, rng=None) -> np.ndarray:
        """Measure after ``k`` iterations: ``shots`` configuration indices.

        Exact on the subspace: marked with probability ``sin^2((2k+1)theta)``, then uniform
        within the marked (or unmarked) set, as the amplitudes within each set stay equal.
        """
        rng = np.random.default_rng(rng)
        hit = rng.random(shots) < self.success_probability(k)
        out = np.empty(shots, dtype=np.int64)
        out[hit] = rng.choice(self.marked_indices, size=int(hit.sum()))
        unmarked = int((~hit).sum())
        if unmarked:
            # rejection sampling avoids materialising the (large) unmarked index list
            draws = []
            while sum(len(x) for x in draws) < unmarked:
                cand = rng.integers(self.cost.size, size=2 * unmarked + 8)
                draws.append(cand[~self.marked[cand]])
            out[~hit] = np.concatenate(draws)[:unmarked]
        return out

    def bbht_run(self, rng, schedule: str = "paper", max_steps: int = 10_000) -> BBHTRun:
        """One search with an unknown number of solutions (see the module docstring)."""
        if schedule not in ("paper", "bbht"):
            raise ValueError(f"schedule: choose 'paper' or 'bbht', got {schedule!r}")
        m = 1.0
        total = 0
        for step in range(1, max_steps + 1):
            if schedule == "paper":
                k = int(rng.integers(0, step))  # step n = step-1: k uniform in 0..n
            else:
                k = int(rng.integers(0, int(np.ceil(m))))
                m = min(1.2 * m, np.sqrt(self.cost.size))
            total += k
            idx = int(self.sample(k, 1, rng)[0])
            if self.marked[idx]:
                return BBHTRun(step, total, idx, True)
        return BBHTRun(max_steps, total, -1, False)

    def bbht(self, runs: int = 100, seed=None, schedule: str = "paper") -> list[BBHTRun]:
        """``runs`` independent searches (seed 003 Fig. 5 uses 100)."""
        rng = np.random.default_rng(seed)
        return [self.bbht_run(rng, schedule) for _ in range(runs)]

    def bbht_exact_cdf(self, max_steps: int = 50, schedule: str = "paper") -> np.ndarray:
        """Exact probability that the ``paper`` schedule has succeeded within ``s`` steps, ``s = 1..max_steps``."""
        if schedule != "paper":
            raise ValueError("bbht_exact_cdf: only the 'paper' schedule has a closed form here")
        fail = 1.0
        out = np.empty(max_steps)
        for s in range(1, max_steps + 1):
            p = float(self.success_probability(np.arange(s)).mean())
            fail *= 1.0 - p
            out[s - 1] = 1.0 - fail
        return out

    def bits(self, indices) -> np.ndarray:
        """Configuration indices -> (S, N) bits."""
        return bits_of_indices(indices, self.num_qubits)


def cumulative_success(runs: list[BBHTRun], max_steps: int | None = None) -> np.ndarray:
    """Fraction of runs that had succeeded by step ``s``, ``s = 1..max_steps``."""
    steps = np.array([r.steps if r.success else np.inf for r in runs])
    top = int(max_steps or np.nanmax(np.where(np.isfinite(steps), steps, 0)))
    return np.array([(steps <= s).mean() for s in range(1, top + 1)])


def steps_to_confidence(curve: np.ndarray, confidence: float = 0.9) -> int:
    """First step (1-based) at which a cumulative success curve exceeds ``confidence``; -1 if never."""
    hit = np.flatnonzero(np.asarray(curve) > confidence)
    return int(hit[0] + 1) if hit.size else -1
