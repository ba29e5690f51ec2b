"""Conformance kit: the asserts every solver adapter in the registry must pass.

Like ``dimod.testing`` and scikit-learn's ``check_estimator``: one call,
:func:`check_solver`, runs every check on a small random problem of the solver's input kind
(HUBO for PolySamplers, QUBO/Ising for Samplers) in both vartypes:

- API: it is a ``dimod.PolySampler``/``dimod.Sampler`` with ``parameters`` and ``properties``
  and returns a ``dimod.SampleSet``;
- energies recomputed: every returned energy equals the model's energy of its sample;
- seeds reproducible: the same seed gives identical samples;
- variables preserved: the sample variables are exactly the input variables (any labels);
- ``num_reads`` honoured (counting ``num_occurrences``) and the vartype preserved.

Examples:
    >>> from anneal_binn import solvers
    >>> from anneal_binn.testing import check_solver
    >>> check_solver("exact")
    >>> check_solver(solvers.get("hubo-sa", num_sweeps=50), input="hubo")
"""
from __future__ import annotations

from typing import Any

import dimod
import numpy as np

__all__ = ["check_solver", "random_hubo", "random_bqm", "assert_energies_match", "assert_same_samples"]

LABELS = ("a", 3, "w[0]", 7, "x", 11)  # mixed labels: adapters must not assume 0..n-1


def random_hubo(num_variables: int = 6, num_terms: int = 14, max_degree: int = 3, vartype="BINARY",
                seed: int = 0, labels=None) -> dimod.BinaryPolynomial:
    """A random HUBO with integer-valued biases (so ground states are exact) over ``labels``."""
    rng = np.random.default_rng(seed)
    labels = list(labels) if labels is not None else list(range(num_variables))
    terms: dict = {(): float(rng.integers(-3, 4))}
    for _ in range(num_terms):
        k = int(rng.integers(1, max_degree + 1))
        idx = sorted(rng.choice(len(labels), size=min(k, len(labels)), replace=False).tolist())
        key = tuple(labels[i] for i in idx)
        terms[key] = terms.get(key, 0.0) + float(rng.integers(-4, 5) or 1)
    # every variable appears, so "variables preserved" is meaningful
    for v in labels:
        terms[(v,)] = terms.get((v,), 0.0) + 0.5
    return dimod.BinaryPolynomial(terms, vartype)


def random_bqm(num_variables: int = 6, vartype="BINARY", seed: int = 0, labels=None) -> dimod.BinaryQuadraticModel:
    """A random dense BQM with integer-valued biases over ``labels``."""
    rng = np.random.default_rng(seed)
    labels = list(labels) if labels is not None else list(range(num_variables))
    bqm = dimod.BinaryQuadraticModel(vartype)
    for v in labels:
        bqm.add_variable(v, float(rng.integers(-3, 4)) + 0.5)
    for i, u in enumerate(labels):
        for v in labels[i + 1:]:
            if rng.random() < 0.6:
                bqm.add_interaction(u, v, float(rng.integers(-3, 4)) or 1.0)
    bqm.offset = 1.0
    return bqm


def assert_energies_match(model, ss: dimod.SampleSet, atol: float = 1e-8) -> None:
    """Every energy in ``ss`` equals ``model``'s energy of that row's sample."""
    if len(ss) == 0:
        raise AssertionError("sampler returned an empty SampleSet")
    expected = model.energies((ss.record.sample, list(ss.variables)))
    got = ss.record.energy
    bad = np.flatnonzero(~np.isclose(got, expected, atol=atol, rtol=1e-9))
    if bad.size:
        i = int(bad[0])
        raise AssertionError(f"energy mismatch at row {i}: sampler says {got[i]}, model gives {expected[i]}")


def assert_same_samples(a: dimod.SampleSet, b: dimod.SampleSet) -> None:
    """Two sample sets have identical variables, samples and energies, row by row."""
    if list(a.variables) != list(b.variables):
        raise AssertionError(f"variables differ: {list(a.variables)} vs {list(b.variables)}")
    if a.record.sample.shape != b.record.sample.shape or not np.array_equal(a.record.sample, b.record.sample):
        raise AssertionError("same seed, different samples: the solver is not reproducible")
    if not np.allclose(a.record.energy, b.record.energy):
        raise AssertionError("same seed, different energies")


def _sample(sampler, model, **kwargs) -> dimod.SampleSet:
    if isinstance(model, dimod.BinaryPolynomial):
        return sampler.sample_poly(model, **kwargs)
    return sampler.sample(model, **kwargs)


def check_solver(solver: Any, input: str | None = None, num_reads: int = 5, seed: int = 1,
                 num_variables: int = 6, deterministic: bool = False, **params: Any) -> None:
    """Run every conformance check on ``solver`` (a registry name or an instance).

    Args:
        solver: registry name (made with ``params``) or a Sampler/PolySampler instance.
        input: ``"hubo"`` or ``"bqm"``; looked up in the registry for a name.
        num_reads: reads requested in each check.
        seed: seed used for the reproducibility check.
        num_variables: size of the random models (keep small: statevector/exact enumerate 2^n).
        deterministic: the solver ignores ``num_reads`` by design (exact returns k best; hybrid one answer).

    Raises:
        AssertionError: naming the first check that failed.
    """
    from anneal_binn import solvers

    if isinstance(solver, str):
        input = input or solvers.entry(solver).input
        sampler = solvers.get(solver, **params)
    else:
        sampler = solver
        if input is None:
            input = "hubo" if isinstance(sampler, dimod.PolySampler) else "bqm"
    if input not in ("hubo", "bqm"):
        raise ValueError(f"input: must be 'hubo' or 'bqm', got {input!r}")
    base = dimod.PolySampler if input == "hubo" else dimod.Sampler
    if not isinstance(sampler, base):
        raise AssertionError(f"{type(sampler).__name__} is not a dimod.{base.__name__}")
    if not isinstance(sampler.parameters, dict) or not isinstance(sampler.properties, dict):
        raise AssertionError("parameters and properties must be dicts")
    labels = list(LABELS[:num_variables]) + list(range(100, 100 + max(0, num_variables - len(LABELS))))
    for vartype in ("BINARY", "SPIN"):
        if input == "hubo":
            model = random_hubo(num_variables, vartype=vartype, seed=seed, labels=labels)
        else:
            model = random_bqm(num_variables, vartype=vartype, seed=seed, labels=labels)
        a = _sample(sampler, model, num_reads=num_reads, seed=seed)
        if not isinstance(a, dimod.SampleSet):
            raise AssertionError(f"returned {type(a).__name__}, not a dimod.SampleSet")
        if a.vartype is not model.vartype:
            raise AssertionError(f"vartype not preserved: {model.vartype.name} in, {a.vartype.name} out")
        if set(a.variables) != set(model.variables):
            raise AssertionError(f"variables not preserved: {sorted(map(str, a.variables))} vs "
                                 f"{sorted(map(str, model.variables))}")
        allowed = {-1, 1} if vartype == "SPIN" else {0, 1}
        if not set(np.unique(a.record.sample).tolist()) <= allowed:
            raise AssertionError(f"sample values outside {allowed}")
        assert_energies_match(model, a)
        reads = int(a.record.num_occurrences.sum())
        if not deterministic and reads != num_reads:
            raise AssertionError(f"num_reads not honoured: asked {num_reads}, got {reads}")
        b = _sample(sampler, model, num_reads=num_reads, seed=seed)
        assert_same_samples(a, b)
