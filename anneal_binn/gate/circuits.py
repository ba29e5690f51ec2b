"""The quantum-hypernetwork circuit of Carrasquilla et al. (seed 002, Eq. 5) and its product-state limit.

One *block* is an RY then an RZ rotation on every qubit, followed by CX gates on alternating
neighbour pairs: ``(0,1), (2,3), ...`` in even blocks and ``(1,2), (3,4), ...`` in odd blocks
(control the lower qubit). One *layer* is two blocks, so ``layers=L`` has ``2L`` blocks. The
product-state ansatz (``layers=0``) is a single block without CX gates.

Gate convention is Qiskit's: ``RY(t) = exp(-i t Y/2)``, ``RZ(t) = exp(-i t Z/2)``, which is what
makes the parameter-shift rule ``dE/dt = [E(t+pi/2) - E(t-pi/2)]/2`` of seed 002 Eq. 6 exact.
(The paper writes ``exp(i t Y)``; that is a reparametrisation ``t -> -2t`` with the same set of
circuits.) Parameters are stored flat; :meth:`Ansatz.index` gives the position of
``theta[alpha, qubit, block]``: ``theta.reshape(blocks, 2, N)[k, 0, j]`` is the RY angle of
qubit ``j`` in block ``k`` and ``[k, 1, j]`` its RZ angle.

Qubit ``j`` is variable ``j`` and bit ``j`` of a basis-state index (Qiskit's little-endian
order); measuring ``|1>`` means weight ``+1`` (bit 1 -> 2*1-1).

Examples:
    >>> a = Ansatz(num_qubits=4, layers=1)
    >>> a.num_blocks, a.num_parameters
    (2, 16)
    >>> a.cx_pairs(0), a.cx_pairs(1)
    (((0, 1), (2, 3)), ((1, 2),))
    >>> Ansatz(4, 0).num_parameters
    8
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ansatz:
    """Layout of the hardware-efficient ansatz.

    Attributes:
        num_qubits: N, one qubit per BiNN variable.
        layers: number of layers (2 blocks each); 0 means the product-state ansatz.
    """

    num_qubits: int
    layers: int

    def __post_init__(self):
        if not isinstance(self.num_qubits, (int, np.integer)) or self.num_qubits < 1:
            raise ValueError(f"num_qubits: must be a positive integer, got {self.num_qubits!r}")
        if not isinstance(self.layers, (int, np.integer)) or self.layers < 0:
            raise ValueError(f"layers: must be an integer >= 0 (0 = product state), got {self.layers!r}")

    @property
    def num_blocks(self) -> int:
        """Blocks of rotations: ``2*layers``, or 1 for the product state."""
        return 2 * self.layers if self.layers > 0 else 1

    @property
    def entangling(self) -> bool:
        """Whether blocks end with CX gates (False for the product state)."""
        return self.layers > 0

    @property
    def num_parameters(self) -> int:
        """Number of angles: ``2 * N * num_blocks``."""
        return 2 * self.num_qubits * self.num_blocks

    def index(self, alpha: str, qubit: int, block: int) -> int:
        """Flat position of the angle ``alpha`` ("y" or "z") of ``qubit`` in ``block``."""
        if alpha not in ("y", "z"):
            raise ValueError(f"alpha: must be 'y' or 'z', got {alpha!r}")
        return (block * 2 + (alpha == "z")) * self.num_qubits + qubit

    def cx_pairs(self, block: int) -> tuple[tuple[int, int], ...]:
        """(control, target) pairs of the CX gates closing ``block`` (empty for the product state)."""
        if not self.entangling:
            return ()
        start = block % 2
        return tuple((j, j + 1) for j in range(start, self.num_qubits - 1, 2))

    def random_parameters(self, num: int | None = None, seed=None) -> np.ndarray:
        """Angles drawn from U(0, 2*pi), shape ``(P,)`` or ``(num, P)``."""
        rng = np.random.default_rng(seed)
        shape = (self.num_parameters,) if num is None else (int(num), self.num_parameters)
        return rng.uniform(0.0, 2 * np.pi, size=shape)

    def check_parameters(self, theta) -> np.ndarray:
        """Return ``theta`` as a float64 array of shape (B, P); raise ValueError naming the fix."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim == 1:
            theta = theta[None, :]
        if theta.ndim != 2 or theta.shape[1] != self.num_parameters:
            raise ValueError(
                f"theta: expected shape ({self.num_parameters},) or (B, {self.num_parameters}) for "
                f"N={self.num_qubits}, layers={self.layers}; got {theta.shape}"
            )
        return theta

    # ------------------------------------------------------------------ export
    def to_qiskit(self, theta=None, measure: bool = False):
        """The circuit as a ``qiskit.QuantumCircuit``.

        Args:
            theta: angles of shape (P,); ``None`` gives a circuit with a ``ParameterVector``
                named ``theta`` in the flat layout.
            measure: append measurements of every qubit into a classical register.

        Examples:
            >>> qc = Ansatz(3, 1).to_qiskit(np.zeros(12))
            >>> qc.num_qubits, dict(qc.count_ops())["cx"]
            (3, 2)
        """
        from anneal_binn.errors import require

        qiskit = require("qiskit", "gate")
        n = self.num_qubits
        if theta is None:
            theta = qiskit.circuit.ParameterVector("theta", self.num_parameters)
        else:
            theta = self.check_parameters(theta)[0]
        qc = qiskit.QuantumCircuit(n, n if measure else 0)
        for k in range(self.num_blocks):
            for j in range(n):
                qc.ry(theta[self.index("y", j, k)], j)
                qc.rz(theta[self.index("z", j, k)], j)
            for c, t in self.cx_pairs(k):
                qc.cx(c, t)
        if measure:
            qc.measure(range(n), range(n))
        return qc

    def to_qasm(self, theta, version: int = 2) -> str:
        """OpenQASM text of the bound circuit (``version`` 2 or 3), with measurements.

        Examples:
            >>> print(Ansatz(1, 0).to_qasm([0.5, 0.25]).splitlines()[0])
            OPENQASM 2.0;
        """
        from anneal_binn.errors import require

        qiskit = require("qiskit", "gate")
        qc = self.to_qiskit(theta, measure=True)
        if version == 2:
            return qiskit.qasm2.dumps(qc)
        if version == 3:
            return qiskit.qasm3.dumps(qc)
        raise ValueError(f"version: OpenQASM version must be 2 or 3, got {version!r}")


def bits_of_indices(indices, num_bits: int) -> np.ndarray:
    """Basis-state indices -> (S, N) uint8 bits, column ``i`` = bit ``i`` (= qubit/variable ``i``).

    Examples:
        >>> bits_of_indices([1, 6], 3).tolist()
        [[1, 0, 0], [0, 1, 1]]
    """
    idx = np.asarray(indices, dtype=np.int64)
    return ((idx[:, None] >> np.arange(num_bits, dtype=np.int64)[None, :]) & 1).astype(np.uint8)


def indices_of_bits(bits) -> np.ndarray:
    """(S, N) 0/1 array -> basis-state indices (inverse of :func:`bits_of_indices`).

    Examples:
        >>> indices_of_bits([[1, 0, 0], [0, 1, 1]]).tolist()
        [1, 6]
    """
    b = np.asarray(bits, dtype=np.int64)
    return (b << np.arange(b.shape[1], dtype=np.int64)[None, :]).sum(axis=1)
