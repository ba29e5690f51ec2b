"""``sa``, ``tabu``, ``steepest``, ``sqa``: the dwave-samplers QUBO solvers behind one adapter.

Each adapter is a ``dimod.Sampler`` that stores default parameters at construction (the registry
passes ``**params``), forwards ``seed`` and ``num_reads``, and checks parameter names against the
wrapped sampler so a typo is an error rather than a silently ignored keyword.

``sqa`` is path-integral simulated quantum annealing (dwave-samplers
``PathIntegralAnnealingSampler``): Trotter slices of the transverse-field Ising model, annealed
with a decreasing transverse field; one classical slice is returned per read.

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


class _DwaveAdapter(dimod.Sampler):
    """A dwave-samplers sampler with stored defaults and checked parameter names."""

    _child_name: str = ""
    _aliases: dict[str, str] = {}

    def __init__(self, **defaults: Any):
        import dwave.samplers

        self.child = getattr(dwave.samplers, self._child_name)()
        self.defaults = dict(defaults)
        self._check(self.defaults)

    @property
    def parameters(self) -> dict:
        return dict(self.child.parameters)

    @property
    def properties(self) -> dict:
        return {"child": self._child_name, "defaults": dict(self.defaults)}

    def _check(self, kwargs: dict) -> None:
        known = set(self.child.parameters) | self._extra_parameters()
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)}: unknown parameter(s) for {self._child_name}; known: {', '.join(sorted(known))}"
            )

    def _extra_parameters(self) -> set[str]:
        import inspect

        sig = inspect.signature(self.child.sample)
        return {p for p in sig.parameters if p not in ("self", "bqm", "kwargs")}

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Sample ``bqm``; ``kwargs`` override the stored defaults. Energies are ``bqm``'s."""
        self._check(kwargs)
        opts = {**self.defaults, **kwargs}
        opts = {k: v for k, v in opts.items() if v is not None}
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


class PathIntegralAnnealing(_DwaveAdapter):
    """``sqa``: dwave-samplers PathIntegralAnnealingSampler (simulated quantum annealing)."""

    _child_name = "PathIntegralAnnealingSampler"
