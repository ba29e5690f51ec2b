"""Hypernetworks beyond statevector sizes: MPS simulation, shot-based losses, SPSA and QN-SPSA (seed 004).

The circuit of :mod:`anneal_binn.gate.circuits` is simulated with Qiskit Aer's
``matrix_product_state`` method; measuring it gives BiNN configurations whose true loss is
averaged into the objective, exactly what a quantum experiment would estimate. SPSA and
QN-SPSA come from ``qiskit-algorithms``; QN-SPSA's fidelity ``|<psi(x)|psi(y)>|^2`` is the
squared amplitude of ``|0...0>`` after ``U(y)^dag U(x)``, read from the MPS with
``save_amplitudes`` (no sampling noise).

After training, :meth:`MPSHypernetwork.sample_nets` measures many BiNNs from the state and
:func:`score_samples` scores each on the problem (training loss, train and test accuracy);
:class:`SampledNets` filters the good ones and gives their mutual Hamming distances (seed 004's
statistics). :meth:`MPSHypernetwork.bond_dimensions` reads the MPS bond dimensions from Aer.

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

import time
from dataclasses import dataclass, field

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
        trace: loss estimate at every iteration as the optimizer reported it (for a rejected
            QN-SPSA step, the estimate at the rejected point).
        nfev: loss evaluations the optimizer counted.
        optimizer: "spsa" or "qnspsa".
        cost: (maxiter + 1,) shot estimate of the loss at the *current* iterate: entry 0 at
            ``theta0``, entry ``k`` after iteration ``k`` (a rejected step keeps the previous value).
            This is the "cost vs iterations" curve.
        accepted: (maxiter,) whether each step was taken (SPSA always; QN-SPSA blocks steps that
            raise the loss by more than its calibrated allowance).
        energy_calls: (maxiter + 1,) loss estimates made so far (calibration included), each of
            ``shots`` measurements; entry 0 counts those before the first iteration.
        fidelity_calls: (maxiter + 1,) fidelity evaluations made so far (QN-SPSA only; 0 for SPSA).
        seconds: wall time of the run.
    """

    theta: np.ndarray
    energy: float
    trace: np.ndarray
    nfev: int
    optimizer: str
    cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    accepted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    energy_calls: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    fidelity_calls: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    seconds: float = 0.0


def hamming_distances(bits, unique: bool = True) -> np.ndarray:
    """Hamming distances between all pairs of rows of ``bits`` (condensed, as ``scipy.spatial.distance.pdist``).

    Args:
        bits: (S, N) 0/1 rows.
        unique: drop repeated rows first, so a net sampled many times counts once (the mutual
            distance *between different nets*); ``False`` uses every pair of shots.

    Examples:
        >>> hamming_distances([[0, 0, 1], [1, 1, 1], [0, 0, 1]]).tolist()
        [2]
        >>> hamming_distances([[0, 0, 1], [1, 1, 1], [0, 0, 1]], unique=False).tolist()
        [2, 0, 2]
    """
    from scipy.spatial.distance import pdist

    b = np.asarray(bits, dtype=np.uint8)
    if b.ndim != 2:
        raise ValueError(f"bits: expected a 2-D array (samples, variables), got shape {b.shape}")
    if unique:
        b = np.unique(b, axis=0)
    if len(b) < 2:
        return np.zeros(0, dtype=np.int64)
    return np.rint(pdist(b, metric="hamming") * b.shape[1]).astype(np.int64)


