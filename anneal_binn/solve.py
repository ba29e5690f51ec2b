"""``ab.solve``: one entry point from a Problem to a SampleSet over its variables, through the registry.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p2"))
    >>> ss = ab.solve(problem, solver="exact")
    >>> len(ss), float(ss.first.energy)
    (4, 0.0)
"""
from __future__ import annotations

import dimod
import numpy as np

from anneal_binn import solvers

EXACT_LIMIT = 20  # "auto" solves exactly up to this many variables


def default_solver(problem) -> str:
    """The solver ``run`` uses when none is named: exact when small, else simulated annealing."""
    limit = int(problem.spec.run.get("exact_limit", EXACT_LIMIT))
    return problem.spec.run.get("solver") or ("exact" if problem.num_variables <= limit else "sa")


def _exact_from_landscape(problem, num_reads):
    # The Fourier HUBO is exact, so its brute force equals the landscape: skip the round trip.
    L = problem.landscape()
    if num_reads is None:
        order = problem.exact().optima[:1000]
    else:
        k = min(int(num_reads), L.size)
        part = np.argpartition(L, k - 1)[:k] if k < L.size else np.arange(L.size)
        order = part[np.lexsort((part, L[part]))]
    n = problem.num_variables
    samples = ((order[:, None] >> np.arange(n)) & 1).astype(np.int8)
    return dimod.SampleSet.from_samples((samples, problem.variables), dimod.BINARY, L[order],
                                        info={"solver": "exact", "method": "landscape"})


