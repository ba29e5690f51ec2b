"""One selection (sub)problem through the package's one :class:`~anneal_binn.pipeline.Pipeline`.

Which solvers a restriction takes: every ``hubo`` and ``bqm`` solver of the registry (the exact
Fourier HUBO of its landscape, reduced to a QUBO for ``bqm`` ones unless a direct encoding is
named), and the three loss annealers (``problem`` input; they flip only the free bits of the
parent's compiled net). The other ``problem`` solvers (``ste``, ``sbpi``, ``cpr``) train a net's
weights and take no restriction. :func:`check_solver` refuses, before any work, a subproblem
larger than the solver can take.

Examples:
    >>> check_solver("exact", 12, landscape_limit=26)
    >>> check_solver("statevector-qa", 18, landscape_limit=26, params={"max_variables": 16})
    Traceback (most recent call last):
    ...
    anneal_binn.errors.TooLargeError: solver 'statevector-qa' takes at most 16 variables (its max_variables), but the largest subproblem has 18 bits; use block_size <= 16, or give the solver a larger max_variables
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from anneal_binn import solvers
from anneal_binn.errors import TooLargeError, UsageError

LOSS_ANNEALERS = ("loss-sa", "loss-sqa", "loss-replicated")


def solver_limit(name: str, landscape_limit: int, params: dict | None = None, qubo: dict | None = None):
    """``(max bits, why)`` a restriction may have for solver ``name`` (None: no limit)."""
    e = solvers.entry(name)
    if e.input == "problem":
        if name not in LOSS_ANNEALERS:
            raise UsageError("solver", f"{name!r} trains a net's weights; selection problems take the exact, HUBO and "
                             f"QUBO solvers and the loss annealers ({', '.join(LOSS_ANNEALERS)})")
        return None, ""
    if e.input == "bqm" and qubo and qubo.get("method") == "readout":
        return None, ""
    limit, why = landscape_limit, "its HUBO is the Fourier transform of the enumerated landscape"
    from anneal_binn.memory import fits
    from anneal_binn.polynomial import poly_bytes

    # a dense Fourier HUBO over n bits has up to 2^n terms of total degree n 2^(n-1): refuse here,
    # with the block size that fits, rather than when the polynomial is built
    fitting = max((n for n in range(1, limit + 1) if fits(poly_bytes(2**n, n * 2 ** (n - 1)))), default=0)
    if fitting < limit:
        limit, why = fitting, "its Fourier HUBO of up to 2^n terms must fit the memory budget"
    from anneal_binn.pipeline import split_params

    ctor, _ = split_params(name, dict(params or {}))
    try:
        own = getattr(solvers.get(name, **ctor), "max_variables", None)
    except ImportError:
        own = None  # the pipeline raises the clear MissingExtraError when the solver is used
    if own is not None and int(own) < limit:
        limit, why = int(own), "its max_variables"
    return limit, why


def check_solver(name: str, largest: int, landscape_limit: int, params: dict | None = None,
                 qubo: dict | None = None) -> None:
    """Refuse subproblems of ``largest`` bits that solver ``name`` cannot take; one clear line."""
    limit, why = solver_limit(name, landscape_limit, params, qubo)
    if limit is not None and largest > limit:
        raise TooLargeError(f"solver {name!r} takes at most {limit} variables ({why}), but the largest subproblem "
                            f"has {largest} bits; use block_size <= {limit}, or give the solver a larger max_variables")


@dataclass(frozen=True)
class Solved:
    """The best row a solver returned for one restriction."""

    bits: np.ndarray
    value: float
    qubits: int
    seconds: float


def solve(sub, name: str, *, seed=None, num_reads=None, params=None, hubo=None, qubo=None, reduction=None) -> Solved:
    """Run ``name`` on restriction ``sub``; the lowest-objective row it returned."""
    from anneal_binn.pipeline import Pipeline

    t0 = time.perf_counter()
    pipe = Pipeline(sub, name, hubo=hubo, qubo=qubo, reduction=reduction, params=dict(params or {}))
    ss = pipe.sample(seed=seed, num_reads=num_reads)
    rows = sub.sample_bits(ss)
    values = sub.losses(rows)
    j = int(np.argmin(values))
    summary = pipe.formulation_summary() or {}
    qubits = int(summary["qubo"]["num_variables"]) if "qubo" in summary else sub.num_variables
    return Solved(rows[j].copy(), float(values[j]), qubits, time.perf_counter() - t0)


def optimality(sub, bits, rtol: float = 1e-12) -> tuple[bool, float]:
    """Whether configuration ``bits`` of restriction ``sub`` is one of its optima, and its gap.

    Both sides are read from the one enumerated landscape (the same arithmetic), so the test is
    exact up to ``rtol`` of the optimum's magnitude even where the loss is tiny.
    """
    from anneal_binn.model.architecture import bits_to_index

    L = sub.landscape()
    opt = float(L.min())
    value = float(L[int(bits_to_index(np.asarray(bits)[None])[0])])
    gap = value - opt
    return bool(gap <= rtol * max(abs(opt), 1e-300)), gap


def derive_seed(seed, *path) -> int | None:
    """A seed for one solver call, fixed by the run's seed and the call's place in it."""
    if seed is None:
        return None
    return int(np.random.SeedSequence([int(seed), *map(int, path)]).generate_state(1)[0] % (2**31 - 1))
