"""``sbpi`` and ``cpr``: the efficient online learning rules of the binary perceptron.

Every binary synapse ``w_i = sign(h_i)`` carries a hidden integer state ``h_i`` clipped to
``[-max_state, max_state]`` (started at ±1 at random). Patterns are presented one at a time, in
a fresh random order each sweep; with stability ``Δ = y · Σ_i w_i x_i``:

- **SBPI** (stochastic belief-propagation-inspired; Baldassi, Braunstein, Brunel & Zecchina,
  PNAS 104:11079, 2007): a misclassified pattern moves every hidden state by ``2 y x_i``
  (the clipped perceptron step); a *barely correct* one (``0 < Δ <= threshold``) moves, with
  probability ``rate``, only the synapses that already push the right way (``y x_i w_i > 0``),
  deeper into their state: a metaplastic change that never flips a weight.
- **CP+R** (clipped perceptron with reinforcement; Baldassi, J. Stat. Phys. 2009): the same
  error step, plus, with probability ``rate`` at each presentation, every hidden state moves one
  step (2) away from zero.

A read stops after the first sweep with no misclassified pattern (neither reinforcement flips a
sign, so its weights then classify every pattern). A bias is one more synapse on a constant +1
input; ties follow the package's sign (``Σ >= 0`` predicts +1). Only single-layer sign nets
(one sign output unit, no hidden layer, masks or choices) are accepted.

Defaults were picked on random ±1 patterns (``benchmarks/baselines.py`` has the tables):
``max_state`` = the odd integer nearest 2·sqrt(n) for n synapses (63 at N = 1001, 29 at N = 201),
``threshold`` = 1, ``rate`` = 0.3 for SBPI and 0.12·sqrt(2/(πn)) for CP+R (the reinforcement
must stay below sqrt(2/(πn)), Baldassi 2009), ``max_sweeps`` = 10,000. The hidden range must
grow with N: at N = 1001 SBPI with ``max_state=15`` stalls near 120 errors already at
alpha = 0.6, with 63 it reaches zero errors at alpha = 0.7 in a few hundred sweeps (under a
second compiled); at N = 201, 63 leaves 2 of 10 instances at 1–10 errors where 29 solves all.
This CP+R often stops one error short, from alpha = 0.5 at N = 1001: near a solution the
reinforcement (rate·P steps of 2 per sweep, outward) outpaces the one error step per sweep
that the last misclassified pattern applies, so saturated synapses never flip; SBPI, whose
metaplastic step only touches barely correct patterns, does not have that fixed point. The loop is compiled with numba
(``fast`` extra); without it a numpy loop gives the same nets from the same seed, much more
slowly.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("perceptron-N21-alpha0.5"))
    >>> ss = ab.solve(problem, solver="sbpi", seed=0, num_reads=2)
    >>> ss.record.energy.tolist()
    [0.0, 0.0]
"""
from __future__ import annotations

from typing import Any

import dimod
import numpy as np

from anneal_binn.solvers._common import check_num_reads, make_rng, sampleset
from anneal_binn.solvers.cpr import _kernels

