"""The explicit QBNN circuit of Fawaz et al. section 4.3 for 3-2-1 sign nets without biases.

Encoding: weight/value ``+1`` is ``|1>``, ``-1`` is ``|0>``. Per training point:

* inputs are written into input qubits with X gates and weighted in place by an anti-CNOT
  (X on the weight, CNOT weight -> value, X on the weight): the value becomes ``x * w``;
* a 3-input sign neuron is the majority ``ab + ac + bc (mod 2)``: three Toffolis into the
  hidden qubit (three odd inputs never tie);
* hidden values are weighted by the output weights (anti-CNOT) and the 2-input output sign
  (``sign(0) = +1``) is their OR, ``a + b + ab (mod 2)``, written straight into the point's
  accuracy qubit, which an X turns into "prediction == label" when the label is -1;
* the point's work qubits are then uncomputed (the same gates in reverse), so one work
  register serves all points.

Registers: weights (qubit ``v`` = problem variable ``v``), one accuracy qubit per training
point, work. ``input_qubits=True`` is the paper's construction: 8 + 8 + (6 inputs + 2 hidden) =
24 qubits for fawaz-p1/p2. ``input_qubits=False`` folds the known inputs into X gates on the
weights (a negative input negates its weight), 8 + 8 + 2 = 18 qubits, same accuracy register.

The oracle ``S_chi`` is a multi-controlled Z on the accuracy register (all points correct),
``S_0`` a reflection about ``|0>`` of the weight register (the ancillas are back to ``|0>``
after ``A^dag``, checked by :func:`verify_reversible`), ``A = U_QBNN H^{(x)8}``.

Examples:
    >>> import anneal_binn as ab
    >>> q = QBNNCircuit(ab.build(ab.load_spec("fawaz-p1")), input_qubits=False)
    >>> q.num_qubits, q.counts()
    (18, {'weights': 8, 'accuracy': 8, 'work': 2})
"""
from __future__ import annotations

import numpy as np

from anneal_binn.errors import require


