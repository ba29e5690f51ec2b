"""``mps-qa``: quantum annealing simulated with matrix product states, N up to ~100.

The digitized evolution of Lami et al., SciPost Phys. 14, 117 (2023). The anneal is the list
of gate layers of :func:`~anneal_binn.solvers.schedule.protocol` (the same list
``statevector-qa`` applies with ``method="trotter"``):

- ``("x", phi)``: ``prod_i exp(+i phi X_i)``, single-site gates, no bond growth;
- ``("z", theta)``: ``exp(-i theta H_z)``, applied as diagonal MPOs built from the model
  (:mod:`anneal_binn.tensor_network`), each followed by a compression to ``max_bond``:

  - a :class:`~anneal_binn.tensor_network.StabilityCost` (the perceptron; any sum over patterns
    of a function of one integer linear form) is one partial-sum counter MPO per pattern,
    applied pattern by pattern (:meth:`MPSAnnealer.sample_cost`);
  - a HUBO (:meth:`MPSAnnealer.sample_poly`) is one MPO per layer: TT-SVD of the dense phases up
    to 22 variables (``cost_mpo="dense"``), the rounded product of its Z-string factors beyond
    (``"product"``), or, for comparison, the old route of one bond-2 gate per term (``"terms"``).

Schedules: ``schedule="digitized"`` with ``num_steps`` (P) and ``time_step`` (dt) is the
reference protocol (first order, no rescaling); the continuous options (linear, A(s)/B(s)
tables, pauses, reverse anneals) are second-order Trotter steps.

Reported in ``info``: ``expected_energy`` (exact ``<psi|H_z|psi>`` of the final MPS, from the
MPO, not a sample mean), ``truncation_error`` (the squared-norm weight discarded by all
truncations, a probability in [0, 1]), ``max_bond_dimension`` and, up to 20 variables, the
exact ``ground_state_probability``.

Examples:
    >>> import dimod
    >>> poly = dimod.BinaryPolynomial({(0, 1): -1.0, (1, 2, 3): 0.5, (2,): 0.3}, "SPIN")
    >>> ss = MPSAnnealer().sample_poly(poly, annealing_time=10.0, num_reads=20, seed=0, max_bond=8)
    >>> 0.0 <= ss.info["ground_state_probability"] <= 1.0 and 0.0 <= ss.info["truncation_error"] <= 1.0
    True
"""
from __future__ import annotations

import time
from typing import Any

import dimod
import numpy as np

from anneal_binn.solvers._common import (
    PolyAnnealerBase,
    ProblemCostMixin,
    as_polynomial,
    check_num_reads,
    make_rng,
    ordered_variables,
    sampleset,
)
from anneal_binn.solvers.schedule import protocol
from anneal_binn.tensor_network.mps import MPS, keep_count

EXACT_GROUND_LIMIT = 20  # compute the exact ground-state probability up to this many variables
_keep = keep_count  # the old private name


def spin_terms(poly: dimod.BinaryPolynomial, variables: list) -> tuple[float, list[tuple[tuple[int, ...], float]]]:
    """(constant, [(sorted site indices, coefficient)]) of ``poly`` in SPIN form (s = 2x - 1)."""
    spin = poly if poly.vartype is dimod.SPIN else poly.to_spin(copy=True)
    index = {v: i for i, v in enumerate(variables)}
    const = 0.0
    terms: dict[tuple[int, ...], float] = {}
    for term, bias in spin.items():
        if not term:
            const += float(bias)
            continue
        key = tuple(sorted(index[v] for v in term))
        terms[key] = terms.get(key, 0.0) + float(bias)
    return const, sorted((k, c) for k, c in terms.items() if c != 0.0)


