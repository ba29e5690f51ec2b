"""Local selection: block coordinate descent over small subproblems, any registered solver.

Seed 001's point: selecting a subnetwork of a large random network is one combinatorial problem
over every edge (or neuron), far too many qubits at once; solved block by block, each quantum
problem stays small. Here a block is one unit's incoming edges (``partition = "neuron"``), a
slice of a layer (``"layer"``) or a few consecutive units (``"block"``), at most ``block_size``
bits (:mod:`~anneal_binn.selection.blocks`). A sweep visits every block once: the block's bits
become the variables of a :class:`~anneal_binn.selection.restriction.Restriction` (every other bit
held at the current selection), any registered solver answers it through the Pipeline, and its
best row replaces the block when it lowers the objective by more than ``tol``. Sweeps repeat
until one changes nothing (converged) or ``max_sweeps`` is reached.

The current block values are always one of the subproblem's configurations, so an exact solver
never makes the objective worse, and a heuristic answer that would is rejected: the objective
never increases. Under an exact k-of-n sparsity constraint each block keeps its own count (the
bits outside it are held), so every accepted step stays feasible.

Examples:
    >>> import anneal_binn as ab
    >>> from anneal_binn.selection.problem import SelectionProblem
    >>> sel = SelectionProblem(ab.build(ab.load_spec("fawaz-meta-p1")), weight_seed=0)
    >>> res = select_local(sel, solver="exact", block_size=2, seed=0)
    >>> res.largest_subproblem, res.num_subproblems > 0, res.converged
    (2, True, True)
"""
from __future__ import annotations

import time

import numpy as np

from anneal_binn.errors import UsageError
from anneal_binn.selection.blocks import partition as make_blocks
from anneal_binn.selection.result import SelectionResult
from anneal_binn.selection.solve import check_solver, derive_seed, optimality, solve

EXACT_AUTO = 20  # exact="auto" enumerates the whole selection up to this many bits, for the gap


def select_local(sel, solver: str = "exact", *, partition: str = "neuron", block_size: int = 12,
                 max_sweeps: int = 20, tol: float = 1e-9, init="random", seed: int | None = 0,
                 num_reads: int | None = None, params: dict | None = None, hubo: dict | None = None,
                 qubo: dict | None = None, reduction: str | None = None, verify: bool | int = False,
                 exact: bool | str = "auto", on_sweep=None) -> SelectionResult:
    """Block coordinate descent on a :class:`~anneal_binn.selection.problem.SelectionProblem`.

    Args:
        sel: the selection problem.
        solver: registry name that answers every subproblem.
        partition, block_size: how the bits are cut (:func:`anneal_binn.selection.blocks.partition`).
        max_sweeps: stop after this many sweeps even if the last one improved.
        tol: an answer replaces a block only when it lowers the objective by more than this.
        init: ``"random"``, ``"all"`` or a starting selection (n bits).
        seed: seeds the initial selection and every solver call (derived per sweep and block).
        num_reads, params, hubo, qubo, reduction: the solver's reads, parameters and route.
        verify: compare the solver's answer with the exact optimum of the subproblem (its
            enumerated landscape): True for every subproblem, an int for the first that many.
            The counts are in ``result.checks``.
        exact: also enumerate the whole selection for its exact optimum (the gap): True, False or
            ``"auto"`` (when n <= 20).
        on_sweep: called with each sweep's history row (a dict) as it ends.
    """
    t0 = time.perf_counter()
    for name, v, lo in (("max_sweeps", max_sweeps, 1), ("seed", seed if seed is not None else 0, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise UsageError(f"select.{name}", f"must be an integer >= {lo}, got {v!r}")
    if not (isinstance(tol, (int, float)) and tol >= 0):
        raise UsageError("select.tol", f"must be a non-negative number, got {tol!r}")
    blocks = make_blocks(sel.roles(), partition, block_size)
    largest = max(len(b) for b in blocks)
    check_solver(solver, largest, sel.problem.landscape_limit, params, qubo)
    if isinstance(init, str):
        state = sel.initial_state(init, seed)
    else:
        state = sel._state(init).copy()
    if sel.sparsity is not None and sel.sparsity.constraint == "exact" and int(state.sum()) != sel.sparsity.keep:
        raise UsageError("select.init", f"the starting selection keeps {int(state.sum())} bits; the exact constraint "
                         f"needs {sel.sparsity.keep}")
    limit = int(verify) if not isinstance(verify, bool) else (10**18 if verify else 0)
    checks = {"compared": 0, "equal": 0, "max_gap": 0.0} if limit else {}
    first = sel.evaluate(state)
    history = [{"sweep": 0, "objective": first["objective"], "train": first["train"], "test": first["test"],
                "kept": first["kept"], "changed": 0, "seconds": round(time.perf_counter() - t0, 3)}]
    num_sub = qubits = 0
    converged = False
    sweep = 0
    for sweep in range(1, max_sweeps + 1):
        changed = 0
        for b, block in enumerate(blocks):
            sub = sel.restriction(block, state)
            current = float(sub.losses(state[block][None])[0])
            ans = solve(sub, solver, seed=derive_seed(seed, sweep, b), num_reads=num_reads, params=params,
                        hubo=hubo, qubo=qubo, reduction=reduction)
            num_sub += 1
            qubits = max(qubits, ans.qubits)
            if checks and checks["compared"] < limit:
                equal, gap = optimality(sub, ans.bits)
                checks["compared"] += 1
                checks["equal"] += int(equal)
                checks["max_gap"] = max(checks["max_gap"], float(gap))
            if ans.value < current - tol:
                state[block] = ans.bits
                changed += 1
        ev = sel.evaluate(state)
        row = {"sweep": sweep, "objective": ev["objective"], "train": ev["train"], "test": ev["test"],
               "kept": ev["kept"], "changed": changed, "seconds": round(time.perf_counter() - t0, 3)}
        history.append(row)
        if on_sweep is not None:
            on_sweep(row)
        if changed == 0:
            converged = True
            break
    ev = sel.evaluate(state)
    optimum = None
    if exact is True or (exact == "auto" and sel.n <= EXACT_AUTO):
        optimum = float(sel.restriction().exact().optimum)
    info = {"init": init if isinstance(init, str) else "given", "tol": tol, "num_blocks": len(blocks),
            "largest_block": largest,
            "weight_seed": sel.weight_seed, "seed": seed, "params": dict(params or {}),
            "sparsity": None if sel.sparsity is None else sel.sparsity.describe()}
    return SelectionResult("local", solver, sel.name, sel.over, state, ev["objective"], ev["loss"], ev["train"],
                           ev["test"], largest_subproblem=qubits, num_subproblems=num_sub,
                           seconds=time.perf_counter() - t0, partition=partition, block_size=int(block_size),
                           sweeps=sweep, converged=converged, history=tuple(history), optimum=optimum,
                           checks=checks, info=info)