class QBNNCircuit:
    """Quantum binary neural network for a 3-2-1 sign net (fawaz-p1/p2 specs).

    Args:
        problem: an :class:`anneal_binn.Problem` whose variables are the 8 weights (roles
            ``weight`` of layer 0 units 0-1 inputs 0-2, layer 1 inputs 0-1), no biases.
        input_qubits: keep the paper's input qubits (24 qubits) or fold inputs into X gates (18).
    """

    def __init__(self, problem, input_qubits: bool = True):
        roles = problem.register.roles
        self.w1 = np.full((2, 3), -1, dtype=int)
        self.w2 = np.full(2, -1, dtype=int)
        for v, r in enumerate(roles):
            if r.kind != "weight":
                raise ValueError(f"problem: variable {v} has role {r.kind!r}; the QBNN circuit handles weights only (3-2-1, no bias)")
            if r.layer == 0:
                self.w1[r.unit, r.input] = v
            elif r.layer == 1 and r.unit == 0:
                self.w2[r.input] = v
            else:
                raise ValueError(f"problem: variable {v} ({r}) does not fit a 3-2-1 net")
        if (self.w1 < 0).any() or (self.w2 < 0).any():
            raise ValueError("problem: expected 8 weights of a 3-2-1 net (2x3 hidden, 2 output)")
        x = np.asarray(problem.data.x_train)
        y = np.asarray(problem.data.y_train)
        if x.shape[1] != 3 or not np.isin(x, (-1, 1)).all():
            raise ValueError("problem: the QBNN circuit needs 3 binary (+-1) input features")
        self.x, self.y = x.astype(int), y.astype(int)
        self.input_qubits = bool(input_qubits)
        self.num_weights = 8
        self.num_points = len(self.y)
        self.acc = list(range(8, 8 + self.num_points))
        base = 8 + self.num_points
        if self.input_qubits:
            self.inputs = [[base + 3 * u + i for i in range(3)] for u in range(2)]
            self.hidden = [base + 6, base + 7]
        else:
            self.inputs = None
            self.hidden = [base, base + 1]
        self.num_qubits = max(self.hidden) + 1

    def counts(self) -> dict:
        """Qubits per register."""
        return {"weights": 8, "accuracy": self.num_points, "work": self.num_qubits - 8 - self.num_points}

    # ---------------------------------------------------------------- circuits
    def _point_ops(self, p: int) -> list[tuple]:
        """Gates computing point ``p`` into the work register (before the output OR)."""
        ops: list[tuple] = []
        xp = self.x[p]
        for u in range(2):
            if self.input_qubits:
                q = self.inputs[u]
                for i in range(3):
                    if xp[i] == 1:
                        ops.append(("x", q[i]))
                    w = int(self.w1[u, i])  # anti-CNOT: value <- value XNOR weight
                    ops += [("x", w), ("cx", w, q[i]), ("x", w)]
            else:
                q = [int(self.w1[u, i]) for i in range(3)]
                for i in range(3):
                    if xp[i] == -1:  # a -1 input negates the weight
                        ops.append(("x", q[i]))
            h = self.hidden[u]
            ops += [("ccx", q[0], q[1], h), ("ccx", q[0], q[2], h), ("ccx", q[1], q[2], h)]
            if not self.input_qubits:
                for i in range(3):
                    if xp[i] == -1:
                        ops.append(("x", q[i]))
            w = int(self.w2[u])
            ops += [("x", w), ("cx", w, h), ("x", w)]
        return ops

    def qbnn(self):
        """``U_QBNN``: ``|w>|0>|0> -> |w>|acc(w)>|0>`` as a ``qiskit.QuantumCircuit``."""
        qiskit = require("qiskit", "gate")
        qc = qiskit.QuantumCircuit(self.num_qubits, name="QBNN")
        for p in range(self.num_points):
            ops = self._point_ops(p)
            for op in ops:
                getattr(qc, op[0])(*op[1:])
            h0, h1, a = self.hidden[0], self.hidden[1], self.acc[p]
            qc.cx(h0, a)
            qc.cx(h1, a)
            qc.ccx(h0, h1, a)
            if self.y[p] == -1:
                qc.x(a)
            for op in reversed(ops):  # uncompute the work register
                getattr(qc, op[0])(*op[1:])
        return qc

    def grover(self, k: int, measure: bool = False):
        """``Q^k A |0>`` with ``Q = -A S_0 A^dag S_chi`` (global phase dropped)."""
        qiskit = require("qiskit", "gate")
        u = self.qbnn()
        w = list(range(8))
        qc = qiskit.QuantumCircuit(self.num_qubits, 8 if measure else 0)
        qc.h(w)
        qc.compose(u, inplace=True)
        for _ in range(int(k)):
            _mcz(qc, self.acc)                      # S_chi
            qc.compose(u.inverse(), inplace=True)   # A^dag
            qc.h(w)
            qc.x(w)
            _mcz(qc, w)                             # S_0 on the weight register
            qc.x(w)
            qc.h(w)
            qc.compose(u, inplace=True)             # A
        if measure:
            qc.measure(w, range(8))
        return qc

    def success_probability(self, k: int) -> float:
        """Probability that the accuracy register reads all ones after ``k`` iterations (Aer statevector)."""
        require("qiskit_aer", "gate")
        from qiskit_aer import AerSimulator

        qc = self.grover(k)
        qc.save_probabilities(self.acc)
        sim = AerSimulator(method="statevector")
        probs = sim.run(qc, shots=1).result().data(0)["probabilities"]
        return float(probs[-1])

    def verify_reversible(self) -> np.ndarray:
        """Run ``U_QBNN`` on all 256 weight basis states by exact bit-level simulation.

        Returns:
            (256, num_points) accuracy bits, row ``w`` = basis index of the weights.

        Raises:
            AssertionError: if a work qubit is not returned to 0 or a weight qubit changes.
        """
        qc = self.qbnn()
        w = np.arange(256)
        state = np.zeros((256, self.num_qubits), dtype=np.uint8)
        state[:, :8] = (w[:, None] >> np.arange(8)) & 1
        for inst in qc.data:
            name = inst.operation.name
            qs = [qc.find_bit(q).index for q in inst.qubits]
            if name == "x":
                state[:, qs[0]] ^= 1
            elif name == "cx":
                state[:, qs[1]] ^= state[:, qs[0]]
            elif name == "ccx":
                state[:, qs[2]] ^= state[:, qs[0]] & state[:, qs[1]]
            else:  # pragma: no cover - the builder emits only the gates above
                raise ValueError(f"unexpected gate {name}")
        if not np.array_equal(state[:, :8], (w[:, None] >> np.arange(8)) & 1):
            raise AssertionError("QBNN changed the weight register")
        work = [q for q in range(self.num_qubits) if q >= 8 and q not in self.acc]
        if state[:, work].any():
            raise AssertionError("QBNN left a work qubit set: uncomputation is broken")
        return state[:, self.acc]


def _mcz(qc, qubits) -> None:
    """Multi-controlled Z on ``qubits`` (phase -1 when all are 1)."""
    *controls, target = qubits
    qc.h(target)
    qc.mcx(controls, target)
    qc.h(target)