@dataclass(frozen=True)
class SampledNets:
    """BiNNs measured from a trained hypernetwork, each scored on the problem's data.

    Attributes:
        bits: (S, N) uint8, one row per shot in measurement order (repeats kept).
        train_loss: (S,) true training loss of each row.
        train_accuracy, test_accuracy: (S,) accuracy of each row on the two splits.

    Examples:
        >>> import anneal_binn as ab
        >>> p = ab.build(ab.load_spec("fawaz-p1"))
        >>> nets = score_samples(p, [[1, 0, 1, 0, 0, 0, 0, 0], [0] * 8, [0] * 8])   # an optimum, all -1 twice
        >>> nets.num_samples, nets.num_unique, nets.train_loss.tolist(), nets.test_accuracy.tolist()
        (3, 2, [0.0, 2.0, 2.0], [1.0, 0.75, 0.75])
        >>> nets.good(0.8).tolist(), nets.mutual_hamming(), nets.mutual_hamming(unique=False)
        ([True, False, False], 2.0, 1.3333333333333333)
    """

    bits: np.ndarray
    train_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray

    @property
    def num_samples(self) -> int:
        return int(self.bits.shape[0])

    @property
    def num_unique(self) -> int:
        """Distinct nets among the shots."""
        return int(len(np.unique(self.bits, axis=0))) if self.num_samples else 0

    def good(self, accuracy_cut: float, split: str = "test") -> np.ndarray:
        """Mask of the rows whose accuracy on ``split`` is strictly above ``accuracy_cut``."""
        if split not in ("train", "test"):
            raise ValueError(f"split: must be 'train' or 'test', got {split!r}")
        acc = self.test_accuracy if split == "test" else self.train_accuracy
        return acc > accuracy_cut

    def hamming(self, accuracy_cut: float | None = None, unique: bool = True,
                columns=None) -> np.ndarray:
        """Pairwise Hamming distances among the nets above ``accuracy_cut`` (all nets if None).

        ``columns`` restricts the distance to some variables (e.g. the weights and bias without a
        hyperparameter bit).
        """
        b = self.bits if accuracy_cut is None else self.bits[self.good(accuracy_cut)]
        if columns is not None:
            b = b[:, np.asarray(columns)]
        return hamming_distances(b, unique=unique)

    def mutual_hamming(self, accuracy_cut: float | None = None, unique: bool = True, columns=None) -> float:
        """Mean of :meth:`hamming` (NaN when fewer than two nets qualify)."""
        d = self.hamming(accuracy_cut, unique=unique, columns=columns)
        return float(d.mean()) if d.size else float("nan")


