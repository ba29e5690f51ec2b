"""``sa``, ``tabu``, ``steepest``, ``sqa``: the dwave-samplers QUBO solvers behind one adapter.

Each adapter is a ``dimod.Sampler`` that stores default parameters at construction (the registry
passes ``**params``), forwards ``seed`` and ``num_reads``, and checks parameter names against the
wrapped sampler: a name it does not take is dropped with a ``SamplerUnknownArgWarning`` (dimod's
policy), whether it was stored as a default or given to ``sample``, so a typo is never silent.

``sqa`` is path-integral simulated quantum annealing (dwave-samplers
``PathIntegralAnnealingSampler``): Trotter slices of the transverse-field Ising model, annealed
with a decreasing transverse field; one classical slice is returned per read.

Seeding ``sqa``: the C++ core (``localPIMC::initPRNG``) treats seed 0 as "draw a seed from
``std::random_device``", so ``seed=0`` used to give different samples on every call. The
adapter therefore hands the core :func:`core_seed` of the seed, a fixed map of every seed in
``0..2**32-1`` to a non-zero 31-bit seed; the same ``seed`` now always gives the same samples
(single-threaded core, initial states drawn from the same seed). ``seed=None`` stays random.
``tabu`` stops each read after ``timeout`` milliseconds of wall time, so on a loaded machine
the same seed can search further or less far; only its small-problem answers are reproducible.

Examples:
    >>> import dimod
    >>> from anneal_binn.solvers.classical import SimulatedAnnealing
    >>> bqm = dimod.BinaryQuadraticModel({0: 1.0, 1: -1.0}, {(0, 1): -0.5}, 0.0, "BINARY")
    >>> ss = SimulatedAnnealing(num_sweeps=100).sample(bqm, num_reads=4, seed=7)
    >>> float(ss.first.energy)
    -1.0
"""
from __future__ import annotations

from typing import Any

import dimod
import numpy as np

from anneal_binn.solvers._common import drop_unknown_kwargs


class _DwaveAdapter(dimod.Sampler):
    """A dwave-samplers sampler with stored defaults and checked parameter names."""

    _child_name: str = ""

    def __init__(self, **defaults: Any):
        import dwave.samplers

        self.child = getattr(dwave.samplers, self._child_name)()
        self.defaults = drop_unknown_kwargs(self, dict(defaults))

    @property
    def parameters(self) -> dict:
        """The child's documented parameters plus the other keywords its ``sample`` signature takes."""
        import inspect

        params = {k: list(v) for k, v in self.child.parameters.items()}
        for name in inspect.signature(self.child.sample).parameters:
            if name not in ("self", "bqm", "kwargs"):
                params.setdefault(name, [])
        return params

    @property
    def properties(self) -> dict:
        return {"child": self._child_name, "defaults": dict(self.defaults)}

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Sample ``bqm``; ``kwargs`` override the stored defaults. Energies are ``bqm``'s."""
        drop_unknown_kwargs(self, kwargs)
        opts = {**self.defaults, **kwargs}
        opts = {k: v for k, v in opts.items() if v is not None}
        if not bqm.num_variables:
            # TabuSampler answers a model without variables with no rows at all; like the SA and
            # SQA cores, every read is the one (empty) assignment, energy = the offset
            reads = int(opts.get("num_reads", 1))
            return dimod.SampleSet.from_samples((np.zeros((reads, 0), dtype=np.int8), []), bqm.vartype,
                                                np.full(reads, float(bqm.offset)), info={"solver": self._child_name})
        ss = self.child.sample(bqm, **opts)
        ss.info.setdefault("solver", self._child_name)
        return ss


class SimulatedAnnealing(_DwaveAdapter):
    """``sa``: dwave-samplers SimulatedAnnealingSampler (Metropolis, geometric beta schedule)."""

    _child_name = "SimulatedAnnealingSampler"


class Tabu(_DwaveAdapter):
    """``tabu``: dwave-samplers TabuSampler (multistart tabu search)."""

    _child_name = "TabuSampler"

    def __init__(self, timeout: int = 100, **defaults: Any):
        # TabuSampler's default timeout is 20 ms per read; keep it explicit and short.
        super().__init__(timeout=timeout, **defaults)


class SteepestDescent(_DwaveAdapter):
    """``steepest``: dwave-samplers SteepestDescentSolver from random starts (a greedy baseline)."""

    _child_name = "SteepestDescentSolver"


def core_seed(seed: int) -> int:
    """The seed handed to the path-integral core for a user ``seed``: never 0, always the same.

    ``PathIntegralAnnealingSampler`` accepts seeds in ``0..2**31-1``, and its core replaces 0 by
    a ``std::random_device`` draw. Hashing with numpy's SeedSequence lands every seed in
    ``1..2**31-1`` without mapping 0 onto the stream of some other user seed such as 1.

    Examples:
        >>> core_seed(0) == core_seed(0) and core_seed(0) != 0
        True
    """
    return int(np.random.SeedSequence(int(seed)).generate_state(1)[0]) % (2**31 - 1) + 1


class PathIntegralAnnealing(_DwaveAdapter):
    """``sqa``: dwave-samplers PathIntegralAnnealingSampler (simulated quantum annealing).

    ``seed`` is passed through :func:`core_seed`, so every seed (0 included) is reproducible.
    """

    _child_name = "PathIntegralAnnealingSampler"

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Sample ``bqm``; ``kwargs`` override the stored defaults. Energies are ``bqm``'s."""
        drop_unknown_kwargs(self, kwargs)
        seed = kwargs.get("seed", self.defaults.get("seed"))
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
                raise ValueError(f"seed: must be None or an int in 0..2**32-1, got {seed!r}")
            kwargs = {**kwargs, "seed": core_seed(seed)}
        ss = super().sample(bqm, **kwargs)
        if seed is not None:
            ss.info["seed"] = int(seed)
        return ss
