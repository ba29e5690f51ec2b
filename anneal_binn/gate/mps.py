"""Hypernetworks beyond statevector sizes: MPS simulation, shot-based losses, SPSA and QN-SPSA (seed 004).

The circuit of :mod:`anneal_binn.gate.circuits` is simulated with Qiskit Aer's
``matrix_product_state`` method; measuring it gives BiNN configurations whose true loss is
averaged into the objective, exactly what a quantum experiment would estimate. SPSA and
QN-SPSA come from ``qiskit-algorithms``; QN-SPSA's fidelity ``|<psi(x)|psi(y)>|^2`` is the
squared amplitude of ``|0...0>`` after ``U(y)^dag U(x)``, read from the MPS with
``save_amplitudes`` (no sampling noise).

Examples:
    >>> import numpy as np
    >>> from anneal_binn.gate.circuits import Ansatz
    >>> C = np.array([3.0, 2.0, 1.0, 0.0])
    >>> h = MPSHypernetwork(Ansatz(2, 1), loss_from_cost(C), shots=200, seed=1)
    >>> theta = np.zeros(h.ansatz.num_parameters)
    >>> h.energy(theta)       # |00>: every shot has cost 3
    3.0
    >>> round(h.fidelity(theta, theta), 12)
    1.0
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anneal_binn.errors import require
from anneal_binn.gate.circuits import Ansatz, indices_of_bits


def loss_from_cost(cost) -> callable:
    """Loss of (S, N) bit rows looked up in a cost vector (for small N and tests)."""
    C = np.asarray(cost, dtype=np.float64)

    def loss(bits):
        return C[indices_of_bits(bits)]

    return loss


def loss_from_polynomial(poly, variables=None) -> callable:
    """Loss of (S, N) bit rows from a ``dimod.BinaryPolynomial`` (column ``i`` = variable ``i``)."""
    import dimod

    order = list(range(len(poly.variables))) if variables is None else list(variables)
    pos = {v: i for i, v in enumerate(order)}
    spin = poly.vartype is dimod.SPIN
    terms = [(np.array([pos[v] for v in term], dtype=np.int64), float(bias)) for term, bias in poly.items()]

    def loss(bits):
        x = np.asarray(bits, dtype=np.float64)
        if spin:
            x = 2.0 * x - 1.0
        out = np.zeros(x.shape[0])
        for cols, bias in terms:
            out += bias * (x[:, cols].prod(axis=1) if cols.size else 1.0)
        return out

    return loss


@dataclass(frozen=True)
class MPSResult:
    """Outcome of an MPS training run.

    Attributes:
        theta: final angles (P,).
        energy: shot estimate of E at ``theta``.
        trace: loss estimate accepted at every iteration.
        nfev: loss evaluations.
        optimizer: "spsa" or "qnspsa".
    """

    theta: np.ndarray
    energy: float
    trace: np.ndarray
    nfev: int
    optimizer: str


class MPSHypernetwork:
    """The hypernetwork circuit simulated as an MPS, with a shot-based loss.

    Args:
        ansatz: circuit layout (any N; memory grows with the bond dimension, not 2**N).
        loss: ``bits (S, N) uint8 -> (S,) float`` true loss of sampled BiNNs (e.g. ``problem.losses``).
        shots: measurements per energy estimate.
        seed: seeds Aer's sampling; the k-th simulation uses ``seed + k`` so runs repeat exactly.
        max_bond_dimension: truncate the MPS (None = exact).
    """

    def __init__(self, ansatz: Ansatz, loss, shots: int = 1000, seed=None, max_bond_dimension: int | None = None):
        require("qiskit_aer", "gate")
        from qiskit.circuit import ParameterVector
        from qiskit_aer import AerSimulator

        if shots < 1:
            raise ValueError(f"shots: must be >= 1, got {shots}")
        self.ansatz = ansatz
        self.loss = loss
        self.shots = int(shots)
        self._seed = int(np.random.default_rng(seed).integers(2**31 - 1))
        self._calls = 0
        opts = {"method": "matrix_product_state"}
        if max_bond_dimension is not None:
            opts["matrix_product_state_max_bond_dimension"] = int(max_bond_dimension)
        self._sim = AerSimulator(**opts)
        self._circuit = ansatz.to_qiskit(None, measure=True)
        self._params = list(self._circuit.parameters)
        # parameters come back sorted by name: theta[0], theta[1], ..., theta[10] sorts as a vector
        px = ParameterVector("x", ansatz.num_parameters)
        py = ParameterVector("y", ansatz.num_parameters)
        base = ansatz.to_qiskit(None)
        ux = base.assign_parameters(dict(zip(base.parameters, px)))
        uy = base.assign_parameters(dict(zip(base.parameters, py)))
        fid = ux.compose(uy.inverse())
        fid.save_amplitudes([0])
        self._fid, self._px, self._py = fid, list(px), list(py)

    def _next_seed(self) -> int:
        self._calls += 1
        return (self._seed + self._calls) % (2**31 - 1)

    def sample(self, theta, shots: int | None = None) -> np.ndarray:
        """Measure ``U(theta)|0>`` -> (shots, N) uint8 bits, column ``i`` = qubit ``i``."""
        theta = self.ansatz.check_parameters(theta)[0]
        qc = self._circuit.assign_parameters(dict(zip(self._params, theta)))
        res = self._sim.run(qc, shots=shots or self.shots, memory=True, seed_simulator=self._next_seed()).result()
        mem = res.get_memory()
        # Qiskit prints clbit 0 rightmost
        arr = np.frombuffer("".join(mem).encode(), dtype=np.uint8).reshape(len(mem), -1) - ord("0")
        return np.ascontiguousarray(arr[:, ::-1])

    def energy(self, theta) -> float:
        """Mean loss of ``shots`` sampled BiNNs."""
        return float(np.mean(self.loss(self.sample(theta))))

    def fidelity(self, x, y) -> float:
        """``|<psi(y)|psi(x)>|^2`` from the MPS amplitude of ``|0..0>`` after ``U(y)^dag U(x)``."""
        x = self.ansatz.check_parameters(x)[0]
        y = self.ansatz.check_parameters(y)[0]
        bind = dict(zip(self._px, x))
        bind.update(zip(self._py, y))
        qc = self._fid.assign_parameters(bind)
        amp = self._sim.run(qc, shots=1, seed_simulator=self._next_seed()).result().data(0)["amplitudes"][0]
        return float(abs(amp) ** 2)

    def train(self, theta0=None, optimizer: str = "spsa", maxiter: int = 100, learning_rate=None,
              perturbation=None, seed=None) -> MPSResult:
        """Minimize the shot-estimated loss with SPSA or QN-SPSA (qiskit-algorithms).

        ``learning_rate``/``perturbation`` left as None let SPSA calibrate them (50 extra
        evaluations); give both to skip calibration.
        """
        require("qiskit_algorithms", "gate")
        from qiskit_algorithms.optimizers import QNSPSA, SPSA
        from qiskit_algorithms.utils import algorithm_globals

        if optimizer not in ("spsa", "qnspsa"):
            raise ValueError(f"optimizer: choose 'spsa' or 'qnspsa', got {optimizer!r}")
        if theta0 is None:
            theta0 = self.ansatz.random_parameters(seed=seed)
        theta0 = self.ansatz.check_parameters(theta0)[0]
        # SPSA draws its perturbations from algorithm_globals.random: seed it for repeatability
        algorithm_globals.random_seed = int(np.random.default_rng(seed).integers(2**31 - 1))
        trace: list[float] = []

        def callback(nfev, x, fx, step, accepted):
            trace.append(float(fx))

        kw = dict(maxiter=maxiter, callback=callback)
        if learning_rate is not None or perturbation is not None:
            if learning_rate is None or perturbation is None:
                raise ValueError("learning_rate, perturbation: give both or neither")
            kw.update(learning_rate=learning_rate, perturbation=perturbation)
        opt = SPSA(**kw) if optimizer == "spsa" else QNSPSA(self.fidelity, **kw)
        res = opt.minimize(self.energy, theta0)
        return MPSResult(np.asarray(res.x), self.energy(res.x), np.asarray(trace), int(res.nfev), optimizer)