__all__ = ["BinaryPerceptronSampler", "SBPISampler", "CPRSampler", "perceptron_data"]


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def perceptron_data(problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, columns)`` of a single-layer sign perceptron: inputs with a +1 column appended when
    the net has a bias, labels ±1 as floats, and the variable index of every synapse.

    Raises:
        ValueError: (one line) when the problem is not a single-layer net with one sign output.

    Examples:
        >>> import anneal_binn as ab
        >>> X, y, cols = perceptron_data(ab.build(ab.load_spec("perceptron-N21-alpha0.5")))
        >>> X.shape, cols[:3].tolist()
        ((11, 21), [0, 1, 2])
    """
    arch, reg = problem.arch, problem.register
    layer = arch.layers[-1]
    if (len(arch.layers) != 1 or layer.widths != (1,) or layer.activations != ("sign",)
            or layer.mask or layer.neuron_mask):
        raise ValueError(
            f"{problem.name}: the perceptron rules need a single-layer net with one sign output unit "
            "(no hidden layer, masks or activation/width choices), optional bias")
    X = np.asarray(problem.data.x_train, dtype=np.float64)
    cols = reg.weight_index[0][0]
    if reg.bias_index[0] is not None:
        X = np.hstack([X, np.ones((len(X), 1))])
        cols = np.concatenate([cols, reg.bias_index[0]])
    y = np.where(np.asarray(problem.data.y_train) > 0, 1.0, -1.0)
    return np.ascontiguousarray(X), y, np.asarray(cols, dtype=np.int64)


class BinaryPerceptronSampler(dimod.Sampler):
    """SBPI or CP+R on a single-layer sign net, one read per random restart; see the module docstring.

    Args:
        rule: ``"sbpi"`` or ``"cpr"``.
        backend: ``"auto"`` (numba when installed), ``"numba"`` or ``"numpy"``.

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("perceptron-N21-alpha0.5"))
        >>> ss = BinaryPerceptronSampler("cpr").sample_problem(problem, num_reads=3, seed=1)
        >>> len(ss), float(ss.first.energy)
        (3, 0.0)
    """

    # None: set from the number of synapses n (see default_params)
    _defaults = {"sbpi": {"max_sweeps": 10000, "max_state": None, "threshold": 1.0, "rate": 0.3},
                 "cpr": {"max_sweeps": 10000, "max_state": None, "threshold": 1.0, "rate": None}}

    def __init__(self, rule: str = "sbpi", backend: str = "auto"):
        if rule not in self._defaults:
            raise ValueError(f"rule: must be 'sbpi' or 'cpr', got {rule!r}")
        if backend not in ("auto", "numba", "numpy"):
            raise ValueError(f"backend: must be 'auto', 'numba' or 'numpy', got {backend!r}")
        if backend == "numba" and not _numba_available():
            from anneal_binn.errors import MissingExtraError

            raise MissingExtraError("backend='numba' needs numba: pip install 'anneal-binn[fast]'")
        self.rule = rule
        self.backend = "numba" if backend == "auto" and _numba_available() else ("numpy" if backend == "auto" else backend)

    def default_params(self, n: int) -> dict:
        """The defaults for ``n`` synapses (weights plus the bias).

        Examples:
            >>> BinaryPerceptronSampler("sbpi").default_params(1001)["max_state"]
            63
            >>> round(BinaryPerceptronSampler("cpr").default_params(1001)["rate"], 4)
            0.003
        """
        out = dict(self._defaults[self.rule])
        if out["max_state"] is None:
            out["max_state"] = 2 * int(np.floor(np.sqrt(n))) + 1 if n > 0 else 1  # odd: states stay odd
        if out["rate"] is None:
            out["rate"] = 0.12 * float(np.sqrt(2.0 / (np.pi * n)))
        return out

    @property
    def parameters(self) -> dict:
        return {"num_reads": [], "seed": [], **{k: [] for k in self._defaults[self.rule]}}

    @property
    def properties(self) -> dict:
        return {"rule": self.rule, "backend": self.backend, "defaults": dict(self._defaults[self.rule])}

    def sample(self, bqm, **kwargs):
        """Not defined: these rules learn from patterns; use ``sample_problem`` (``ab.solve``)."""
        raise TypeError(f"{self.rule}: needs the Problem (its patterns), not a BQM; call ab.solve(problem, solver=...)")

    def sample_problem(self, problem, *, num_reads: int | None = None, seed: int | None = None,
                       **params: Any) -> dimod.SampleSet:
        """Train ``num_reads`` restarts; one row each (BINARY over variables 0..N-1).

        Args:
            problem: a single-layer sign-net :class:`~anneal_binn.problem.Problem`.
            num_reads: restarts (default 1).
            seed: int; the same seed gives the same nets with either backend.
            max_sweeps: sweeps over the patterns before a read gives up (default 10,000).
            max_state: clip of the hidden states (default: the odd integer nearest 2·sqrt(n)).
            threshold: SBPI's "barely correct" stability bound (default 1).
            rate: SBPI's metaplastic probability (0.3) / CP+R's reinforcement probability
                (0.12·sqrt(2/(πn))).

        Returns:
            A SampleSet whose energies are ``problem.losses`` of the final nets, with a ``sweeps``
            vector (sweeps used; ``max_sweeps`` when a read did not reach zero errors).
        """
        from anneal_binn.solvers._common import drop_unknown_kwargs

        params = drop_unknown_kwargs(self, dict(params))  # dimod's policy: warn, drop, go on
        X, y, cols = perceptron_data(problem)
        opts = self.default_params(X.shape[1])
        opts.update({k: v for k, v in params.items() if v is not None})
        max_sweeps = int(opts["max_sweeps"])
        if max_sweeps < 1 or float(opts["max_state"]) < 1 or not 0 <= float(opts["rate"]) <= 1:
            raise ValueError("max_sweeps and max_state must be >= 1 and rate in [0, 1]")
        reads = check_num_reads(num_reads)
        make_rng(seed)  # validates the seed
        children = np.random.SeedSequence(seed).spawn(reads)
        H = np.empty((reads, X.shape[1]))
        seeds = np.empty(reads, dtype=np.uint64)
        for r, child in enumerate(children):
            g = np.random.default_rng(child)
            H[r] = g.choice(np.array([-1.0, 1.0]), size=X.shape[1])
            seeds[r] = g.integers(0, 2**63, dtype=np.uint64)
        sweeps = np.zeros(reads, dtype=np.int64)
        rule = _kernels.SBPI if self.rule == "sbpi" else _kernels.CPR
        train = _kernels.numba_kernel() if self.backend == "numba" else _kernels.train_numpy
        train(X, y, H, float(opts["max_state"]), rule, float(opts["threshold"]), float(opts["rate"]),
              max_sweeps, seeds, sweeps)
        bits = np.zeros((reads, problem.num_variables), dtype=np.int8)
        bits[:, cols] = (H >= 0).astype(np.int8)
        info = {"rule": self.rule, "backend": self.backend, "params": opts}
        return sampleset(bits, problem.losses(bits), problem.variables, dimod.BINARY, info, sweeps=sweeps)


class SBPISampler(BinaryPerceptronSampler):
    """:class:`BinaryPerceptronSampler` with ``rule="sbpi"`` (registry name ``sbpi``).

    Examples:
        >>> SBPISampler(backend="numpy").properties["rule"]
        'sbpi'
    """

    def __init__(self, backend: str = "auto"):
        super().__init__("sbpi", backend)


class CPRSampler(BinaryPerceptronSampler):
    """:class:`BinaryPerceptronSampler` with ``rule="cpr"`` (registry name ``cpr``).

    Examples:
        >>> CPRSampler(backend="numpy").properties["rule"]
        'cpr'
    """

    def __init__(self, backend: str = "auto"):
        super().__init__("cpr", backend)