class MPSAnnealer(ProblemCostMixin, PolyAnnealerBase):
    """Matrix-product-state simulation of a quantum anneal of a HUBO, a BQM or a stability cost.

    Args:
        **defaults: default values for :meth:`sample_poly` parameters.

    Examples:
        >>> import dimod
        >>> bqm = dimod.BinaryQuadraticModel({0: -1.0}, {(0, 1): -1.0}, 0.0, "BINARY")
        >>> ss = MPSAnnealer().sample(bqm, annealing_time=20.0, num_reads=10, seed=0)
        >>> float(ss.first.energy)
        -2.0
    """

    _hubo_only_params = {"cost_mpo": ("auto", "counter")}  # "dense", "product", "terms" take the HUBO
    _params = ("num_reads", "seed", "annealing_time", "anneal_schedule", "schedule", "num_steps", "time_step",
               "max_bond", "cutoff", "auto_scale", "initial_state", "cost_mpo", "energy_trace", "zip_bond")

    def __init__(self, **defaults: Any):
        self.defaults = dict(defaults)
        self._validate_names(self.defaults)

    @property
    def properties(self) -> dict:
        return {"method": "digitized annealing on an MPS with model-built cost MPOs (Lami et al. 2023)"}

    def sample_poly(self, polynomial: dimod.BinaryPolynomial, **kwargs: Any) -> dimod.SampleSet:
        """Simulate the anneal with MPS and sample the final state.

        Args:
            polynomial: HUBO (BINARY or SPIN); samples come back in its vartype.
            num_reads: samples drawn from the final MPS (default 100).
            seed: seed of the sampling (the evolution is deterministic).
            annealing_time, anneal_schedule, schedule, num_steps, time_step, auto_scale,
                initial_state: as for ``statevector-qa`` (:func:`~anneal_binn.solvers.schedule.protocol`).
            max_bond: largest bond dimension kept (default 32).
            cutoff: discarded weight allowed per truncation (default 1e-12).
            zip_bond: bond kept by the zip-up sweep of each cost MPO before the optimal truncation
                to ``max_bond`` (default ``2 max_bond``; larger is closer to the optimal truncation
                and slower, 2.4x at 4 chi. With the MPOs in right-canonical gauge the default already
                discards about the optimal weight: at N = 16, chi = 10, dt = 0.2, 0.12 vs 0.12).
            cost_mpo: ``"auto"`` (default), ``"dense"``, ``"product"`` or ``"terms"`` (see the module docstring).
            energy_trace: also report ``<H_z>`` after every cost layer (``info["energy_trace"]``).

        Returns:
            SampleSet; ``info`` holds ``expected_energy``, ``truncation_error``,
            ``max_bond_dimension`` and, up to 20 variables, ``ground_state_probability``.
        """
        from anneal_binn.tensor_network.costs import PolynomialCost

        self._validate_names(kwargs)
        poly = as_polynomial(polynomial)
        cost = PolynomialCost(poly, ordered_variables(poly.variables))
        return self._run(cost, {**self.defaults, **kwargs})

    def sample_cost(self, cost, **kwargs: Any) -> dimod.SampleSet:
        """Anneal a :class:`~anneal_binn.tensor_network.StabilityCost` (or a PolynomialCost).

        Same parameters as :meth:`sample_poly`; ``cost_mpo`` is ``"auto"``/``"counter"`` for a
        stability cost. Samples come back in ``cost.vartype`` over variables ``0..N-1``.
        """
        self._validate_names(kwargs)
        return self._run(cost, {**self.defaults, **kwargs})

    def _run(self, cost, opts: dict) -> dimod.SampleSet:
        variables = list(cost.variables)
        n = len(variables)
        num_reads = check_num_reads(opts.get("num_reads"), default=100)
        rng = make_rng(opts.get("seed"))
        proto = protocol(opts)
        max_bond = opts.get("max_bond", 32)
        if not isinstance(max_bond, (int, np.integer)) or isinstance(max_bond, bool) or max_bond < 1:
            raise ValueError(f"max_bond: must be a positive int, got {max_bond!r}")
        max_bond = int(max_bond)
        cutoff = float(opts.get("cutoff", 1e-12))
        if not 0.0 <= cutoff < 1.0:
            raise ValueError(f"cutoff: must be in [0, 1), got {cutoff!r}")
        route = opts.get("cost_mpo", "auto")
        zip_bond = opts.get("zip_bond")
        if zip_bond is not None and (not isinstance(zip_bond, (int, np.integer)) or isinstance(zip_bond, bool)
                                     or zip_bond < max_bond):
            raise ValueError(f"zip_bond: must be an int >= max_bond ({max_bond}), got {zip_bond!r}")
        scale = cost.scale() if proto.auto_scale else 1.0
        if proto.reverse:
            from anneal_binn.solvers.statevector_qa import classical_bits

            bits = classical_bits(opts.get("initial_state"), variables, cost.vartype)
            mps = MPS.product(np.eye(2)[bits])
        else:
            if opts.get("initial_state") is not None:
                raise ValueError("initial_state: only a reverse anneal (anneal_schedule starting at s=1) takes one")
            mps = MPS.product(np.full((n, 2), 2**-0.5))
        terms_route = route == "terms"
        if terms_route and not hasattr(cost, "terms"):
            raise ValueError("cost_mpo: 'terms' (one gate per HUBO term) needs a polynomial")
        if not terms_route and hasattr(cost, "route"):
            route = cost.route(route)
        trace = [] if opts.get("energy_trace") else None
        t0, c0 = time.perf_counter(), time.process_time()
        with _single_threaded_blas():
            for kind, angle in proto.layers:
                if kind == "x":
                    mps.apply_x_rotation(angle)
                    continue
                theta = angle / scale
                if terms_route:
                    for sites, c in cost.terms:
                        mps.apply_zstring(sites, theta * c, max_bond, cutoff)
                else:
                    for W in cost.cost_layers(theta, route):
                        mps.apply_diagonal_mpo(W, max_bond, cutoff, zip_bond=zip_bond)
                if trace is not None:
                    trace.append(cost.expected_energy(mps))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        mps.move_center(0)
        mps.normalize()
        bits = mps.sample(num_reads, rng)
        energies = cost.energies(bits)
        samples = 2 * bits - 1 if cost.vartype is dimod.SPIN else bits
        info = {
            "expected_energy": cost.expected_energy(mps),
            "truncation_error": mps.truncation_error,
            "max_bond_dimension": mps.max_bond_dimension,
            "max_bond": max_bond,
            "problem_scale": scale,
            "cost_mpo": "terms" if terms_route else route,
            "evolution_seconds": wall,
            "evolution_cpu_seconds": cpu,  # unlike the wall time, not inflated by other processes on the machine
            **proto.info(),
        }
        if trace is not None:
            info["energy_trace"] = trace
        if n <= EXACT_GROUND_LIMIT:
            E = cost.dense_energies()
            emin = float(E.min())
            ground = np.flatnonzero(E <= emin + 1e-9 * max(1.0, abs(emin)))
            gbits = ((ground[:, None] >> np.arange(n)) & 1).astype(np.int8)
            info["ground_state_probability"] = float((np.abs(mps.amplitudes(gbits)) ** 2).sum())
            info["ground_energy"] = emin
        return sampleset(samples, energies, variables, cost.vartype, info)


def _single_threaded_blas():
    """BLAS limited to one thread: the MPS kernels work on small matrices, where threads only add
    synchronisation (on a loaded 2-core machine a 40 x 120 SVD took 56 ms threaded, 1.8 ms not)."""
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()


def _x_gate(phi: float) -> np.ndarray:
    """exp(+i phi X)."""
    return np.array([[np.cos(phi), 1j * np.sin(phi)], [1j * np.sin(phi), np.cos(phi)]])
