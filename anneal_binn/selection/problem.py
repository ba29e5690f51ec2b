"""A network with weights fixed at random, and selection bits over its edges or neurons.

:class:`SelectionProblem` takes a built :class:`~anneal_binn.problem.Problem` whose layers carry
connection-mask bits (``mask = true``: one bit per edge) or neuron-mask bits (``neuron_mask =
true``: one bit per hidden unit), the register's existing roles. It draws every weight and bias
bit at random (a weight is ``2b - 1``: random signs of one magnitude, edge-popup's "signed
constant" initialization), holds them, and leaves as variables only the selection bits of the
chosen layers. Mask bits of other layers and neuron bits not selected stay 1 (present).

The objective of a selection ``state`` (n bits, 1 = kept) is the masked network's training
loss, plus an optional :class:`~anneal_binn.selection.sparsity.Sparsity` term. Every method
works on :class:`~anneal_binn.selection.restriction.Restriction` objects made here: all n bits
(:meth:`SelectionProblem.restriction` with no positions: global selection) or a block of them
with the rest held at the current state (local selection).

Examples:
    >>> import anneal_binn as ab
    >>> sel = SelectionProblem(ab.build(ab.load_spec("fawaz-meta-p1")), weight_seed=0)
    >>> sel.n, sel.over, sel.layers
    (6, 'edges', (0,))
    >>> r = sel.restriction()            # the global problem: an ordinary Problem over 6 bits
    >>> r.num_variables, round(float(r.exact().optimum), 3)
    (6, 1.0)
"""
from __future__ import annotations

import numpy as np

from anneal_binn.errors import UsageError
from anneal_binn.problem import Problem
from anneal_binn.selection.restriction import Restriction
from anneal_binn.selection.sparsity import Sparsity

OVER = ("edges", "neurons")
INITS = ("random", "all")


