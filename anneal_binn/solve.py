"""``ab.solve``: one entry point from a Problem to a SampleSet over its variables, through the registry.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p2"))
    >>> ss = ab.solve(problem, solver="exact")
    >>> len(ss), ss.first.energy
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


def solve(problem, solver: str | None = None, seed: int | None = None, num_reads: int | None = None,
          hubo: dict | None = None, reduction: str = "auto", **params) -> dimod.SampleSet:
    """Solve a problem with a registered solver; the result is over the problem's variables.

    Args:
        problem: a :class:`~anneal_binn.problem.Problem`.
        solver: registry name (see ``ab.solvers.available()``); None picks :func:`default_solver`.
        seed, num_reads: passed to the solver when given.
        hubo: options for ``problem.to_hubo`` (e.g. ``{"method": "fourier", "max_degree": 3}``).
        reduction: ``ab.reduce`` method for solvers that take a QUBO.
        **params: solver parameters.

    Energies are HUBO energies; ``problem.evaluate(ss)`` gives the true losses and accuracies.
    """
    name = solver or default_solver(problem)
    hubo = dict(problem.spec.run.get("hubo", {}) if hubo is None else hubo)
    if name == "exact" and not hubo:
        return _exact_from_landscape(problem, num_reads)
    entry = solvers.entry(name)
    sampler = solvers.get(name)
    kwargs = dict(problem.spec.run.get("params", {}) if solver is None else {}, **params)
    if seed is not None:
        kwargs["seed"] = seed
    if num_reads is not None:
        kwargs["num_reads"] = num_reads
    poly = problem.to_hubo(**hubo)
    if entry.input == "hubo":
        return sampler.sample_poly(poly, **kwargs)
    from anneal_binn.reduction import reduce

    bqm, record = reduce(poly, method=reduction)
    return record.project(sampler.sample(bqm, **kwargs))
