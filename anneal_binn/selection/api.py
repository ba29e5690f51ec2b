"""``ab.select``: one call from a spec (or a built problem) to a selected subnetwork.

Examples:
    >>> import anneal_binn as ab
    >>> res = ab.select("select-tiny", method="local", block_size=5)
    >>> res.method, res.largest_subproblem <= 5
    ('local', True)
"""
from __future__ import annotations

from anneal_binn.errors import UsageError
from anneal_binn.selection.spec import METHODS, TABLE, method_options, validate


def selection_problem(spec, *, over=None, layers=None, weight_seed=None, sparsity=None):
    """The :class:`~anneal_binn.selection.problem.SelectionProblem` of a spec (catalogue name, path,
    :class:`~anneal_binn.spec.Spec` or built Problem); keyword arguments override its ``[select]`` table."""
    from anneal_binn.problem import Problem, build
    from anneal_binn.selection.problem import SelectionProblem
    from anneal_binn.spec import Spec, load_spec, thaw

    if isinstance(spec, SelectionProblem):
        return spec
    problem = spec if isinstance(spec, Problem) else build(spec if isinstance(spec, Spec) else load_spec(spec))
    table = thaw(problem.spec.select) if problem.spec.select else validate({})
    sp = sparsity if sparsity is not None else table.get("sparsity")
    return SelectionProblem(problem, over=over or table["over"], layers=layers if layers is not None else table.get("layers"),
                            weight_seed=weight_seed if weight_seed is not None else table.get("weight_seed"),
                            sparsity=sp or None)


def run_method(sel, method: str, **options):
    """Run one method on a selection problem with the given options (its table's keys)."""
    from anneal_binn.selection.edge_popup import edge_popup
    from anneal_binn.selection.global_ import select_global
    from anneal_binn.selection.local import select_local

    if method not in METHODS:
        raise UsageError("method", f"choose one of {', '.join(METHODS)}, got {method!r}")
    if method == "local":
        return select_local(sel, **options)
    if method == "global":
        return select_global(sel, **options)
    return edge_popup(sel, **options)


def select(spec, method: str | None = None, *, over=None, layers=None, weight_seed=None, sparsity=None, **options):
    """Select a subnetwork of a random network: the spec's ``[select]`` method, or ``method``.

    Args:
        spec: catalogue name, TOML path, :class:`~anneal_binn.spec.Spec`, built Problem, or a
            :class:`~anneal_binn.selection.problem.SelectionProblem`.
        method: ``"local"`` (block coordinate descent), ``"global"`` (one problem) or
            ``"edge-popup"`` (the classical baseline); default: the spec's ``select.method``.
        over, layers, weight_seed, sparsity: override the spec's selection.
        **options: that method's options, over its ``[select.<method>]`` table: for local
            ``solver``, ``partition``, ``block_size``, ``max_sweeps``, ``tol``, ``init``, ``seed``,
            ``num_reads``, ``params``, ``qubo``, ``reduction``, ``verify``; for global ``solver``,
            ``seed``, ``num_reads``, ``params``, ``qubo``, ``reduction``, ``exact``; for edge-popup
            ``keep``, ``epochs``, ``lr``, ``momentum``, ``weight_decay``, ``batch_size``, ``seed``.

    Returns:
        A :class:`~anneal_binn.selection.result.SelectionResult`.
    """
    sel = selection_problem(spec, over=over, layers=layers, weight_seed=weight_seed, sparsity=sparsity)
    from anneal_binn.spec import thaw

    spec_table = sel.problem.spec.select
    table = thaw(spec_table) if spec_table else validate({})
    method = method or table["method"]
    if method not in METHODS:
        raise UsageError("method", f"choose one of {', '.join(METHODS)}, got {method!r}")
    own = method_options(table, method)
    if "solver" in options and options["solver"] != own.get("solver"):
        # the table's reads, parameters and route belong to its own solver (as [run.params] do)
        own = {k: v for k, v in own.items() if k not in ("params", "num_reads", "qubo", "reduction")}
    return run_method(sel, method, **{**own, **options})


__all__ = ["select", "selection_problem", "run_method", "TABLE"]