class SelectionProblem:
    """Random fixed weights + selection bits; see the module docstring.

    Args:
        problem: the Problem (its spec's layers carry ``mask`` or ``neuron_mask``).
        over: ``"edges"`` (connection-mask bits) or ``"neurons"`` (neuron-mask bits).
        layers: indices of the layers whose bits are selected (default: every layer that has them).
        weight_seed: seed of the random weights and biases (default: the spec's seed).
        sparsity: None, a :class:`Sparsity`, or a dict ``{"keep": int or fraction, "constraint":
            "exact" | "penalty", "strength": float}``.
    """

    def __init__(self, problem: Problem, over: str = "edges", layers=None, weight_seed: int | None = None,
                 sparsity=None):
        if isinstance(problem, Restriction):
            raise UsageError("problem", "give the network's Problem, not a restriction of it")
        reg = problem.register
        if over not in OVER:
            raise UsageError("select.over", f"choose 'edges' or 'neurons', got {over!r}")
        if reg.count("activation") or reg.count("width"):
            raise UsageError("model", "selection fixes the architecture: give every layer one activation and one "
                                      "width (no choice lists)")
        table = reg.mask_index if over == "edges" else reg.neuron_index
        have = tuple(l for l, idx in enumerate(table) if idx is not None)
        key = "mask" if over == "edges" else "neuron_mask"
        if not have:
            raise UsageError(f"model.hidden[*].{key}", f"selection over {over} needs {key} = true on the layers to "
                             f"select (the register's {'connection' if over == 'edges' else 'neuron'}-mask bits)")
        if layers is None:
            layers = have
        layers = tuple(int(l) for l in layers)
        for l in layers:
            if l not in have:
                where = "model.output" if l == len(problem.arch.layers) - 1 else f"model.hidden[{l}]"
                raise UsageError("select.layers", f"layer {l} has no {key} bits; set {where}.{key} = true or choose "
                                 f"among layers {list(have)}")
        if len(set(layers)) != len(layers) or not layers:
            raise UsageError("select.layers", f"a non-empty list of distinct layer indices, got {list(layers)}")
        self.problem = problem
        self.over = over
        self.layers = layers
        self.weight_seed = problem.spec.seed if weight_seed is None else int(weight_seed)
        self.index = np.concatenate([np.asarray(table[l]).ravel() for l in layers]).astype(np.int64)
        self.index.setflags(write=False)
        # every bit present, then random weights and biases (register order, one stream)
        base = np.ones(problem.num_variables, dtype=np.uint8)
        wb = np.concatenate([np.asarray(a).ravel() for l in range(len(problem.arch.layers))
                             for a in (reg.weight_index[l], reg.bias_index[l]) if a is not None]).astype(np.int64)
        base[wb] = np.random.default_rng(self.weight_seed).integers(0, 2, len(wb), dtype=np.uint8)
        base.setflags(write=False)
        self.base = base
        if isinstance(sparsity, dict):
            sparsity = self.sparsity_from(**sparsity)
        if sparsity is not None and not np.array_equal(np.sort(sparsity.index), np.sort(self.index)):
            raise UsageError("sparsity", "its index must be this selection's bits (use SelectionProblem.sparsity_from)")
        self.sparsity = sparsity
        self._cache: dict = {}

    def __repr__(self) -> str:
        return f"SelectionProblem({self.problem.name!r}, over={self.over!r}, layers={self.layers}, n={self.n})"

    # -- basics ------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of selection bits."""
        return len(self.index)

    @property
    def name(self) -> str:
        return self.problem.name

    def sparsity_from(self, keep, constraint: str = "exact", strength: float | None = None) -> Sparsity:
        """A :class:`Sparsity` over this selection; ``keep`` is a count, or a fraction in (0, 1)."""
        if isinstance(keep, float) and not isinstance(keep, bool):
            if not 0.0 < keep < 1.0:
                raise UsageError("sparsity.keep", f"a fraction must lie in (0, 1), got {keep}")
            keep = int(round(keep * self.n))
        if isinstance(keep, bool) or not isinstance(keep, (int, np.integer)):
            raise UsageError("sparsity.keep", f"a number of bits or a fraction, got {keep!r}")
        return Sparsity(self.index, int(keep), constraint, strength)

    def roles(self):
        """The register role of each selection bit, in selection order."""
        roles = self.problem.register.roles
        return [roles[int(i)] for i in self.index]

    def bits(self, state) -> np.ndarray:
        """The parent problem's bits (N,) of a selection ``state`` (n,)."""
        state = self._state(state)
        out = self.base.copy()
        out[self.index] = state
        return out

    def _state(self, state) -> np.ndarray:
        state = np.asarray(state)
        if state.shape != (self.n,):
            raise UsageError("state", f"expected {self.n} selection bits, got shape {state.shape}")
        if state.size and (state.min() < 0 or state.max() > 1):
            raise UsageError("state", "selection bits are 0 or 1")
        return state.astype(np.uint8)

    def initial_state(self, init: str = "random", seed: int | None = 0) -> np.ndarray:
        """A starting selection: ``"random"`` (each bit 1/2; exactly ``keep`` bits under an exact
        constraint) or ``"all"`` (every bit on; under an exact constraint the first ``keep``)."""
        if init not in INITS:
            raise UsageError("select.init", f"choose one of {', '.join(INITS)}, got {init!r}")
        rng = np.random.default_rng(seed)
        exact = self.sparsity is not None and self.sparsity.constraint == "exact"
        if init == "all":
            state = np.ones(self.n, dtype=np.uint8)
            if exact:
                state[self.sparsity.keep:] = 0
            return state
        if exact:
            state = np.zeros(self.n, dtype=np.uint8)
            state[rng.choice(self.n, self.sparsity.keep, replace=False)] = 1
            return state
        return rng.integers(0, 2, self.n, dtype=np.uint8)

    # -- restrictions --------------------------------------------------------------------------
    def restriction(self, positions=None, state=None, name: str | None = None) -> Restriction:
        """The problem over the selection bits at ``positions`` (default: all), the others held at ``state``."""
        pos = np.arange(self.n) if positions is None else np.asarray(positions, dtype=np.int64)
        base = self.base if state is None else self.bits(state)
        return Restriction(self.problem, self.index[pos], base, sparsity=self.sparsity,
                           name=name or (f"{self.name}|select {len(pos)} of {self.n} {self.over}"),
                           prefix_cache=self._cache)

    def sparsity_term(self, state) -> float:
        """The sparsity term of one selection: the penalty, or 0 / inf (k-of-n met or not)."""
        if self.sparsity is None:
            return 0.0
        d = int(np.sum(state)) - self.sparsity.keep
        if self.sparsity.constraint == "penalty":
            return float(self.sparsity.strength) * d * d
        return 0.0 if d == 0 else float("inf")

    def objective(self, state) -> float:
        """Network loss + sparsity term of one selection (an infeasible one under k-of-n: inf)."""
        state = self._state(state)
        return float(self.problem.losses(self.bits(state)[None])[0]) + self.sparsity_term(state)

    def evaluate(self, state) -> dict:
        """Objective, network loss, train/test accuracy and the number kept, of one selection
        (the parent problem's own forward pass)."""
        state = self._state(state)
        b = self.bits(state)[None]
        raw = float(self.problem.losses(b)[0])
        return {"objective": raw + self.sparsity_term(state), "loss": raw,
                "train": float(self.problem.accuracy(b, "train")[0]),
                "test": float(self.problem.accuracy(b, "test")[0]), "kept": int(state.sum())}

    # -- the random weights (for edge-popup and for figures) --------------------------------------
    def weights(self, l: int) -> np.ndarray:
        """Layer ``l``'s fixed weights (units, inputs) in {-1, +1}."""
        return 2.0 * self.base[self.problem.register.weight_index[l]] - 1.0

    def bias(self, l: int) -> np.ndarray | None:
        idx = self.problem.register.bias_index[l]
        return None if idx is None else 2.0 * self.base[idx] - 1.0
