"""What one selection run returns: the subnetwork, its loss and accuracy, and its quantum cost.

Every method (global, local, edge-popup) returns a :class:`SelectionResult`. The fields seed 001's
trade-off is about are :attr:`~SelectionResult.largest_subproblem` (qubits: the most variables
any one solver call was given, ancillas of a reduced QUBO included) and
:attr:`~SelectionResult.num_subproblems` (solver calls), beside the accuracy.

Examples:
    >>> import numpy as np
    >>> r = SelectionResult("local", "exact", "t", "edges", np.array([1, 0, 1], dtype=np.uint8), 0.5, 0.5,
    ...                     0.9, 0.8, largest_subproblem=2, num_subproblems=4, seconds=0.1)
    >>> r.kept, r.to_dict()["largest_subproblem"]
    (2, 2)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class SelectionResult:
    """One selection run.

    Attributes:
        method: ``"global"``, ``"local"`` or ``"edge-popup"``.
        solver: registry name of the (sub)problem solver; None for edge-popup.
        spec: the spec's name; ``over``: ``"edges"`` or ``"neurons"``.
        state: the selection bits (n,), 1 = kept.
        objective: network loss + sparsity term; ``loss``: the network loss alone.
        train, test: accuracy of the selected subnetwork.
        largest_subproblem: qubits of the largest solver call (0 for edge-popup).
        num_subproblems: solver calls (1 for global selection).
        seconds: wall time.
        partition, block_size, sweeps, converged: local selection's schedule and how it ended.
        history: per sweep (local) or per epoch (edge-popup): objective, accuracy, seconds, ...
        optimum: the exact optimum of the objective, when the selection was enumerated.
        checks: subproblems whose solver answer was compared with their exact optimum
            (``{"compared": ..., "equal": ...}``), when asked for.
        info: anything else (solver parameters, sparsity, ...).
    """

    method: str
    solver: str | None
    spec: str
    over: str
    state: np.ndarray
    objective: float
    loss: float
    train: float
    test: float
    largest_subproblem: int = 0
    num_subproblems: int = 0
    seconds: float = 0.0
    partition: str | None = None
    block_size: int | None = None
    sweeps: int | None = None
    converged: bool | None = None
    history: tuple = ()
    optimum: float | None = None
    checks: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(len(self.state))

    @property
    def kept(self) -> int:
        return int(np.sum(self.state))

    @property
    def gap(self) -> float | None:
        """``objective - optimum`` when the optimum is known; round-off (1e-12 relative) reads as 0.

        The optimum comes from the enumerated landscape and the objective from the parent net's own
        forward pass, two summation orders of the same numbers.
        """
        if self.optimum is None:
            return None
        gap = float(self.objective - self.optimum)
        return 0.0 if abs(gap) <= 1e-12 * max(1.0, abs(self.optimum)) else gap

    def to_dict(self) -> dict:
        from anneal_binn.jsonio import to_jsonable

        return to_jsonable({
            "method": self.method, "solver": self.solver, "spec": self.spec, "over": self.over,
            "n": self.n, "kept": self.kept, "objective": self.objective, "loss": self.loss,
            "accuracy": {"train": self.train, "test": self.test},
            "largest_subproblem": self.largest_subproblem, "num_subproblems": self.num_subproblems,
            "seconds": self.seconds, "partition": self.partition, "block_size": self.block_size,
            "sweeps": self.sweeps, "converged": self.converged, "optimum": self.optimum, "gap": self.gap,
            "checks": self.checks, "history": list(self.history), "info": self.info,
            "state": "".join(str(int(b)) for b in self.state),
        })

    def describe(self) -> str:
        """Two or three lines for a terminal."""
        how = self.method if self.method != "local" else f"local ({self.partition}, blocks of <= {self.block_size} bits)"
        lines = [f"{how:<34} {self.solver or '':<15} kept {self.kept}/{self.n}, loss {self.loss:.6g}"
                 + (f", objective {self.objective:.6g}" if self.objective != self.loss else "")
                 + f", train {self.train:.4f}, test {self.test:.4f}"]
        if self.method != "edge-popup":
            lines.append(f"{'':<34} largest subproblem {self.largest_subproblem} qubits, "
                         f"{self.num_subproblems} subproblem(s) solved"
                         + (f" in {self.sweeps} sweep(s){'' if self.converged else ' (not converged)'}"
                            if self.sweeps is not None else "") + f", {self.seconds:.1f} s")
        else:
            lines.append(f"{'':<34} {self.info.get('epochs')} epochs of straight-through score training, "
                         f"{self.seconds:.1f} s")
        if self.optimum is not None:
            lines.append(f"{'':<34} exact optimum {self.optimum:.6g}; gap {self.gap:.3g}")
        if self.checks:
            lines.append(f"{'':<34} subproblem answers equal to their exact optimum: "
                         f"{self.checks['equal']}/{self.checks['compared']}")
        return "\n".join(lines)
