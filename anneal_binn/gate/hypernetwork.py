"""Quantum hypernetworks (seed 002): train ``U(theta)`` so that measuring it yields low-cost BiNNs.

``E(theta) = sum_x |psi_theta(x)|^2 C(x)`` is minimized from ``restarts`` random initializations
``theta ~ U(0, 2 pi)``. The exact path (:func:`train`) simulates the statevector and uses either
the adjoint gradient with L-BFGS (batched over initializations, or scipy's per initialization)
or, as an experiment would, parameter-shift gradients estimated from ``shots`` measurements
with Adam. The MPS path for large N lives in :mod:`anneal_binn.gate.mps`.

Examples:
    >>> import numpy as np
    >>> C = np.array([3.0, 2.0, 1.0, 0.0])          # optimum: both bits 1 (index 3)
    >>> res = train(C, layers=0, restarts=4, seed=0)
    >>> round(float(res.energies.min()), 6)
    0.0
    >>> res.sample(5, seed=0).tolist()
    [[1, 1], [1, 1], [1, 1], [1, 1], [1, 1]]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anneal_binn.gate.circuits import Ansatz, bits_of_indices
from anneal_binn.gate.optimize import OptimizeResult, adam, lbfgs_batched, lbfgs_scipy, parameter_shift_gradient
from anneal_binn.gate.statevector import SINGLE_ENERGY_ERROR, StatevectorModel, check_cost, sample_indices

OPTIMIZERS = ("lbfgs", "scipy", "adam")
GRADIENTS = ("adjoint", "parameter-shift")
PRECISIONS = ("double", "single", "mixed")


@dataclass(frozen=True)
class HypernetResult:
    """Trained hypernetwork(s), one row per initialization.

    Attributes:
        ansatz: circuit layout.
        theta: final angles, (R, P).
        theta0: initial angles, (R, P).
        energies: exact ``E(theta)`` of every row, (R,).
        trace: energy after each iteration (estimated from shots when training used shots), (R, T).
        nfev: energy/gradient evaluations per row, (R,).
        best: row with the lowest exact energy.
        cost: the cost vector trained against.
        settings: optimizer, gradient, shots, maxiter, seed.
    """

    ansatz: Ansatz
    theta: np.ndarray
    theta0: np.ndarray
    energies: np.ndarray
    trace: np.ndarray
    nfev: np.ndarray
    best: int
    cost: np.ndarray
    settings: dict

    def probabilities(self, row: int | None = None) -> np.ndarray:
        """``|psi(x)|^2`` of the ``row``-th trained state (default: the best), length ``2**N``."""
        model = StatevectorModel(self.ansatz, self.cost)
        psi = model.states(self.theta[self.best if row is None else row])[0]
        return psi.real**2 + psi.imag**2

    def sample(self, shots: int, seed=None, row: int | None = None) -> np.ndarray:
        """Measure the trained state ``shots`` times -> (shots, N) uint8 bits (bit i = qubit i)."""
        idx = sample_indices(self.probabilities(row)[None, :], shots, seed)[0]
        return bits_of_indices(idx, self.ansatz.num_qubits)


def _continue(first: OptimizeResult, second: OptimizeResult) -> OptimizeResult:
    """One record of an optimization run in two phases (the second started at the first's x)."""
    t1, t2 = first.trace, second.trace[:, 1:]
    trace = np.concatenate([t1, t2], axis=1) if t2.shape[1] else t1
    # rows the second phase did not move keep their first-phase trace, padded with the final value
    for r in range(trace.shape[0]):
        last = first.nit[r] + second.nit[r]
        trace[r, last + 1:] = second.fun[r]
        if second.nit[r]:
            trace[r, first.nit[r] + 1: last + 1] = second.trace[r, 1: second.nit[r] + 1]
    return OptimizeResult(second.x, second.fun, trace, first.nit + second.nit, first.nfev + second.nfev,
                          second.converged)


def shot_energy(model: StatevectorModel, shots: int, rng: np.random.Generator, chunk: int = 64):
    """``theta (M, P) -> (M,)`` energies estimated from ``shots`` measurements of each circuit."""

    def energy(theta):
        theta = model.ansatz.check_parameters(theta)
        out = np.empty(theta.shape[0])
        for start in range(0, theta.shape[0], chunk):
            psi = model.states(theta[start:start + chunk])
            probs = psi.real**2 + psi.imag**2
            idx = sample_indices(probs, shots, rng)
            out[start:start + chunk] = model.cost[idx].mean(axis=1)
        return out

    return energy


def train(cost, layers: int = 2, restarts: int = 8, optimizer: str = "lbfgs", gradient: str = "adjoint",
          shots: int | None = None, maxiter: int = 200, seed=None, theta0=None, gtol: float = 1e-6,
          learning_rate: float = 0.05, precision: str = "double") -> HypernetResult:
    """Train the hypernetwork circuit on an exact cost vector.

    Args:
        cost: ``C`` of length ``2**N`` (e.g. ``problem.landscape()`` or
            :func:`anneal_binn.gate.cost.cost_vector` of a HUBO).
        layers: circuit depth; 0 = product state.
        restarts: independent initializations ``theta ~ U(0, 2 pi)`` (ignored with ``theta0``).
        optimizer: ``"lbfgs"`` (batched over restarts), ``"scipy"`` (L-BFGS-B, one restart at a
            time) or ``"adam"``.
        gradient: ``"adjoint"`` (exact) or ``"parameter-shift"`` (Eq. 6; from ``shots``
            measurements when ``shots`` is given, which implies ``optimizer="adam"``).
        shots: measurements per energy estimate for the parameter-shift gradient.
        maxiter: optimizer iterations.
        seed: seeds the initializations and the shot noise.
        theta0: explicit initial angles (R, P).
        gtol: gradient tolerance for L-BFGS.
        learning_rate: Adam step.
        precision: for the exact adjoint gradient of two or more layers: ``"double"`` (default),
            ``"single"``: float32 states, energies within
            :data:`anneal_binn.gate.statevector.SINGLE_ENERGY_ERROR` ``* max|C|`` of double; where
            a step changes the energy by less than that, L-BFGS judges it by the gradients
            (``lbfgs_batched(noise=...)``), so it follows the double-precision path instead of
            stopping at the rounding; or ``"mixed"``: single, then double from its end point (up
            to ``maxiter`` iterations each). The reported energies are always computed in double.
            Measured (``benchmarks/gate.py``, MNIST 4x4, N = 17, 2 layers, 200 initializations):
            single ends within 1e-5 of double's energy on 196 of 200 initializations (success
            within 5e-5: 0.545 against 0.540) in 0.49x the wall time (233 s against 478 s).
    """
    C = check_cost(cost)
    n = C.size.bit_length() - 1
    ansatz = Ansatz(n, layers)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: choose one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
    if gradient not in GRADIENTS:
        raise ValueError(f"gradient: choose one of {', '.join(GRADIENTS)}; got {gradient!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision: choose one of {', '.join(PRECISIONS)}; got {precision!r}")
    if shots is not None and (not isinstance(shots, (int, np.integer)) or shots < 1):
        raise ValueError(f"shots: must be a positive integer or None, got {shots!r}")
    rng = np.random.default_rng(seed)
    if theta0 is None:
        if not isinstance(restarts, (int, np.integer)) or restarts < 1:
            raise ValueError(f"restarts: must be a positive integer, got {restarts!r}")
        theta0 = ansatz.random_parameters(restarts, seed=rng)
    theta0 = ansatz.check_parameters(theta0).copy()
    model = StatevectorModel(ansatz, C)

    fast = model
    if gradient == "adjoint":
        if precision != "double":
            fast = StatevectorModel(ansatz, C, precision="single")
        fun_grad = fast.energy_and_gradient
    else:
        energy_fn = shot_energy(model, shots, rng) if shots else model.energy

        def fun_grad(theta):
            return energy_fn(theta), parameter_shift_gradient(energy_fn, theta)

        if shots:
            optimizer = "adam"  # line searches on noisy estimates do not terminate sensibly
    if optimizer == "lbfgs":
        # float32 energies are exact to SINGLE_ENERGY_ERROR * max|C| only: below that the line
        # search judges steps by the gradients (see lbfgs_batched's noise)
        noise = SINGLE_ENERGY_ERROR * float(np.abs(C).max()) if fast is not model else 0.0
        res: OptimizeResult = lbfgs_batched(fun_grad, theta0, maxiter=maxiter, gtol=gtol, noise=noise)
        if precision == "mixed" and fast is not model:
            res = _continue(res, lbfgs_batched(model.energy_and_gradient, res.x, maxiter=maxiter, gtol=gtol))
    elif optimizer == "scipy":
        res = lbfgs_scipy(fun_grad, theta0, maxiter=maxiter, gtol=gtol)
    else:
        res = adam(fun_grad, theta0, maxiter=maxiter, lr=learning_rate)
    energies = model.energy(res.x)
    return HypernetResult(
        ansatz=ansatz, theta=res.x, theta0=theta0, energies=energies, trace=res.trace, nfev=res.nfev,
        best=int(np.argmin(energies)), cost=C,
        settings={"optimizer": optimizer, "gradient": gradient, "shots": shots, "maxiter": maxiter,
                  "seed": seed, "layers": layers, "precision": precision},
    )
