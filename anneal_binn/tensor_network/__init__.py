"""Tensor networks for the annealing simulators: an MPS (:mod:`.mps`), diagonal cost MPOs built
from the model (:mod:`.mpo`: a partial-sum counter per pattern, compressed Z-string sums for
HUBOs) and the costs that own them (:mod:`.costs`). ``mps-qa`` and ``statevector-qa`` evolve
under any of these costs with the same gate layers (:func:`anneal_binn.solvers.schedule.protocol`).
"""
from anneal_binn.tensor_network.costs import PolynomialCost, StabilityCost, ramp
from anneal_binn.tensor_network.mpo import StabilityMPO, dense_diagonal, zstring_tt
from anneal_binn.tensor_network.mps import MPS

__all__ = ["MPS", "PolynomialCost", "StabilityCost", "StabilityMPO", "dense_diagonal", "ramp", "zstring_tt"]
