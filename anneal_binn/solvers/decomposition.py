"""``hybrid-decompose``: dwave-hybrid energy-impact decomposition for QUBOs larger than a QPU.

One read is one dwave-hybrid workflow, started from a seeded random state::

    LoopUntilNoImprovement(
        EnergyImpactDecomposer(size, rolling=True)   # by flip energy, all variables in turn
        | sub-sampler                                # SA, tabu, or the QPU adapter (mock=True offline)
        | SplatComposer()                            # write the subproblem's answer back
        | steepest descent on the whole BQM          # polish (deterministic)
        | seeded random subproblem | sub-sampler | SplatComposer() | steepest descent,
        max_iter, convergence)

Determinism: dwave-hybrid's own SA sub-sampler takes no seed, and its racing workflows (Kerberos,
``RacingBranches``) keep whichever branch finishes first, which depends on thread timing. So
this workflow does not race, and its sub-sampler is a Runnable of this module that draws a fresh
seed for every call from one ``numpy.random.Generator`` per read (``SeedSequence(seed)`` spawns
one per read). The energy-impact ranking sorts ties by variable position, and steepest descent
has no randomness, so the same ``seed`` gives the same samples.

The sub-sampler's answer only replaces the current values of the subproblem's variables when it
is at least as good (the current values compete as one more candidate), so a read's energy
never increases.

Examples:
    >>> import dimod
    >>> bqm = dimod.generators.gnp_random_bqm(12, 0.5, "BINARY", random_state=3)
    >>> ss = HybridDecomposeSampler(subproblem_size=5, max_iter=20).sample(bqm, num_reads=2, seed=1)
    >>> bool(abs(ss.first.energy - dimod.ExactSolver().sample(bqm).first.energy) < 1e-9)
    True
"""
from __future__ import annotations

from typing import Any

import dimod
import numpy as np

SUB_SAMPLERS = ("sa", "tabu", "qpu")


def _require_hybrid():
    from anneal_binn.errors import require

    require("hybrid", "qpu")


def _make_subsampler_class():
    """The seeded sub-sampler Runnable (a function so that ``hybrid`` is imported only when used)."""
    import hybrid

    class SeededSubproblemSampler(hybrid.traits.SubproblemSampler, hybrid.traits.SISO, hybrid.Runnable):
        """Samples ``state.subproblem`` with a dimod sampler and a fresh seed per call; keeps the best."""

        def __init__(self, sampler, rng: np.random.Generator, sample_kwargs: dict, **runopts):
            super().__init__(**runopts)
            self.sampler = sampler
            self.rng = rng
            self.sample_kwargs = dict(sample_kwargs)
            self.calls = 0

        def next(self, state, **runopts):
            sub = state.subproblem
            variables = list(sub.variables)
            current = state.samples.first.sample
            cur = np.array([[current[v] for v in variables]])
            seed = int(self.rng.integers(2**31 - 1))  # drawn even when unused: the stream stays aligned
            self.calls += 1
            if not any(sub.linear.values()) and not any(sub.quadratic.values()):
                # a flat subproblem (every value costs the same): nothing to sample, keep the current values
                return state.updated(subsamples=dimod.SampleSet.from_samples_bqm((cur, variables), sub))
            ss = self.sampler.sample(sub, seed=seed, **self.sample_kwargs)
            cols = [ss.variables.index(v) for v in variables]
            cand = np.vstack([cur, np.asarray(ss.record.sample)[:, cols]])
            if ss.vartype is not sub.vartype:  # the QPU adapter answers in the BQM's vartype; be safe
                cand[1:] = (cand[1:] + 1) // 2 if sub.vartype is dimod.BINARY else 2 * cand[1:] - 1
            energies = sub.energies((cand, variables))
            best = int(np.argmin(energies))  # ties keep the current values (row 0)
            out = dimod.SampleSet.from_samples_bqm((cand[best: best + 1], variables), sub)
            return state.updated(subsamples=out)

    class SeededRandomDecomposer(hybrid.traits.ProblemDecomposer, hybrid.traits.SISO, hybrid.Runnable):
        """A subproblem of ``size`` variables drawn from the read's generator (seeded)."""

        def __init__(self, size: int, rng: np.random.Generator, **runopts):
            super().__init__(**runopts)
            self.size = size
            self.rng = rng

        def next(self, state, **runopts):
            from hybrid.utils import bqm_induced_by

            bqm = state.problem
            variables = list(bqm.variables)
            pick = np.sort(self.rng.choice(len(variables), size=min(self.size, len(variables)), replace=False))
            return state.updated(subproblem=bqm_induced_by(bqm, [variables[i] for i in pick],
                                                           state.samples.first.sample))

    class SteepestPolish(hybrid.traits.ProblemSampler, hybrid.traits.SISO, hybrid.Runnable):
        """Steepest descent on the whole problem from the current sample (deterministic)."""

        def next(self, state, **runopts):
            from dwave.samplers import SteepestDescentSolver

            bqm = state.problem
            variables = list(bqm.variables)
            cur = state.samples.first.sample
            init = np.array([[cur[v] for v in variables]])
            ss = SteepestDescentSolver().sample(bqm, initial_states=(init, variables))
            return state.updated(samples=dimod.SampleSet.from_samples_bqm(ss.truncate(1), bqm))

    return SeededSubproblemSampler, SeededRandomDecomposer, SteepestPolish


class _CliqueEmbeddedQPU:
    """The QPU adapter with one clique embedding of ``size`` chains, reused for every subproblem.

    Any subproblem of at most ``size`` variables fits a clique embedding of K_size, so one search
    (minorminer's busclique, cached) serves the whole run instead of one minorminer call per subproblem.
    """

    def __init__(self, qpu, size: int):
        self.qpu = qpu
        self.size = size
        self.chains = None

    def sample(self, bqm, **kwargs):
        if self.chains is None:
            from minorminer import busclique

            from anneal_binn.solvers.qpu import QPUError

            emb = busclique.find_clique_embedding(self.size, self.qpu.child().to_networkx_graph())
            if len(emb) < self.size:
                raise QPUError(f"subproblem_size: K_{self.size} has no clique embedding on {self.qpu.solver_name}; "
                               "lower subproblem_size")
            self.chains = [list(emb[i]) for i in range(self.size)]
        self.qpu.embedding = {v: self.chains[i] for i, v in enumerate(bqm.variables)}
        return self.qpu.sample(bqm, **kwargs)


class HybridDecomposeSampler(dimod.Sampler):
    """Energy-impact decomposition (dwave-hybrid) with a seeded SA, tabu or QPU sub-sampler.

    Args:
        subproblem_size: variables per subproblem (what the sub-sampler, e.g. a QPU, must hold).
        max_iter: iterations (subproblems) per read at most.
        convergence: stop a read after this many passes over the variables (``ceil(n / size)``
            subproblems each) without an energy change; None runs all ``max_iter``.
        sub_sampler: ``"sa"`` (dwave-samplers SimulatedAnnealingSampler), ``"tabu"`` or ``"qpu"``
            (:class:`~anneal_binn.solvers.qpu.QPUSampler`; ``mock=True`` runs it offline on the
            Pegasus mock).
        sub_reads: reads of the sub-sampler per subproblem.
        num_sweeps: SA sweeps per subproblem (``"sa"`` only).
        rolling_history: fraction of the variables visited before the decomposer starts over
            (1.0: every variable gets its turn; smaller values revisit the top of the energy-impact
            ranking, which at a local minimum repeats the same subproblem).
        traversal: the decomposer's ``"energy"``, ``"bfs"`` or ``"pfs"`` order of picking variables.
        polish: run steepest descent on the whole BQM after every subproblem.
        mix_random: follow every energy-impact subproblem by a seeded random one. At a local
            minimum the energy-impact ranking does not change, so the decomposer cuts the
            variables into the same parts on every pass, and a move that needs variables of two
            parts is never tried; random subproblems cut differently each time.
        mock: with ``sub_sampler="qpu"``, use the offline Pegasus mock.
        qpu: further keyword arguments of the QPU adapter (``topology_shape``, ``chain_strength``, ...).
        clique_embedding: with ``sub_sampler="qpu"``, embed K_subproblem_size once and place every
            subproblem on it (False: minorminer embeds each subproblem afresh).
        **defaults: default ``sample`` parameters (``num_reads``, ``seed``).

    Examples:
        >>> import dimod
        >>> bqm = dimod.BinaryQuadraticModel({0: -1.0, 1: 1.0, 2: -0.5}, {(0, 1): 2.0, (1, 2): -1.0}, 0.0, "BINARY")
        >>> ss = HybridDecomposeSampler(subproblem_size=2, max_iter=20).sample(bqm, num_reads=2, seed=0)
        >>> float(ss.first.energy), list(ss.variables)
        (-1.5, [0, 1, 2])
    """

    def __init__(self, subproblem_size: int = 50, max_iter: int = 100, convergence: int = 3,
                 sub_sampler: str = "sa", sub_reads: int = 4, num_sweeps: int = 1000, rolling_history: float = 1.0,
                 traversal: str = "energy", polish: bool = True, mix_random: bool = True, mock: bool = False,
                 qpu: dict | None = None, clique_embedding: bool = True, **defaults: Any):
        if sub_sampler not in SUB_SAMPLERS:
            raise ValueError(f"sub_sampler: must be one of {', '.join(SUB_SAMPLERS)}, got {sub_sampler!r}")
        if traversal not in ("energy", "bfs", "pfs"):
            raise ValueError(f"traversal: must be 'energy', 'bfs' or 'pfs', got {traversal!r}")
        for name, value in (("subproblem_size", subproblem_size), ("max_iter", max_iter), ("sub_reads", sub_reads),
                            ("num_sweeps", num_sweeps)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name}: must be a positive integer, got {value!r}")
        if convergence is not None and (int(convergence) != convergence or convergence < 1):
            raise ValueError(f"convergence: must be a positive integer or None, got {convergence!r}")
        if not 0 < rolling_history <= 1:
            raise ValueError(f"rolling_history: must be in (0, 1], got {rolling_history!r}")
        self.subproblem_size = int(subproblem_size)
        self.max_iter = int(max_iter)
        self.convergence = None if convergence is None else int(convergence)
        self.sub_sampler = sub_sampler
        self.sub_reads = int(sub_reads)
        self.num_sweeps = int(num_sweeps)
        self.rolling_history = float(rolling_history)
        self.traversal = traversal
        self.polish = bool(polish)
        self.mix_random = bool(mix_random)
        self.mock = bool(mock)
        self.qpu = dict(qpu or {})
        self.clique_embedding = bool(clique_embedding)
        from anneal_binn.solvers._common import drop_unknown_kwargs

        # stored defaults follow the sample keywords' policy (dimod's): warn, drop
        self.defaults = drop_unknown_kwargs(self, dict(defaults), stacklevel=2)
        self._qpu = None
        self._clique = None

    @property
    def parameters(self) -> dict:
        return {"num_reads": [], "seed": [], "subproblem_size": [], "max_iter": [], "convergence": []}

    @property
    def properties(self) -> dict:
        return {"workflow": "LoopUntilNoImprovement(EnergyImpactDecomposer | sub-sampler | SplatComposer"
                            + (" | steepest descent" if self.polish else "") + ")",
                "sub_sampler": self.sub_sampler, "mock": self.mock, "subproblem_size": self.subproblem_size}

    def _child(self, size: int):
        if self.sub_sampler == "sa":
            from dwave.samplers import SimulatedAnnealingSampler

            return SimulatedAnnealingSampler(), {"num_reads": self.sub_reads, "num_sweeps": self.num_sweeps}
        if self.sub_sampler == "tabu":
            from dwave.samplers import TabuSampler

            return TabuSampler(), {"num_reads": self.sub_reads, "timeout": 5}  # ms per read: subproblems are small
        if self._qpu is None:  # one adapter for the whole run: its QPU (or mock) is made once
            from anneal_binn.solvers.qpu import QPUSampler

            self._qpu = QPUSampler(mock=self.mock, **self.qpu)
        if self.clique_embedding:
            if self._clique is None or self._clique.size != size:
                self._clique = _CliqueEmbeddedQPU(self._qpu, size)
            return self._clique, {"num_reads": self.sub_reads}
        return self._qpu, {"num_reads": self.sub_reads}

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Run ``num_reads`` seeded decomposition workflows on ``bqm``; energies are ``bqm``'s.

        Args:
            bqm: the QUBO/Ising model.
            num_reads: independent workflows (default 1), each from its own random start.
            seed: makes the run reproducible (None: fresh entropy).
            subproblem_size, max_iter, convergence: override the constructor's values for this call.

        Returns:
            One row per read, energies of ``bqm``; ``info["subproblems"]``: subproblems solved per read.
        """
        _require_hybrid()
        import hybrid

        from anneal_binn.solvers._common import drop_unknown_kwargs

        opts = {**self.defaults, **drop_unknown_kwargs(self, dict(kwargs))}  # dimod's policy: warn, drop
        num_reads = int(opts.get("num_reads") or 1)
        size = int(opts.get("subproblem_size") or self.subproblem_size)
        max_iter = int(opts.get("max_iter") or self.max_iter)
        convergence = opts.get("convergence", self.convergence)
        variables = list(bqm.variables)
        if not variables:
            return dimod.SampleSet.from_samples_bqm((np.zeros((num_reads, 0), dtype=np.int8), []), bqm)
        Sub, RandomDec, Polish = _make_subsampler_class()
        child, sample_kwargs = self._child(min(size, len(variables)))
        lo = 0 if bqm.vartype is dimod.BINARY else -1
        rows, calls = [], []
        for child_seed in np.random.SeedSequence(opts.get("seed")).spawn(num_reads):
            rng = np.random.default_rng(child_seed)
            start = rng.integers(0, 2, size=len(variables))
            start = start if lo == 0 else 2 * start - 1
            state = hybrid.State.from_sample(dict(zip(variables, start.tolist())), bqm)
            sub = Sub(child, rng, sample_kwargs)
            branch = (hybrid.EnergyImpactDecomposer(size=min(size, len(variables)), rolling=True,
                                                    rolling_history=self.rolling_history, traversal=self.traversal)
                      | sub | hybrid.SplatComposer())
            if self.polish:
                branch = branch | Polish()
            if self.mix_random:
                branch = branch | RandomDec(size, rng) | sub | hybrid.SplatComposer()
                if self.polish:
                    branch = branch | Polish()
            passes = None if convergence is None else int(convergence) * -(-len(variables) // size)
            workflow = hybrid.LoopUntilNoImprovement(branch, max_iter=max_iter, convergence=passes)
            final = workflow.run(state).result()
            best = final.samples.first.sample
            rows.append([best[v] for v in variables])
            calls.append(sub.calls)
        ss = dimod.SampleSet.from_samples_bqm((np.array(rows), variables), bqm)
        ss.info.update({"solver": "hybrid-decompose", "sub_sampler": self.sub_sampler, "subproblem_size": size,
                        "subproblems": calls})
        return ss
