"""``hypernet``: a quantum hypernetwork (seed 002) as a ``dimod.PolySampler``.

The circuit is trained on the HUBO (or on an exact ``landscape=`` cost vector) and then
measured ``shots`` times; the measured bitstrings are the samples, their cost the energies.

Examples:
    >>> import dimod
    >>> poly = dimod.BinaryPolynomial({(0,): 1.0, (1,): 1.0, (0, 1): -3.0}, "BINARY")
    >>> ss = HypernetSampler(layers=1, restarts=4, shots=50, seed=0).sample_poly(poly)
    >>> {v: int(x) for v, x in ss.first.sample.items()}, float(ss.first.energy)
    ({0: 1, 1: 1}, -1.0)
"""
from __future__ import annotations

import time

import dimod
import numpy as np

from anneal_binn.gate.circuits import Ansatz, indices_of_bits
from anneal_binn.gate.cost import cost_vector
from anneal_binn.solvers._common import drop_unknown_kwargs, ordered_variables


class HypernetSampler(dimod.PolySampler):
    """Train ``U(theta)`` on the cost and sample the trained state.

    Args:
        layers: circuit layers (0 = product state).
        restarts: random initializations; the one with the lowest energy is sampled.
        shots: measurements of the trained state = rows of the returned SampleSet (aggregated).
        method: ``"statevector"`` (exact, N <= ~24, adjoint gradient + L-BFGS) or ``"mps"``
            (Aer matrix-product-state simulation, shot-estimated loss, SPSA/QN-SPSA).
        seed: makes everything repeatable.
        maxiter: optimizer iterations.
        optimizer: statevector: ``"lbfgs"`` (default), ``"scipy"``, ``"adam"``;
            mps: ``"spsa"`` (default) or ``"qnspsa"``.
        gradient: statevector only: ``"adjoint"`` or ``"parameter-shift"`` (with ``train_shots``).
        train_shots: shots per energy estimate while training (parameter shift / mps).
    """

    @property
    def parameters(self) -> dict:
        # a fresh dict per call: instances share no mutable state (dimod's sampler contract)
        return {"layers": [], "restarts": [], "shots": [], "num_reads": [], "method": [], "seed": [], "maxiter": [],
                "optimizer": [], "gradient": [], "train_shots": [], "landscape": [], "loss": []}

    @property
    def properties(self) -> dict:
        return {"description": "quantum hypernetwork (gate model), exact statevector or MPS"}

    def __init__(self, layers: int = 2, restarts: int = 8, shots: int = 1000, method: str = "statevector",
                 seed=None, maxiter: int = 200, optimizer: str | None = None, gradient: str = "adjoint",
                 train_shots: int | None = None):
        if method not in ("statevector", "mps"):
            raise ValueError(f"method: choose 'statevector' or 'mps', got {method!r}")
        Ansatz(1, layers)  # validates layers
        for name, v in (("restarts", restarts), ("shots", shots), ("maxiter", maxiter)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name}: must be a positive integer, got {v!r}")
        self.layers, self.restarts, self.shots, self.method = layers, restarts, shots, method
        self.seed, self.maxiter, self.optimizer, self.gradient = seed, maxiter, optimizer, gradient
        self.train_shots = train_shots

    def sample_poly(self, polynomial: dimod.BinaryPolynomial, landscape=None, loss=None, **kwargs) -> dimod.SampleSet:
        """Train on ``polynomial`` (or the exact ``landscape``) and return measured samples.

        Args:
            polynomial: the HUBO (BINARY or SPIN; the samples come back in its vartype, bit 1 =
                +1); the samples are over exactly its variables, qubit ``i`` being the ``i``-th
                in the package's canonical order (ints ascending, then other labels by ``str``).
            landscape: optional exact cost vector of length ``2**N`` (used instead of the HUBO's
                values; statevector method).
            loss: optional ``bits (S, N) -> (S,)`` true loss (mps method; e.g. ``problem.losses``).
            **kwargs: overrides of the constructor parameters for this call; other names are
                ignored with a ``SamplerUnknownArgWarning`` (dimod's policy).
        """
        opts = {k: getattr(self, k) for k in ("layers", "restarts", "shots", "method", "seed", "maxiter",
                                               "optimizer", "gradient", "train_shots")}
        drop_unknown_kwargs(self, kwargs)
        if "num_reads" in kwargs:  # dimod's name for the number of samples
            kwargs["shots"] = kwargs.pop("num_reads")
        opts.update(kwargs)
        t0 = time.perf_counter()
        if landscape is not None:
            C = np.asarray(landscape, dtype=np.float64)
            n = C.size.bit_length() - 1
            variables = list(range(n))
        else:
            # exactly the HUBO's variables (integer gaps are not filled: that would invent qubits)
            variables = ordered_variables(polynomial.variables)
            n = len(variables)
            C = None
        vartype = dimod.SPIN if getattr(polynomial, "vartype", dimod.BINARY) is dimod.SPIN else dimod.BINARY
        if n == 0:
            # one configuration (the empty one), energy = the offset: no circuit to train; every
            # shot measures it, as dwave-samplers' samplers return one empty row per read
            offset = float(C[0]) if C is not None else float(polynomial.energy({}))
            info = {"method": opts["method"], "layers": opts["layers"], "shots": opts["shots"],
                    "expected_energy": offset, "time_s": time.perf_counter() - t0}
            return dimod.SampleSet.from_samples((np.zeros((1, 0), dtype=np.int8), []), vartype, [offset],
                                                info=info, num_occurrences=[int(opts["shots"])])
        rng = np.random.default_rng(opts["seed"])
        seeds = rng.integers(2**31 - 1, size=2)
        if opts["method"] == "statevector":
            from anneal_binn.gate.hypernetwork import train

            if C is None:
                C = cost_vector(polynomial, variables=variables)
            res = train(C, layers=opts["layers"], restarts=opts["restarts"], optimizer=opts["optimizer"] or "lbfgs",
                        gradient=opts["gradient"], shots=opts["train_shots"], maxiter=opts["maxiter"],
                        seed=int(seeds[0]))
            bits = res.sample(opts["shots"], seed=int(seeds[1]))
            energies = C[indices_of_bits(bits)]
            info = {"theta": res.theta[res.best], "thetas": res.theta, "restart_energies": res.energies,
                    "trace": res.trace[res.best], "traces": res.trace, "nfev": res.nfev, "best_restart": res.best,
                    "expected_energy": float(res.energies[res.best])}
        else:
            from anneal_binn.gate.mps import MPSHypernetwork, loss_from_cost, loss_from_polynomial

            if loss is None:
                loss = loss_from_cost(C) if C is not None else loss_from_polynomial(polynomial, variables)
            ansatz = Ansatz(n, opts["layers"])
            h = MPSHypernetwork(ansatz, loss, shots=opts["train_shots"] or opts["shots"], seed=int(seeds[0]))
            runs = []
            for r in range(opts["restarts"]):
                runs.append(h.train(optimizer=opts["optimizer"] or "spsa", maxiter=opts["maxiter"],
                                    seed=int(seeds[1]) + r))
            best = int(np.argmin([r.energy for r in runs]))
            bits = h.sample(runs[best].theta, shots=opts["shots"])
            energies = np.asarray(loss(bits), dtype=np.float64)
            info = {"theta": runs[best].theta, "thetas": np.stack([r.theta for r in runs]),
                    "restart_energies": np.array([r.energy for r in runs]), "trace": runs[best].trace,
                    "traces": [r.trace for r in runs], "nfev": np.array([r.nfev for r in runs]),
                    "best_restart": best, "expected_energy": float(runs[best].energy)}
        info.update({"method": opts["method"], "layers": opts["layers"], "shots": opts["shots"],
                     "time_s": time.perf_counter() - t0})
        # bit 1 = weight +1: BINARY 1, SPIN +1
        values = 2 * bits.astype(np.int8) - 1 if vartype is dimod.SPIN else bits.astype(np.int8)
        ss = dimod.SampleSet.from_samples((values, variables), vartype, energies, info=info)
        return ss.aggregate()
