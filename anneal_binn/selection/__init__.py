"""Quantum neuron selection (seed 001): high-performing subnetworks of random networks.

A network's weights are fixed at random; the variables are selection bits over its edges
(connection-mask bits) or neurons (neuron-mask bits); the objective is the masked network's
training loss, plus an optional sparsity target. Three methods, one result type:

- **global** (:func:`select_global`): every selection bit in one problem (exact landscape and
  HUBO up to enumeration; loss annealers or the readout QUBO past it);
- **local** (:func:`select_local`): block coordinate descent over subproblems of at most
  ``block_size`` bits (one neuron's incoming edges, a slice of a layer, a few neurons), each an
  ordinary Problem any registered solver takes through the Pipeline;
- **edge-popup** (:func:`edge_popup`): the classical baseline (Ramanujan et al., CVPR 2020).

Modules: ``problem`` (:class:`SelectionProblem`), ``restriction`` (:class:`Restriction`: a Problem
over some bits, the rest clamped), ``sparsity``, ``blocks`` (partitions), ``solve`` (one solver
call, size checks), ``local``, ``global_``, ``edge_popup``, ``qubo`` (the readout QUBO),
``result`` (:class:`SelectionResult`), ``spec`` (the ``[select]`` table), ``api``
(:func:`select`), ``report`` (the ``anneal-binn run`` text and JSON).

Examples:
    >>> import anneal_binn as ab
    >>> res = ab.select("select-tiny", method="global")
    >>> res.largest_subproblem, res.gap
    (16, 0.0)
"""
from __future__ import annotations

import importlib

_LAZY = {
    "SelectionProblem": ("anneal_binn.selection.problem", "SelectionProblem"),
    "Restriction": ("anneal_binn.selection.restriction", "Restriction"),
    "Sparsity": ("anneal_binn.selection.sparsity", "Sparsity"),
    "SelectionResult": ("anneal_binn.selection.result", "SelectionResult"),
    "partition": ("anneal_binn.selection.blocks", "partition"),
    "select_local": ("anneal_binn.selection.local", "select_local"),
    "select_global": ("anneal_binn.selection.global_", "select_global"),
    "edge_popup": ("anneal_binn.selection.edge_popup", "edge_popup"),
    "readout_qubo": ("anneal_binn.selection.qubo", "readout_qubo"),
    "select": ("anneal_binn.selection.api", "select"),
    "selection_problem": ("anneal_binn.selection.api", "selection_problem"),
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'anneal_binn.selection' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__():
    return __all__
