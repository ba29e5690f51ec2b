"""Helpers shared by the solver adapters: variable ordering, seeds, compiled polynomials.

Private to :mod:`anneal_binn.solvers`; adapters import from here so that every backend
orders variables, draws seeds and compiles a HUBO the same way.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Hashable, Iterable

import dimod
import numpy as np
from dimod.exceptions import SamplerUnknownArgWarning


def ordered_variables(variables: Iterable[Hashable]) -> list:
    """The variables in the package's canonical order (ints ascending, then other labels by str).

    Sorting makes results independent of how a model was built (and of ``PYTHONHASHSEED``), and
    matches the exact solver and the dense transforms (bit i of an index = variable i).
    """
    from anneal_binn.polynomial import _sort_key

    # type name and repr break ties between distinct labels that print alike (the tuple ('a',)
    # and the string "('a',)"), so the order never depends on set iteration order
    return sorted(variables, key=lambda v: (_sort_key(v), type(v).__name__, repr(v)))


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


@dataclass(frozen=True)
class CompiledPolynomial:
    """A HUBO in flat arrays, the form the annealing kernels work on.

    Attributes:
        variables: original labels; column ``j`` of a sample array is ``variables[j]``.
        spin: True for a SPIN polynomial (values -1/+1), False for BINARY (0/1).
        offset: the constant term.
        coef: (T,) float64 bias of each non-constant term.
        term_ptr: (T+1,) int64; term ``t`` holds ``term_vars[term_ptr[t]:term_ptr[t+1]]``.
        term_vars: flat int32 variable indices of every term.
        var_ptr: (n+1,) int64; variable ``i`` is in terms ``var_terms[var_ptr[i]:var_ptr[i+1]]``.
        var_terms: flat int32 term indices (the term adjacency used for local-field updates).
    """

    variables: tuple
    spin: bool
    offset: float
    coef: np.ndarray
    term_ptr: np.ndarray
    term_vars: np.ndarray
    var_ptr: np.ndarray
    var_terms: np.ndarray

    @property
    def num_variables(self) -> int:
        return len(self.variables)

    @property
    def num_terms(self) -> int:
        return len(self.coef)

    @classmethod
    def from_polynomial(cls, poly: dimod.BinaryPolynomial) -> "CompiledPolynomial":
        variables = ordered_variables(poly.variables)
        index = {v: i for i, v in enumerate(variables)}
        offset = 0.0
        terms: list[tuple[tuple[int, ...], float]] = []
        for term, bias in poly.items():
            if not term:
                offset += float(bias)
                continue
            if bias == 0:
                continue
            terms.append((tuple(sorted(index[v] for v in term)), float(bias)))
        terms.sort()  # deterministic term order, independent of construction order
        n = len(variables)
        coef = np.array([b for _, b in terms], dtype=np.float64)
        sizes = np.array([len(t) for t, _ in terms], dtype=np.int64)
        term_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(sizes, out=term_ptr[1:])
        term_vars = np.fromiter((v for t, _ in terms for v in t), dtype=np.int32, count=int(sizes.sum()))
        term_ids = np.repeat(np.arange(len(terms), dtype=np.int32), sizes)
        order = np.argsort(term_vars, kind="stable")
        var_terms = term_ids[order].astype(np.int32)
        counts = np.bincount(term_vars, minlength=n) if n else np.zeros(0, dtype=np.int64)
        var_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=var_ptr[1:])
        return cls(tuple(variables), poly.vartype is dimod.SPIN, offset, coef, term_ptr, term_vars, var_ptr, var_terms)

    def energies(self, samples: np.ndarray) -> np.ndarray:
        """Energy of each row of ``samples`` (S, n) in this polynomial's vartype, vectorized."""
        samples = np.asarray(samples)
        out = np.full(samples.shape[0], self.offset, dtype=np.float64)
        if not self.num_terms:
            return out
        cols = samples[:, self.term_vars].astype(np.float64)
        # product within each term via log-free segmented reduction
        prods = np.multiply.reduceat(cols, self.term_ptr[:-1], axis=1)
        out += prods @ self.coef
        return out


def sampleset(samples: np.ndarray, energies: np.ndarray, variables, vartype, info: dict | None = None,
              **vectors) -> dimod.SampleSet:
    """Build a SampleSet with one row per read (no aggregation, so ``num_reads`` is honoured)."""
    samples = np.asarray(samples, dtype=np.int8)
    return dimod.SampleSet.from_samples(
        (samples, list(variables)), vartype, energy=np.asarray(energies, dtype=np.float64),
        info=dict(info or {}), **vectors,
    )
