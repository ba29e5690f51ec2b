"""Global selection: every selection bit in one problem, one solver call.

The whole selection is one :class:`~anneal_binn.selection.restriction.Restriction` over all n
bits. Up to enumeration (``landscape_limit``, 26) its exact landscape gives the exact optimum
and the Fourier HUBO every gate-model and annealing solver takes; past it, the loss annealers
(``loss-sa``, ``loss-sqa``, ``loss-replicated``, flipping only the selection bits of the compiled
net) or a direct QUBO (``qubo = {"method": "readout"}``, :mod:`~anneal_binn.selection.qubo`) for
the QUBO solvers and the QPU. The answer needs as many qubits as there are bits (more with a
reduced QUBO's ancillas): that is what local selection avoids.

Examples:
    >>> import anneal_binn as ab
    >>> from anneal_binn.selection.problem import SelectionProblem
    >>> sel = SelectionProblem(ab.build(ab.load_spec("fawaz-meta-p1")), weight_seed=0)
    >>> res = select_global(sel, solver="exact")
    >>> res.largest_subproblem, res.num_subproblems, res.gap
    (6, 1, 0.0)
"""
from __future__ import annotations

import time

from anneal_binn.selection.result import SelectionResult
from anneal_binn.selection.solve import check_solver, solve

EXACT_LIMIT = 20  # the default solver is exact up to this many bits, else loss-sa


def select_global(sel, solver: str | None = None, *, seed: int | None = 0, num_reads: int | None = None,
                  params: dict | None = None, hubo: dict | None = None, qubo: dict | None = None,
                  reduction: str | None = None, exact: bool | str = "auto") -> SelectionResult:
    """All selection bits at once.

    Args:
        sel: the :class:`~anneal_binn.selection.problem.SelectionProblem`.
        solver: registry name (default: ``exact`` up to 20 bits, else ``loss-sa``).
        seed, num_reads, params, hubo, qubo, reduction: the solver's seed, reads, parameters and route.
        exact: also compute the exact optimum (for the gap): True, False or ``"auto"`` (when
            n <= the landscape limit).
    """
    t0 = time.perf_counter()
    sub = sel.restriction()
    name = solver or ("exact" if sel.n <= EXACT_LIMIT else "loss-sa")
    check_solver(name, sel.n, sel.problem.landscape_limit, params, qubo)
    ans = solve(sub, name, seed=seed, num_reads=num_reads, params=params, hubo=hubo, qubo=qubo, reduction=reduction)
    state = ans.bits.astype("uint8")
    ev = sel.evaluate(state)
    optimum = None
    if exact is True or (exact == "auto" and sel.n <= sel.problem.landscape_limit):
        optimum = float(sub.exact().optimum)
    info = {"weight_seed": sel.weight_seed, "seed": seed, "params": dict(params or {}),
            "qubo": dict(qubo or {}), "sample_s": round(ans.seconds, 4),
            "sparsity": None if sel.sparsity is None else sel.sparsity.describe()}
    return SelectionResult("global", name, sel.name, sel.over, state, ev["objective"], ev["loss"], ev["train"],
                           ev["test"], largest_subproblem=ans.qubits, num_subproblems=1,
                           seconds=time.perf_counter() - t0, optimum=optimum, info=info)
