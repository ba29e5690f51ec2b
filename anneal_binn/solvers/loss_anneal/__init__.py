"""Annealers of a BiNN's own training loss, with compiled incremental single-bit flips.

Registered as ``loss-sa``, ``loss-sqa`` and ``loss-replicated`` (registry input ``"problem"``):
``ab.solve(problem, solver="loss-sqa")`` hands them the Problem itself. See
:mod:`.model` (the energy, :func:`hinge_energy`) and :mod:`.samplers`.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> ss = ab.solve(problem, solver="loss-replicated", seed=0, num_reads=2, num_sweeps=40)
    >>> float(problem.evaluate(ss).best.loss)
    0.0
"""
from anneal_binn.solvers.loss_anneal.model import LossModel, hinge_energy
from anneal_binn.solvers.loss_anneal.samplers import (
    LossQuantumAnnealing,
    LossReplicatedAnnealing,
    LossSimulatedAnnealing,
)

__all__ = ["LossModel", "hinge_energy", "LossSimulatedAnnealing", "LossQuantumAnnealing", "LossReplicatedAnnealing"]