def split_params(name: str, params: dict) -> tuple[dict, dict]:
    """(constructor params, sample params) for solver ``name``.

    A parameter named in the solver factory's signature configures the solver (``mock``,
    ``backend``, ``max_variables``...); everything else is a ``sample`` keyword.
    """
    import importlib
    import inspect

    module_name, factory = solvers.entry(name).target.split(":")
    try:
        obj = getattr(importlib.import_module(f"anneal_binn.solvers.{module_name}"), factory)
    except ImportError:
        return {}, dict(params)  # solvers.get will raise the clear MissingExtraError
    sig = inspect.signature(obj)
    named = {p.name for p in sig.parameters.values()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"}
    ctor = {k: v for k, v in params.items() if k in named}
    return ctor, {k: v for k, v in params.items() if k not in named}


def project(record, raw: dimod.SampleSet) -> dimod.SampleSet:
    """``record.project(raw)``, keeping the sampler's per-read vectors (e.g. chain_break_fraction)."""
    ss = record.project(raw)
    extra = [k for k in raw.record.dtype.names
             if k not in ("sample", "energy", "num_occurrences") and k not in ss.record.dtype.names]
    if not extra or len(ss) != len(raw):
        return ss
    vectors = {k: ss.record[k] for k in ss.record.dtype.names if k not in ("sample", "energy")}
    vectors.update({k: raw.record[k] for k in extra})
    return dimod.SampleSet.from_samples((ss.record.sample, list(ss.variables)), ss.vartype, ss.record.energy,
                                        info=dict(ss.info), **vectors)


def _complete(ss: dimod.SampleSet, problem) -> dimod.SampleSet:
    """Over exactly the problem's variables 0..N-1, in order.

    A truncated HUBO may not mention every variable; such a variable does not change the HUBO
    energy, so it is filled with 0 (BINARY) / -1 (SPIN) and the energies stay correct.
    """
    want = list(problem.variables)
    missing = [v for v in want if v not in ss.variables]
    if missing:
        ss = dimod.append_variables(ss, {v: (0 if ss.vartype is dimod.BINARY else -1) for v in missing})
    if list(ss.variables) != want:
        cols = [ss.variables.index(v) for v in want]
        vectors = {k: ss.record[k] for k in ss.record.dtype.names if k not in ("sample", "energy")}
        ss = dimod.SampleSet.from_samples((ss.record.sample[:, cols], want), ss.vartype, ss.record.energy,
                                          info=dict(ss.info), **vectors)
    return ss


def solve(problem, solver: str | None = None, seed: int | None = None, num_reads: int | None = None,
          hubo: dict | None = None, reduction: str | None = None, **params) -> dimod.SampleSet:
    """Solve a problem with a registered solver; the result is over the problem's variables.

    PolySamplers (registry input ``"hubo"``) get ``problem.to_hubo(...)``; QUBO samplers get
    ``ab.reduce(hubo)`` and their samples are projected back with the Reduction, so every
    result is over variables 0..N-1 with energies equal to the HUBO energy.

    Args:
        problem: a :class:`~anneal_binn.problem.Problem`.
        solver: registry name (see ``ab.solvers.available()``); None picks :func:`default_solver`.
        seed, num_reads: passed to the solver when given.
        hubo: options for ``problem.to_hubo`` (e.g. ``{"method": "fourier", "max_degree": 3}``).
        reduction: ``ab.reduce`` method for solvers that take a QUBO (default ``"auto"``).
        **params: solver parameters (constructor defaults and ``sample`` keywords alike).

    Returns:
        A SampleSet; ``info["timing"]`` holds ``formulate_s``, ``reduce_s`` and ``sample_s`` (the
        time to use for TTS), ``info["solver"]`` the name, and ``info["reduction"]`` a summary
        for QUBO solvers. ``problem.evaluate(ss)`` gives the true losses and accuracies.

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p1"))
        >>> ss = ab.solve(problem, solver="hubo-sa", seed=0, num_reads=10)
        >>> list(ss.variables) == problem.variables
        True
    """
    import time

    name = solver or default_solver(problem)
    hubo = dict(problem.spec.run.get("hubo", {}) if hubo is None else hubo)
    if name == "exact" and not hubo:
        t0 = time.perf_counter()
        ss = _exact_from_landscape(problem, num_reads)
        ss.info["timing"] = {"formulate_s": 0.0, "reduce_s": 0.0, "sample_s": time.perf_counter() - t0}
        return ss
    entry = solvers.entry(name)
    # The spec's run defaults apply when its own solver is used (named or by default).
    spec_defaults = name == default_solver(problem)
    if num_reads is None and spec_defaults:
        num_reads = problem.spec.run.get("num_reads")
    ctor, kwargs = split_params(name, dict(problem.spec.run.get("params", {}) if spec_defaults else {}, **params))
    sampler = solvers.get(name, **ctor)
    if seed is not None:
        kwargs["seed"] = seed
    if num_reads is not None:
        kwargs["num_reads"] = num_reads
    if entry.input == "problem":
        t0 = time.perf_counter()
        ss = sampler.sample_problem(problem, **kwargs)
        ss = _complete(ss, problem)
        ss.info["solver"] = name
        ss.info["timing"] = {"formulate_s": 0.0, "reduce_s": 0.0, "sample_s": time.perf_counter() - t0}
        return ss
    t0 = time.perf_counter()
    poly = problem.to_hubo(**hubo)
    t1 = time.perf_counter()
    if entry.input == "hubo":
        ss = sampler.sample_poly(poly, **kwargs)
        t2 = t1
        t3 = time.perf_counter()
        summary = None
    else:
        from anneal_binn.reduction import reduce

        method = reduction or "auto"
        bqm, record = reduce(poly, method=method)
        t2 = time.perf_counter()
        raw = sampler.sample(bqm, **kwargs)
        t3 = time.perf_counter()
        ss = project(record, raw)
        summary = {"method": record.method, "num_ancillas": record.num_ancillas,
                   "qubo_variables": len(bqm.variables), "qubo_interactions": len(bqm.quadratic)}
    ss = _complete(ss, problem)
    ss.info["solver"] = name
    ss.info["timing"] = {"formulate_s": t1 - t0, "reduce_s": t2 - t1, "sample_s": t3 - t2}
    if summary is not None:
        ss.info["reduction"] = summary
    return ss


class _CallableModule(__import__("types").ModuleType):
    """Importing ``anneal_binn.solve`` makes Python bind the *module* to ``anneal_binn.solve``,
    shadowing the lazily exported function; a callable module keeps ``ab.solve(problem, ...)``
    working whichever was bound first."""

    def __call__(self, *args, **kwargs):
        return solve(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule
