"""anneal-binn: train binary neural networks with quantum annealing and quantum-inspired optimization.

The public surface is re-exported here lazily, so ``import anneal_binn`` stays cheap and never
imports an optional library, opens a network client or reads credentials.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> problem.num_variables
    8
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> (module, attribute); resolved on first access (PEP 562).
_LAZY = {
    "Spec": ("anneal_binn.spec", "Spec"),
    "SpecError": ("anneal_binn.errors", "SpecError"),
    "TooLargeError": ("anneal_binn.errors", "TooLargeError"),
    "load_spec": ("anneal_binn.spec", "load_spec"),
    "spec_from_dict": ("anneal_binn.spec", "spec_from_dict"),
    "build": ("anneal_binn.problem", "build"),
    "build_from_dict": ("anneal_binn.problem", "build_from_dict"),
    "Problem": ("anneal_binn.problem", "Problem"),
    "Report": ("anneal_binn.report", "Report"),
    "reduce": ("anneal_binn.reduction", "reduce"),
    "Reduction": ("anneal_binn.reduction", "Reduction"),
    "Hubo": ("anneal_binn.hubo", "Hubo"),
    "solve": ("anneal_binn.pipeline", "solve"),
    "run": ("anneal_binn.pipeline", "run"),
    "Pipeline": ("anneal_binn.pipeline", "Pipeline"),
    "Result": ("anneal_binn.pipeline", "Result"),
    "AnnealBinnError": ("anneal_binn.errors", "AnnealBinnError"),
    "UsageError": ("anneal_binn.errors", "UsageError"),
    "hubo_from_values": ("anneal_binn.landscape", "hubo_from_values"),
    "fourier_hubo": ("anneal_binn.landscape", "fourier_hubo"),
    "MemoryBudgetWarning": ("anneal_binn.memory", "MemoryBudgetWarning"),
    "solvers": ("anneal_binn.solvers", None),
    "metrics": ("anneal_binn.metrics", None),
    "export": ("anneal_binn.export", None),
    "gate": ("anneal_binn.gate", None),
    "plot": ("anneal_binn.plot", None),
    "BinaryNetClassifier": ("anneal_binn.estimator", "BinaryNetClassifier"),
    "sweep": ("anneal_binn.sweep", None),
    "select": ("anneal_binn.selection.api", "select"),
    "selection": ("anneal_binn.selection", None),
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'anneal_binn' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__():
    return __all__