def score_samples(problem, bits) -> SampledNets:
    """Score measured bit rows on ``problem``: true training loss, train and test accuracy of each."""
    b = np.asarray(bits, dtype=np.uint8)
    if b.ndim != 2 or b.shape[1] != problem.num_variables:
        raise ValueError(f"bits: expected shape (S, {problem.num_variables}) for {problem.name}, got {b.shape}")
    return SampledNets(b, np.asarray(problem.losses(b), dtype=np.float64),
                       np.asarray(problem.accuracy(b, split="train"), dtype=np.float64),
                       np.asarray(problem.accuracy(b, split="test"), dtype=np.float64))


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
        self._max_bond = None if max_bond_dimension is None else int(max_bond_dimension)
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

    def bond_dimensions(self, theta) -> np.ndarray:
        """Bond dimensions (N-1,) of the MPS of ``U(theta)|0>`` as Aer holds it after the last gate.

        Read from Aer's ``mps_log_data``; with ``max_bond_dimension`` unset the simulation is exact,
        and ``P`` layers of this ansatz put at most ``P`` CX gates across any bond, so ``chi <= 2**P``.

        Examples:
            >>> h = MPSHypernetwork(Ansatz(6, 2), loss_from_cost(np.zeros(64)), seed=0)
            >>> h.bond_dimensions(h.ansatz.random_parameters(seed=1)).tolist()
            [2, 4, 4, 4, 2]
            >>> h3 = MPSHypernetwork(Ansatz(6, 3), loss_from_cost(np.zeros(64)), seed=0)
            >>> h3.bond_dimensions(h3.ansatz.random_parameters(seed=1)).tolist()
            [2, 4, 8, 4, 2]
        """
        import re

        from qiskit_aer import AerSimulator

        theta = self.ansatz.check_parameters(theta)[0]
        if not self.ansatz.entangling or self.ansatz.num_qubits < 2:
            # no two-qubit gate: a product state (and Aer would hand back a stale log)
            return np.ones(self.ansatz.num_qubits - 1, dtype=np.int64)
        qc = self.ansatz.to_qiskit(theta, measure=True)  # Aer skips a circuit with no output
        opts = {"method": "matrix_product_state", "mps_log_data": True}
        if self._max_bond is not None:
            opts["matrix_product_state_max_bond_dimension"] = self._max_bond
        res = AerSimulator(**opts).run(qc, shots=1, seed_simulator=self._next_seed()).result()
        log = str(res.results[0].metadata.get("MPS_log_data", ""))
        found = re.findall(r"BD=\[([0-9 ]*)\]", log)
        if not found:
            raise RuntimeError("bond_dimensions: Aer returned no MPS log; this qiskit-aer does not support mps_log_data")
        return np.array(found[-1].split(), dtype=np.int64)

    def sample_nets(self, theta, problem, shots: int | None = None) -> SampledNets:
        """Measure ``shots`` BiNNs from ``U(theta)|0>`` and score each on ``problem`` (:func:`score_samples`)."""
        return score_samples(problem, self.sample(theta, shots=shots))

    def train(self, theta0=None, optimizer: str = "spsa", maxiter: int = 100, learning_rate=None,
              perturbation=None, seed=None) -> MPSResult:
        """Minimize the shot-estimated loss with SPSA or QN-SPSA (qiskit-algorithms).

        ``learning_rate``/``perturbation`` left as None are calibrated by ``SPSA.calibrate`` at
        ``theta0`` (50 loss estimates; first step of size 2*pi/10), for either optimizer; give
        both (floats or callables returning iterators) to skip calibration. QN-SPSA runs with
        qiskit-algorithms' defaults (blocking: a step that raises the loss estimate by more than
        twice its standard deviation is rejected; regularization 0.01; Hessian smoothed over
        iterations).

        Returns:
            :class:`MPSResult`; its ``cost`` is the loss estimate at the current iterate after each
            iteration (entry 0 at ``theta0``) and ``energy_calls``/``fidelity_calls`` count the
            estimates made by then, so runs of different optimizers compare per shot spent.
        """
        require("qiskit_algorithms", "gate")
        from qiskit_algorithms.optimizers import QNSPSA, SPSA
        from qiskit_algorithms.utils import algorithm_globals

        if optimizer not in ("spsa", "qnspsa"):
            raise ValueError(f"optimizer: choose 'spsa' or 'qnspsa', got {optimizer!r}")
        if not isinstance(maxiter, (int, np.integer)) or maxiter < 1:
            raise ValueError(f"maxiter: must be a positive integer, got {maxiter!r}")
        if (learning_rate is None) != (perturbation is None):
            raise ValueError("learning_rate, perturbation: give both or neither")
        t0 = time.perf_counter()
        if theta0 is None:
            theta0 = self.ansatz.random_parameters(seed=seed)
        theta0 = self.ansatz.check_parameters(theta0)[0]
        # SPSA draws its perturbations from algorithm_globals.random: seed it for repeatability
        algorithm_globals.random_seed = int(np.random.default_rng(seed).integers(2**31 - 1))
        calls = {"energy": 0, "fidelity": 0}

        def energy(t):
            calls["energy"] += 1
            return self.energy(t)

        def fidelity(x, y):
            calls["fidelity"] += 1
            return self.fidelity(x, y)

        cost = [energy(theta0)]
        if learning_rate is None:
            learning_rate, perturbation = SPSA.calibrate(energy, theta0)
        trace: list[float] = []
        accepted: list[bool] = []
        e_calls, f_calls = [calls["energy"]], [calls["fidelity"]]

        def callback(nfev, x, fx, step, ok):
            trace.append(float(fx))
            accepted.append(bool(ok))
            cost.append(float(fx) if ok else cost[-1])
            e_calls.append(calls["energy"])
            f_calls.append(calls["fidelity"])

        kw = dict(maxiter=int(maxiter), callback=callback, learning_rate=learning_rate, perturbation=perturbation)
        opt = SPSA(**kw) if optimizer == "spsa" else QNSPSA(fidelity, **kw)
        res = opt.minimize(energy, theta0)
        theta = np.asarray(res.x)
        return MPSResult(theta, self.energy(theta), np.asarray(trace), int(res.nfev), optimizer,
                         np.asarray(cost), np.asarray(accepted, dtype=bool), np.asarray(e_calls, dtype=np.int64),
                         np.asarray(f_calls, dtype=np.int64), time.perf_counter() - t0)
