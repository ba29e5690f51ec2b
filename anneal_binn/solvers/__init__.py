"""One registry of solvers: every one a ``dimod.Sampler`` or ``dimod.PolySampler``, made by name.

Adding a solver is one module in this package and one line in :data:`_ENTRIES`. The modules
are imported only when the solver is asked for, so optional backends stay optional.

Examples:
    >>> from anneal_binn import solvers
    >>> "exact" in solvers.available()
    True
    >>> sampler = solvers.get("exact")
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SolverEntry:
    """How to make one solver.

    Attributes:
        name: registry name (``--solver NAME``).
        target: ``"module:factory"`` under ``anneal_binn.solvers``; the factory takes ``**params``.
        input: ``"hubo"`` for a PolySampler (takes a BinaryPolynomial), ``"bqm"`` for a Sampler,
            ``"problem"`` for a loss sampler: it anneals (or trains on) the BiNN's own loss and is
            handed the :class:`~anneal_binn.problem.Problem` itself through
            ``sample_problem(problem, **kwargs) -> dimod.SampleSet`` (BINARY, over variables
            0..N-1 in order, energy = the loss it minimised).
        extra: the pip extra its backend needs, or ``""`` for the core install.
        summary: one line for ``available()`` listings.
    """

    name: str
    target: str
    input: str
    extra: str
    summary: str


INPUTS = ("hubo", "bqm", "problem")

# name -> entry. Keep one line per solver.
_ENTRIES: dict[str, SolverEntry] = {}


def register(name: str, target: str, input: str, extra: str = "", summary: str = "") -> None:
    """Add a solver to the registry (used below, and by plugins)."""
    if input not in INPUTS:
        raise ValueError(f"input: must be one of {', '.join(INPUTS)}, got {input!r}")
    _ENTRIES[name] = SolverEntry(name, target, input, extra, summary)


register("exact", "exact:ExactHuboSolver", "hubo", "", "brute force over all 2^N assignments, memory-guarded")
register("sa", "classical:SimulatedAnnealing", "bqm", "", "simulated annealing on the reduced QUBO (dwave-samplers)")
register("tabu", "classical:Tabu", "bqm", "", "tabu search on the reduced QUBO (dwave-samplers)")
register("steepest", "classical:SteepestDescent", "bqm", "", "steepest descent from random starts (dwave-samplers)")
register("sqa", "classical:PathIntegralAnnealing", "bqm", "", "simulated quantum annealing, path integrals (dwave-samplers)")
register("hubo-sa", "hubo_sa:HuboSimulatedAnnealingSampler", "hubo", "", "simulated annealing of the HUBO itself, no reduction (numba with [fast])")
register("statevector-qa", "statevector_qa:StatevectorAnnealer", "hubo", "", "quantum annealing simulated exactly on the state vector (N <= ~20)")
register("mps-qa", "mps_qa:MPSAnnealer", "hubo", "", "quantum annealing simulated with matrix product states (N <= ~100)")
register("qpu", "qpu:QPUSampler", "bqm", "qpu", "D-Wave QPU with a cached embedding (mock=True: offline Pegasus mock)")
register("hybrid", "qpu:HybridSampler", "bqm", "qpu", "D-Wave Leap hybrid BQM solver")
register("hypernet", "hypernet:HypernetSampler", "hubo", "gate", "quantum hypernetwork circuit trained by adjoint L-BFGS (statevector) or SPSA/QN-SPSA (Aer MPS), then sampled")
register("grover", "grover:GroverSampler", "hubo", "", "amplitude amplification of the landscape state (fixed k, optimal k or BBHT), exact marked-subspace simulation")
register("ste", "ste:STESampler", "problem", "", "gradient training with the straight-through estimator (BinaryConnect/BinaryNet, Adam, numpy), one read per initialization")
register("sbpi", "cpr:SBPISampler", "problem", "", "SBPI online rule for single-layer sign perceptrons (Baldassi et al. PNAS 2007; numba with [fast])")
register("cpr", "cpr:CPRSampler", "problem", "", "clipped perceptron with reinforcement for single-layer sign perceptrons (numba with [fast])")
register("hybrid-decompose", "decomposition:HybridDecomposeSampler", "bqm", "qpu", "dwave-hybrid energy-impact decomposition, seeded SA/tabu/QPU sub-sampler (mock=True: offline Pegasus mock)")
register("loss-sa", "loss_anneal:LossSimulatedAnnealing", "problem", "", "simulated annealing of the BiNN's own loss (or hinge), compiled incremental bit flips")
register("loss-sqa", "loss_anneal:LossQuantumAnnealing", "problem", "", "path-integral simulated quantum annealing of the BiNN's own loss (or hinge)")
register("loss-replicated", "loss_anneal:LossReplicatedAnnealing", "problem", "", "replicated (robust-ensemble) annealing of the BiNN's own loss (or hinge)")


def available() -> list[str]:
    """Names in the registry, sorted."""
    return sorted(_ENTRIES)


def entry(name: str) -> SolverEntry:
    """The registry entry for ``name``; unknown names raise a ValueError listing the choices."""
    try:
        return _ENTRIES[name]
    except (KeyError, TypeError):
        from difflib import get_close_matches

        from anneal_binn.errors import UsageError

        close = get_close_matches(str(name), available(), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError("solver", f"unknown name {name!r}; {hint}choose one of {', '.join(available())}") from None


def get(name: str, **params):
    """Create the solver ``name`` with ``params``; returns a dimod Sampler or PolySampler."""
    e = entry(name)
    module_name, factory = e.target.split(":")
    try:
        module = importlib.import_module(f"anneal_binn.solvers.{module_name}")
    except ImportError as exc:
        if e.extra:
            from anneal_binn.errors import MissingExtraError

            raise MissingExtraError(
                f"solver {name!r} needs an optional dependency ({exc.name}): pip install 'anneal-binn[{e.extra}]'"
            ) from exc
        raise
    return getattr(module, factory)(**params)
