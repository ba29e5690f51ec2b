"""Gate-model experiments of seeds 002-004, as functions returning plain records for notebooks.

* :func:`depth_study` - ``N_optim`` random initializations per circuit depth, the final
  ``E(theta)`` of each, the probability of ending within ``epsilon`` of the optimum and KDEs
  (seed 002 Figs. 2-4).
* :func:`overfitting_study` - mean training and validation ``E(theta)`` along training for
  several training-set sizes (seed 002 section II.7, Fig. 6).
* :func:`mps_sampling_study` - an MPS-simulated hypernetwork trained with SPSA/QN-SPSA on a
  problem of any size (seed 004's 66-qubit MNIST with an activation bit), then the test
  accuracy of the sampled nets and their mutual Hamming distances.
* :func:`grover_study` - success probability against ``k`` (checked three ways), BBHT
  cumulative success over 100 runs and the classical comparison (seed 003 Figs. 4-5).

Examples:
    >>> import numpy as np
    >>> C = np.random.default_rng(0).normal(size=2**6)
    >>> st = depth_study(C, depths=(0, 1), n_optim=8, seed=0, epsilon=1e-3)
    >>> sorted(st.success), st.energies[0].shape
    ([0, 1], (8,))
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from anneal_binn.gate.circuits import Ansatz
from anneal_binn.gate.hypernetwork import train
from anneal_binn.gate.optimize import adam
from anneal_binn.gate.statevector import StatevectorModel, check_cost
from anneal_binn.progress import progress


@dataclass(frozen=True)
class DepthStudy:
    """Outcome of :func:`depth_study`.

    Attributes:
        depths: layers studied (0 = product state).
        energies: depth -> final ``E(theta)`` of each initialization, shape (n_optim,).
        success: depth -> fraction of initializations with ``E - C_min < epsilon``.
        seconds: depth -> wall time of the training.
        nfev: depth -> mean energy+gradient evaluations per initialization.
        c_min: the optimum of ``C``.
        lowest_costs: the ``n_optim`` lowest values of ``C`` (the paper's "density of configurations").
        epsilon: the tolerance.
    """

    depths: tuple
    energies: dict
    success: dict
    seconds: dict
    nfev: dict
    c_min: float
    lowest_costs: np.ndarray
    epsilon: float

    def kde(self, grid=None, bandwidth=None) -> tuple[np.ndarray, dict]:
        """Gaussian KDEs of ``E(theta)`` per depth and of the lowest costs (key ``"C"``) on ``grid``."""
        from scipy.stats import gaussian_kde

        allv = np.concatenate([*self.energies.values(), self.lowest_costs])
        if grid is None:
            lo, hi = float(allv.min()), float(allv.max())
            pad = 0.05 * (hi - lo or 1.0)
            grid = np.linspace(lo - pad, hi + pad, 400)
        out = {}
        for key, vals in [*self.energies.items(), ("C", self.lowest_costs)]:
            vals = np.asarray(vals)
            if np.ptp(vals) < 1e-12:  # all equal: a narrow bump instead of a singular KDE
                width = 1e-3 * (grid[-1] - grid[0])
                out[key] = np.exp(-0.5 * ((grid - vals[0]) / width) ** 2) / (width * np.sqrt(2 * np.pi))
            else:
                out[key] = gaussian_kde(vals, bw_method=bandwidth)(grid)
        return grid, out


def depth_study(cost, depths=(0, 1, 2, 3, 4), n_optim: int = 200, epsilon: float = 0.03, seed=0,
                maxiter: int = 300, optimizer: str = "lbfgs", precision: str = "double") -> DepthStudy:
    """Train ``n_optim`` random initializations per depth (batched L-BFGS with the adjoint gradient).

    Args:
        cost: landscape ``C`` (``problem.landscape()``).
        depths: layers; 0 is the product state.
        n_optim: initializations per depth (seed 002 uses 200).
        epsilon: success means ``E(theta) - min C < epsilon`` (0.03 Gaussian, 5e-5 MNIST in seed 002).
        seed: seeds the initializations (depth ``d`` uses ``seed + d``... via one Generator).
        maxiter: L-BFGS iterations.
        precision: ``"double"``, ``"single"`` or ``"mixed"`` for two or more layers (see
            :func:`anneal_binn.gate.hypernetwork.train`; energies are always reported in double).
    """
    C = check_cost(cost)
    rng = np.random.default_rng(seed)
    energies, success, seconds, nfev = {}, {}, {}, {}
    cmin = float(C.min())
    for d in progress(depths, desc="depths"):
        t0 = time.perf_counter()
        res = train(C, layers=int(d), restarts=n_optim, seed=rng, maxiter=maxiter, optimizer=optimizer,
                    precision=precision)
        seconds[d] = time.perf_counter() - t0
        energies[d] = res.energies
        success[d] = float(np.mean(res.energies - cmin < epsilon))
        nfev[d] = float(res.nfev.mean())
    lowest = np.sort(C)[:n_optim]
    return DepthStudy(tuple(depths), energies, success, seconds, nfev, cmin, lowest, float(epsilon))


@dataclass(frozen=True)
class OverfittingStudy:
    """Outcome of :func:`overfitting_study`.

    Attributes:
        sizes: training-set sizes ``N_s``.
        train: size -> mean training ``E(theta_t)`` over realizations, shape (iterations + 1,).
        validation: size -> mean validation ``E(theta_t)``, same shape.
        realizations: data sets drawn per size.
    """

    sizes: tuple
    train: dict
    validation: dict
    realizations: int
    settings: dict = field(default_factory=dict)


def overfitting_study(spec="gaussian-activation", sizes=(2, 4, 6, 8, 1000), realizations: int = 100,
                      iterations: int = 50, layers: int = 1, spread: float = 0.3, n_validation: int = 1000,
                      learning_rate: float = 0.1, seed=0) -> OverfittingStudy:
    """Training vs validation curves of the augmented model (seed 002 section II.7).

    For each size and realization a training set of ``N_s`` points is drawn (Gaussians brought
    closer by ``spread``), the circuit is trained for ``iterations`` Adam steps with the exact
    adjoint gradient of the training landscape, and ``E(theta_t)`` is evaluated on the training
    and on the validation landscape (``n_validation`` points) at every step.
    """
    import anneal_binn as ab

    base = ab.load_spec(spec).to_dict() if isinstance(spec, str) else dict(spec)
    rng = np.random.default_rng(seed)
    train_curves, val_curves = {}, {}
    for ns in sizes:
        tr_sum = np.zeros(iterations + 1)
        va_sum = np.zeros(iterations + 1)
        for r in progress(range(realizations), desc=f"N_s = {ns}"):
            raw = {**base, "data": {**base["data"], "n_train": int(ns), "n_test": int(n_validation), "spread": spread},
                   "seed": int(rng.integers(2**31 - 1))}
            problem = ab.build(ab.spec_from_dict(raw))
            c_tr = problem.landscape()
            n = problem.num_variables
            idx = np.arange(2**n)
            bits = ((idx[:, None] >> np.arange(n)) & 1).astype(np.uint8)
            c_va = problem.losses(bits, split="test")
            ansatz = Ansatz(n, layers)
            m_tr, m_va = StatevectorModel(ansatz, c_tr), StatevectorModel(ansatz, c_va)
            theta = ansatz.random_parameters(1, seed=rng)
            xs = [theta.copy()]

            def fg(t):
                xs.append(t.copy())
                return m_tr.energy_and_gradient(t)

            adam(fg, theta, maxiter=iterations, lr=learning_rate)
            path = np.concatenate(xs[1:], axis=0)  # the iterates Adam evaluated, in order
            tr_sum += m_tr.energy(path)
            va_sum += m_va.energy(path)
        train_curves[ns] = tr_sum / realizations
        val_curves[ns] = va_sum / realizations
    return OverfittingStudy(tuple(sizes), train_curves, val_curves, realizations,
                            {"iterations": iterations, "layers": layers, "spread": spread, "spec": base.get("name")})


@dataclass(frozen=True)
class MPSSamplingStudy:
    """Outcome of :func:`mps_sampling_study`.

    Attributes:
        num_qubits: N.
        trace: loss estimate along training.
        bits: sampled nets (S, N).
        train_loss, test_accuracy: of each sampled net, (S,).
        hamming: mean mutual Hamming distance between distinct sampled nets with test accuracy
            above ``accuracy_cut`` (NaN when fewer than two).
        accuracy_cut: that threshold.
        seconds: wall time.
    """

    num_qubits: int
    trace: np.ndarray
    bits: np.ndarray
    train_loss: np.ndarray
    test_accuracy: np.ndarray
    hamming: float
    accuracy_cut: float
    seconds: float


def mutual_hamming(bits) -> float:
    """Mean Hamming distance over pairs of distinct rows of ``bits`` (NaN if fewer than two)."""
    b = np.unique(np.asarray(bits, dtype=np.int64), axis=0)
    if len(b) < 2:
        return float("nan")
    d = (b[:, None, :] != b[None, :, :]).sum(-1)
    iu = np.triu_indices(len(b), 1)
    return float(d[iu].mean())


def mps_sampling_study(spec="mnist8x8-activation", layers: int = 2, shots: int = 1000, maxiter: int = 100,
                       optimizer: str = "spsa", samples: int = 1000, accuracy_cut: float = 0.9, seed=0,
                       max_bond_dimension: int | None = None) -> MPSSamplingStudy:
    """Train an MPS hypernetwork on ``spec`` with shot-estimated losses; score the sampled nets (seed 004)."""
    import anneal_binn as ab
    from anneal_binn.gate.mps import MPSHypernetwork

    t0 = time.perf_counter()
    problem = ab.build(ab.load_spec(spec) if isinstance(spec, str) else spec)
    ansatz = Ansatz(problem.num_variables, layers)
    h = MPSHypernetwork(ansatz, problem.losses, shots=shots, seed=seed, max_bond_dimension=max_bond_dimension)
    res = h.train(optimizer=optimizer, maxiter=maxiter, seed=seed)
    bits = h.sample(res.theta, shots=samples)
    acc = np.asarray(problem.accuracy(bits, split="test"), dtype=np.float64)
    good = bits[acc > accuracy_cut]
    return MPSSamplingStudy(problem.num_variables, res.trace, bits, np.asarray(problem.losses(bits)), acc,
                            mutual_hamming(good), accuracy_cut, time.perf_counter() - t0)


@dataclass(frozen=True)
class GroverStudy:
    """Outcome of :func:`grover_study`.

    Attributes:
        num_marked, num_configurations: ``M`` and ``2**N``.
        k: iterations; probability: ``sin^2((2k+1) theta)``; statevector: the same from the full
            weight-register simulation; sampled: fraction of ``shots_per_k`` measurements that hit.
        bbht_curve: cumulative success of ``runs`` searches (paper schedule) against steps.
        bbht_exact: the exact cumulative success of that schedule.
        bbht_steps_90: first step with cumulative success > 0.9 (Monte Carlo, exact).
        classical_steps_90: random guessing with / without replacement.
        paper_classical: seed 003's figure (``floor(0.9 / p)``).
    """

    num_marked: int
    num_configurations: int
    k: np.ndarray
    probability: np.ndarray
    statevector: np.ndarray
    sampled: np.ndarray
    bbht_curve: np.ndarray
    bbht_exact: np.ndarray
    bbht_steps_90: tuple
    classical_steps_90: tuple
    paper_classical: int


def grover_study(cost, threshold: float | None = None, max_k: int = 12, shots_per_k: int = 50, runs: int = 100,
                 max_steps: int = 40, seed=0) -> GroverStudy:
    """Seed 003 Figs. 4-5 on a landscape: success against ``k`` and the BBHT schedule against steps."""
    from anneal_binn.gate.grover import (LandscapeGrover, classical_steps, cumulative_success,
                                         steps_to_confidence)

    g = LandscapeGrover(cost, threshold)
    rng = np.random.default_rng(seed)
    ks = np.arange(max_k + 1)
    prob = g.success_probability(ks)
    sv = np.array([float((g.statevector(k)[g.marked] ** 2).sum()) for k in ks]) if g.num_qubits <= 22 else np.full(ks.size, np.nan)
    sampled = np.array([g.marked[g.sample(int(k), shots_per_k, rng)].mean() for k in ks])
    curve = cumulative_success(g.bbht(runs, seed=rng), max_steps)
    exact = g.bbht_exact_cdf(max_steps)
    p = g.marked_fraction
    return GroverStudy(
        g.num_marked, g.cost.size, ks, prob, sv, sampled, curve, exact,
        (steps_to_confidence(curve), steps_to_confidence(exact)),
        (classical_steps(p, 0.9), classical_steps(p, 0.9, population=g.cost.size)),
        int(np.floor(0.9 / p)),
    )
