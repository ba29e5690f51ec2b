"""``grover``: amplitude amplification of the landscape state (seed 003) as a ``dimod.PolySampler``.

Configurations whose cost is at most ``threshold`` (default: the minimum, i.e. 100 % training
accuracy for a 0-1 loss) are marked; each read measures the state after ``iterations`` Grover
iterations, simulated exactly on the marked subspace. With ``iterations="bbht"`` every read is
one BBHT search for an unknown number of solutions (seed 003 section 5) and ``info`` holds the
measurement steps and Grover iterations each search used.

Examples:
    >>> import dimod
    >>> poly = dimod.BinaryPolynomial({(0,): 1.0, (1,): 1.0, (0, 1): -3.0}, "BINARY")
    >>> ss = GroverSampler(iterations=1, num_reads=20, seed=0).sample_poly(poly)
    >>> s = ss.first   # 1 of 4 marked: one iteration finds it with certainty
    >>> {v: int(x) for v, x in s.sample.items()}, float(s.energy), int(s.num_occurrences)
    ({0: 1, 1: 1}, -1.0, 20)
"""
from __future__ import annotations

import dimod
import numpy as np

from anneal_binn.gate.circuits import bits_of_indices
from anneal_binn.gate.cost import cost_vector
from anneal_binn.solvers._common import drop_unknown_kwargs, ordered_variables


class GroverSampler(dimod.PolySampler):
    """Measure the amplified landscape state.

    Args:
        iterations: Grover iterations per read (int >= 0), ``"optimal"`` (``round(pi/(4 theta) - 1/2)``,
            which needs the number of marked states), or ``"bbht"`` (unknown number; default).
        threshold: cost at or below which a configuration is marked (default: the minimum).
        num_reads: measurements (or BBHT searches).
        seed: makes the reads repeatable.
        schedule: BBHT schedule, ``"paper"`` (seed 003) or ``"bbht"`` (BBHT Theorem 3).
    """

    @property
    def parameters(self) -> dict:
        # a fresh dict per call: instances share no mutable state (dimod's sampler contract)
        return {"iterations": [], "threshold": [], "num_reads": [], "seed": [], "schedule": [], "landscape": []}

    @property
    def properties(self) -> dict:
        return {"description": "amplitude amplification of the landscape state, exact marked-subspace simulation"}

    def __init__(self, iterations="bbht", threshold: float | None = None, num_reads: int = 100, seed=None,
                 schedule: str = "paper"):
        self._check_iterations(iterations)
        self.iterations, self.threshold, self.num_reads, self.seed, self.schedule = (
            iterations, threshold, num_reads, seed, schedule)

    @staticmethod
    def _check_iterations(iterations):
        if isinstance(iterations, str):
            if iterations not in ("bbht", "optimal"):
                raise ValueError(f"iterations: an int >= 0, 'optimal' or 'bbht'; got {iterations!r}")
        elif not isinstance(iterations, (int, np.integer)) or iterations < 0:
            raise ValueError(f"iterations: an int >= 0, 'optimal' or 'bbht'; got {iterations!r}")

    def sample_poly(self, polynomial: dimod.BinaryPolynomial, landscape=None, **kwargs) -> dimod.SampleSet:
        """Mark, amplify and measure.

        Args:
            polynomial: HUBO (vartype kept in the output); the samples are over exactly its
                variables (any hashable labels), ints ascending then other labels by ``str``,
                and bit ``i`` of a landscape index is the ``i``-th of them.
            landscape: optional exact cost vector (length ``2**N``) used instead of the HUBO's
                values; the samples are then over ``0..N-1``.
            **kwargs: per-call overrides of the constructor parameters; other names are ignored
                with a ``SamplerUnknownArgWarning`` (dimod's policy).
        """
        from anneal_binn.gate.grover import LandscapeGrover

        opts = {k: getattr(self, k) for k in ("iterations", "threshold", "num_reads", "seed", "schedule")}
        opts.update(drop_unknown_kwargs(self, kwargs))
        self._check_iterations(opts["iterations"])
        if not isinstance(opts["num_reads"], (int, np.integer)) or opts["num_reads"] < 1:
            raise ValueError(f"num_reads: must be a positive integer, got {opts['num_reads']!r}")
        if landscape is not None:
            C = np.asarray(landscape, dtype=np.float64)
            variables = list(range(C.size.bit_length() - 1))
        else:
            # exactly the HUBO's own variables, in the package's canonical order: filling the
            # gaps of integer labels would invent variables (and double the search space each)
            variables = ordered_variables(polynomial.variables)
            C = cost_vector(polynomial, variables=variables)
        vartype = dimod.SPIN if getattr(polynomial, "vartype", dimod.BINARY) is dimod.SPIN else dimod.BINARY
        if not variables:
            return self._sample_empty(C, vartype, opts)
        g = LandscapeGrover(C, threshold=opts["threshold"])
        rng = np.random.default_rng(opts["seed"])
        info = {"num_marked": g.num_marked, "marked_fraction": g.marked_fraction, "threshold": g.threshold,
                "optimal_iterations": g.optimal_iterations()}
        if opts["iterations"] == "bbht":
            runs = [g.bbht_run(rng, opts["schedule"]) for _ in range(opts["num_reads"])]
            idx = np.array([r.index if r.success else int(g.sample(0, 1, rng)[0]) for r in runs])
            info.update(steps=np.array([r.steps for r in runs]), grover_iterations=np.array([r.iterations for r in runs]),
                        schedule=opts["schedule"])
        else:
            k = g.optimal_iterations() if opts["iterations"] == "optimal" else int(opts["iterations"])
            idx = g.sample(k, opts["num_reads"], rng)
            info.update(iterations=k, success_probability=float(g.success_probability(k)))
        bits = bits_of_indices(idx, len(variables)).astype(np.int8)
        values = 2 * bits - 1 if vartype is dimod.SPIN else bits
        ss = dimod.SampleSet.from_samples((values, variables), vartype, C[idx], info=info)
        return ss.aggregate()

    @staticmethod
    def _sample_empty(C: np.ndarray, vartype: dimod.Vartype, opts: dict) -> dimod.SampleSet:
        """A model without variables has one configuration, the empty one, with energy its offset.

        Like dwave-samplers' samplers, every read returns that configuration (aggregated here
        into one row of ``num_reads`` occurrences): it is marked, so any number of iterations
        finds it with certainty and a BBHT search ends at its first measurement.
        """
        offset = float(C[0])
        threshold = offset if opts["threshold"] is None else float(opts["threshold"])
        if offset > threshold + 1e-9:
            raise ValueError(f"threshold: no configuration has cost <= {threshold}; the minimum is {offset}")
        reads = int(opts["num_reads"])
        info = {"num_marked": 1, "marked_fraction": 1.0, "threshold": threshold, "optimal_iterations": 0}
        if opts["iterations"] == "bbht":
            info.update(steps=np.ones(reads, dtype=np.int64), grover_iterations=np.zeros(reads, dtype=np.int64),
                        schedule=opts["schedule"])
        else:
            k = 0 if opts["iterations"] == "optimal" else int(opts["iterations"])
            info.update(iterations=k, success_probability=1.0)
        return dimod.SampleSet.from_samples((np.zeros((1, 0), dtype=np.int8), []), vartype, [offset],
                                            info=info, num_occurrences=[reads])
