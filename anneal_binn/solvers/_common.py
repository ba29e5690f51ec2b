"""Helpers shared by the solver adapters: variable ordering, seeds, compiled polynomials.

Private to :mod:`anneal_binn.solvers`; adapters import from here so that every backend
orders variables, draws seeds and compiles a HUBO the same way.
"""
from __future__ import annotations

import warnings
from typing import Any, Hashable, Iterable

import dimod
import numpy as np
from dimod.exceptions import SamplerUnknownArgWarning

# the one compiled evaluator lives in anneal_binn.polynomial; re-exported for the adapters
from anneal_binn.polynomial import CompiledPolynomial, variable_order  # noqa: F401


def ordered_variables(variables: Iterable[Hashable]) -> list:
    """The variables in the package's one order (:func:`anneal_binn.polynomial.variable_order`).

    Sorting makes results independent of how a model was built (and of ``PYTHONHASHSEED``), and
    matches the exact solver and the dense transforms (bit i of an index = variable i).
    """
    return variable_order(variables)


def drop_unknown_kwargs(sampler: Any, kwargs: dict, stacklevel: int = 3) -> dict:
    """dimod's keyword policy: warn about and remove every keyword not in ``sampler.parameters``.

    The same rule as ``dimod.Sampler.remove_unknown_kwargs`` (a ``SamplerUnknownArgWarning`` per
    unknown name, the call goes on without it), with the solver and its known names in the
    message so that a typo is easy to spot. ``kwargs`` is changed in place and returned.

    Args:
        sampler: the solver; its ``parameters`` mapping lists the keywords it takes.
        kwargs: keywords of one call (or the stored defaults of an adapter).
        stacklevel: passed to ``warnings.warn``; the default 3 points at the caller of the
            solver method that called this function.
    """
    known = sampler.parameters
    for name in [k for k in kwargs if k not in known]:
        warnings.warn(f"{type(sampler).__name__}: ignoring unknown keyword {name!r}; known: {', '.join(sorted(known))}",
                      SamplerUnknownArgWarning, stacklevel=stacklevel)
        del kwargs[name]
    return kwargs


def make_rng(seed: int | None) -> np.random.Generator:
    """A numpy Generator; ``seed`` must be None or a non-negative int."""
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0):
        raise TypeError(f"seed: must be None or a non-negative int, got {seed!r}")
    return np.random.default_rng(seed)


def check_num_reads(num_reads: Any, default: int = 1) -> int:
    """Validate ``num_reads`` (None means ``default``)."""
    if num_reads is None:
        return default
    if not isinstance(num_reads, (int, np.integer)) or isinstance(num_reads, bool) or num_reads < 1:
        raise ValueError(f"num_reads: must be a positive int, got {num_reads!r}")
    return int(num_reads)


def as_polynomial(poly: Any, vartype: Any = None) -> dimod.BinaryPolynomial:
    """Accept a BinaryPolynomial, a BQM, or a ``{term: bias}`` mapping with a vartype."""
    if isinstance(poly, dimod.BinaryPolynomial):
        return poly
    if isinstance(poly, dimod.BinaryQuadraticModel):
        terms = {(v,): b for v, b in poly.linear.items()}
        terms.update({(u, v): b for (u, v), b in poly.quadratic.items()})
        terms[()] = poly.offset
        return dimod.BinaryPolynomial(terms, poly.vartype)
    if isinstance(poly, dict):
        if vartype is None:
            raise ValueError("vartype: a dict polynomial needs vartype='BINARY' or 'SPIN'")
        return dimod.BinaryPolynomial(poly, vartype)
    raise TypeError(f"polynomial: expected dimod.BinaryPolynomial, BQM or dict, got {type(poly).__name__}")


class PolyAnnealerBase(dimod.PolySampler, dimod.Sampler):
    """Shared plumbing of the annealing-schedule simulators: a BQM is sampled as a degree-2
    polynomial, and parameter names outside ``self._params`` are dropped with a
    ``SamplerUnknownArgWarning`` (dimod's policy, :func:`drop_unknown_kwargs`)."""

    _params: tuple = ()

    @property
    def parameters(self) -> dict:
        return {p: [] for p in self._params}

    def _validate_names(self, kwargs: dict) -> None:
        """Warn about and remove (in place) the names of ``kwargs`` this solver does not take."""
        drop_unknown_kwargs(self, kwargs, stacklevel=4)

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Anneal a BQM (treated as a degree-2 polynomial)."""
        return self.sample_poly(as_polynomial(bqm), **kwargs)


class ProblemCostMixin:
    """Schedule simulators that also anneal a :class:`~anneal_binn.problem.Problem` directly when its
    loss is a :class:`~anneal_binn.tensor_network.StabilityCost` (a perceptron-like net): one
    counter MPO per pattern, built from the model, and no HUBO at all (a 21-weight perceptron's
    Fourier HUBO has about 10^6 terms; a 101-weight one cannot be written). The pipeline takes
    this route when :meth:`accepts_problem` says so; otherwise the solver gets the HUBO.
    """

    #: solver parameters that force the HUBO route, and the values that do not
    _hubo_only_params: dict = {}

    def accepts_problem(self, problem, params: dict | None = None) -> bool:
        """Whether ``problem`` goes the stability route with these sample parameters."""
        from anneal_binn.tensor_network.costs import StabilityCost

        for name, allowed in self._hubo_only_params.items():
            if (params or {}).get(name, allowed[0]) not in allowed:
                return False
        return StabilityCost.problem_support(problem) is None

    def sample_problem(self, problem, **kwargs: Any) -> dimod.SampleSet:
        """Anneal ``problem``'s training loss as a stability cost; samples are BINARY over its
        variables 0..N-1, energies its loss (as the Fourier HUBO's would be)."""
        from anneal_binn.tensor_network.costs import StabilityCost

        reason = StabilityCost.problem_support(problem)
        if reason is not None:
            raise ValueError(f"{problem.name}: not a stability cost: {reason}; give the solver its HUBO (sample_poly)")
        return self.sample_cost(StabilityCost.from_problem(problem, energy="loss"), **kwargs)


def sampleset(samples: np.ndarray, energies: np.ndarray, variables, vartype, info: dict | None = None,
              **vectors) -> dimod.SampleSet:
    """Build a SampleSet with one row per read (no aggregation, so ``num_reads`` is honoured)."""
    samples = np.asarray(samples, dtype=np.int8)
    return dimod.SampleSet.from_samples(
        (samples, list(variables)), vartype, energy=np.asarray(energies, dtype=np.float64),
        info=dict(info or {}), **vectors,
    )
