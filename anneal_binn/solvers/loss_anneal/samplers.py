"""Samplers that anneal a BiNN's training loss (or hinge energy) directly, bit by bit.

All three run single-bit Metropolis sweeps on compiled incremental flips (see
:class:`~anneal_binn.solvers.loss_anneal.model.LossModel`), reads in parallel threads, and return
each read's lowest-energy configuration seen at the end of any sweep:

- :class:`LossSimulatedAnnealing` (``loss-sa``): thermal annealing, geometric beta schedule;
- :class:`LossQuantumAnnealing` (``loss-sqa``): path-integral simulated quantum annealing with
  ``trotter_slices`` copies coupled along imaginary time, transverse field annealed to ~0;
- :class:`LossReplicatedAnnealing` (``loss-replicated``): robust-ensemble annealing of
  ``num_replicas`` coupled copies whose coupling grows during the anneal.

Seeds: ``numpy.random.SeedSequence(seed)`` draws the initial states and one xorshift seed per
read, so a seed gives the same samples whatever the thread count or ``PYTHONHASHSEED``.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> ss = ab.solve(problem, solver="loss-sa", seed=0, num_reads=2, num_sweeps=50)
    >>> float(ss.first.energy)
    0.0
"""
from __future__ import annotations

import abc
import math
from typing import Any

import dimod
import numpy as np

from anneal_binn.solvers._common import check_num_reads
from anneal_binn.solvers.loss_anneal.model import ENERGIES, LossModel, check_hinge, default_energy


def _pair(value, name: str, allow_zero: bool = False) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a pair (start, end) of numbers, got {value!r}") from None
    ok = (a >= 0 and b >= 0) if allow_zero else (a > 0 and b > 0)
    if not ok or not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"{name}: both ends must be finite and {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return a, b


def _positive_int(value, name: str, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}: must be an int >= {minimum}, got {value!r}")
    return int(value)


FREE_SAMPLE = 1024  # flips sampled per state for the temperatures of a restricted problem


def energy_scale(model: LossModel, num_states: int = 4, free=None, base=None) -> tuple[float, float]:
    """(largest, smallest nonzero) |energy change| of single flips from random states.

    Drawn with a fixed seed: the default temperatures are a property of the problem, not of the run.
    With ``free`` (variable indices) and ``base`` (bits), only those variables are drawn and
    flipped (at most ``FREE_SAMPLE`` of them per state, drawn with the same seed); the others stay
    at ``base`` (a restricted problem).
    """
    rng = np.random.default_rng(0)
    if free is None:
        d = np.concatenate([model.flip_deltas(rng.integers(0, 2, model.num_variables)) for _ in range(num_states)])
    else:
        states = np.repeat(np.asarray(base, dtype=np.int8)[None], num_states, axis=0)
        states[:, free] = rng.integers(0, 2, (num_states, len(free)))
        free = np.asarray(free)
        d = np.concatenate([model.flip_deltas(s, free if len(free) <= FREE_SAMPLE else
                                              np.sort(rng.choice(free, FREE_SAMPLE, replace=False)))
                            for s in states])
    big = float(d.max()) if d.size and d.max() > 0 else 1.0
    small = d[d > 1e-9 * big]
    return big, float(small.min()) if small.size else big


class LossAnnealerBase(abc.ABC):
    """Plumbing shared by the loss annealers: parameters, validation, seeding, kernels, SampleSet."""

    name = ""
    _own: tuple = ()
    _common = ("num_reads", "seed", "num_sweeps", "beta_range", "energy", "initial_states")
    default_sweeps = 1000

    @property
    def parameters(self) -> dict:
        """Sample keywords (dimod style: name -> list of relevant properties)."""
        return {p: [] for p in self._common + self._own}

    @property
    def properties(self) -> dict:
        return {"name": self.name}

    # -- subclasses define the copies, their coupling and the schedules ---------------------
    @abc.abstractmethod
    def _plan(self, model, num_sweeps, beta_range, params, scale) -> dict:
        """Copies per read, their coupling topology and energy factor, and the per-sweep betas and couplings."""

    def sample_problem(self, problem, **kwargs: Any) -> dimod.SampleSet:
        """Anneal ``problem``'s energy; returns one row per read (BINARY, variables 0..N-1).

        A problem restricted to some bits of a larger one (it has a ``clamped`` attribute
        ``(parent, free, base)``, e.g. :class:`anneal_binn.selection.Restriction`) is annealed in its
        parent's kernels with only the ``free`` bits flipped and the others held at ``base``.

        Args:
            problem: a :class:`~anneal_binn.problem.Problem`, or a restricted one.
            **kwargs: the keywords in :attr:`parameters` (see the class docstring).

        Returns:
            SampleSet with ``energy`` = the annealed energy (``info["energy"]`` says which) and a
            ``loss`` vector = the true training loss of each row.
        """
        from anneal_binn.solvers._common import drop_unknown_kwargs

        kwargs = drop_unknown_kwargs(self, dict(kwargs))  # dimod's policy: warn, drop, go on
        restricted = problem
        parent, free, base = getattr(problem, "clamped", None) or (problem, None, None)
        problem = parent
        energy = kwargs.get("energy") or default_energy(problem)
        if energy not in ENERGIES:
            raise ValueError(f"energy: must be 'loss' or 'hinge', got {energy!r}")
        if energy == "hinge":
            check_hinge(problem)
        n = problem.num_variables if free is None else len(free)
        init = kwargs.get("initial_states")
        if init is not None:
            init = np.atleast_2d(np.asarray(init))
            if init.shape[1] != n or init.size == 0 or init.min() < 0 or init.max() > 1:
                raise ValueError(f"initial_states: must be (num_reads, {n}) 0/1 bits, got shape {init.shape}")
        num_reads = check_num_reads(kwargs.get("num_reads"), default=len(init) if init is not None else 1)
        if init is not None and len(init) != num_reads:
            init = init[np.arange(num_reads) % len(init)]  # cycle, as dimod's samplers do
        num_sweeps = _positive_int(kwargs.get("num_sweeps", self.default_sweeps), "num_sweeps")
        seed = kwargs.get("seed")
        if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"seed: must be None or a non-negative int, got {seed!r}")
        model = LossModel(problem, energy, network=free is not None)
        scale = energy_scale(model) if free is None else energy_scale(model, free=free, base=base)
        beta_range = kwargs.get("beta_range")
        beta_range = _pair(self._default_betas(*scale) if beta_range is None else beta_range, "beta_range")
        plan = self._plan(model, num_sweeps, beta_range, kwargs, scale)
        M = plan["copies"]
        ss = np.random.SeedSequence(seed)
        rng = np.random.default_rng(ss.spawn(1)[0])
        seeds = ss.generate_state(num_reads, dtype=np.uint64) | np.uint64(1)  # xorshift needs a nonzero state
        if init is not None:
            bits0 = np.repeat(init.astype(np.int8)[:, None, :], M, axis=1)
        else:
            bits0 = rng.integers(0, 2, (num_reads, M, n)).astype(np.int8)
        if free is not None:  # the free bits drawn above, the clamped ones at their values
            full = np.empty((num_reads, M, problem.num_variables), dtype=np.int8)
            full[:] = np.asarray(base, dtype=np.int8)
            full[:, :, free] = bits0
            bits0 = full
        betas = plan["betas"].astype(np.float64)
        couplings = plan["couplings"].astype(np.float64)
        if model.perceptron:
            from anneal_binn.solvers.loss_anneal import _perceptron as K

            S0 = (2 * bits0 - 1).astype(np.int8)
            best = K.anneal(S0, model.yx, model.tie, model.mode, plan["escale"] * model.scale, betas,
                            couplings, plan["topology"], seeds)
            best = ((best + 1) // 2).astype(np.int8)
        else:
            from anneal_binn.solvers.loss_anneal import _network as K

            dy = model.new_state(bits0.reshape(num_reads * M, problem.num_variables))
            resync = 0 if self._exact_arithmetic(problem) else 32
            flips = np.arange(n, dtype=np.int64) if free is None else np.asarray(free, dtype=np.int64)
            best = K.anneal(model.st, dy, M, model.scale, plan["escale"], betas, couplings,
                            plan["topology"], resync, seeds, flips)
        energies = model.energies(best)
        if free is not None:
            best = best[:, free]
        info = {"energy": energy, "num_sweeps": num_sweeps, "beta_range": beta_range,
                "kernel": "perceptron" if model.perceptron else "network", **plan.get("info", {})}
        return dimod.SampleSet.from_samples((best, list(range(n))), dimod.BINARY, energy=energies,
                                            info=info, loss=restricted.losses(best))

    def _default_betas(self, big: float, small: float) -> tuple[float, float]:
        # hot: the largest sampled flip cost accepted half the time; cold: the smallest 1 in 1e4
        return math.log(2.0) / big, max(math.log(1e4) / small, math.log(2.0) / big)

    @staticmethod
    def _exact_arithmetic(problem) -> bool:
        # integer inputs through sign hidden layers keep every cached value an exact integer
        X = np.asarray(problem.data.x_train)
        hidden_sign = all(layer.activations == ("sign",) for layer in problem.arch.layers[:-1])
        return bool(np.all(X == np.round(X))) and hidden_sign


class LossSimulatedAnnealing(LossAnnealerBase):
    """``loss-sa``: Metropolis simulated annealing of the training loss, one bit flip at a time.

    Keywords of :meth:`sample_problem`: ``num_reads`` (1), ``seed``, ``num_sweeps`` (1000),
    ``beta_range`` (hot, cold), geometric; default from sampled flip costs: the largest accepted
    with probability 1/2, the smallest with 1e-4), ``energy`` (``"hinge"`` for a sign output
    with the zero-one loss, else ``"loss"``), ``initial_states`` ((num_reads, N) bits).

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p1"))
        >>> ss = LossSimulatedAnnealing().sample_problem(problem, num_reads=2, seed=1, num_sweeps=50)
        >>> float(ss.record.loss.min())
        0.0
    """

    name = "loss-sa"

    def _plan(self, model, num_sweeps, beta_range, params, scale):
        betas = np.geomspace(beta_range[0], beta_range[1], num_sweeps)
        return {"copies": 1, "topology": 0, "escale": 1.0, "betas": betas, "couplings": np.zeros(num_sweeps)}


class LossQuantumAnnealing(LossAnnealerBase):
    """``loss-sqa``: path-integral simulated quantum annealing of the training loss.

    The Suzuki–Trotter form of ``H = E(w) - Gamma sum_i sigma^x_i`` at inverse temperature beta:
    R copies (slices) of the bits, each with energy ``E/R``, neighbouring slices (periodically)
    coupled ferromagnetically by ``J = -ln(tanh(beta Gamma / R)) / (2 beta)`` per bit. Gamma falls
    linearly from ``gamma_range[0]`` to ``gamma_range[1]``, so the slices freeze together; on the
    binary perceptron this finds zero-error weights where thermal annealing stalls (Baldassi &
    Zecchina, PNAS 115:1457, 2018). One sweep visits every bit of every slice.

    Keywords of :meth:`sample_problem` (besides those of :class:`LossSimulatedAnnealing`, whose
    ``beta_range`` here is the geometric beta schedule of the path integral; its default is a
    constant low temperature): ``trotter_slices`` (R, 16), ``gamma_range`` (start, end) in units
    of the largest sampled flip cost (default (0.1, 1e-3)), ``num_sweeps`` (2000).

    The defaults were tuned on ``perceptron-N201-alpha0.7`` (pattern seeds 0..9): one read each
    reached zero training errors on 10/10 instances in about 2 s, where plain SA with 50,000
    sweeps solved 2/10 (``benchmarks/scale.py``). A start field of 1.0 solved 4/10, of 3.0 1/10:
    the field must stay below the typical flip cost, or the slices never agree.

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p1"))
        >>> ss = LossQuantumAnnealing().sample_problem(problem, num_reads=2, seed=1, num_sweeps=50,
        ...                                            trotter_slices=4)
        >>> float(ss.record.loss.min())
        0.0
    """

    name = "loss-sqa"
    _own = ("trotter_slices", "gamma_range")
    default_slices = 16
    default_gamma = (0.1, 1e-3)
    default_sweeps = 2000

    def _default_betas(self, big, small):
        b = math.log(1e4) / small
        return b, b

    def _plan(self, model, num_sweeps, beta_range, params, scale):
        R = _positive_int(params.get("trotter_slices", self.default_slices), "trotter_slices", 2)
        g0, g1 = _pair(params.get("gamma_range", self.default_gamma), "gamma_range")
        big = scale[0]
        betas = np.geomspace(beta_range[0], beta_range[1], num_sweeps)
        gammas = np.linspace(g0, g1, num_sweeps) * big
        x = np.tanh(betas * gammas / R)
        J = -np.log(np.maximum(x, 1e-300)) / (2.0 * betas)
        return {"copies": R, "topology": 1, "escale": 1.0 / R, "betas": betas, "couplings": J,
                "info": {"trotter_slices": R, "gamma_range": (g0 * big, g1 * big)}}


class LossReplicatedAnnealing(LossAnnealerBase):
    """``loss-replicated``: robust-ensemble (replicated) simulated annealing of the training loss.

    ``num_replicas`` copies of the bits, each with the full energy, interact through
    ``-gamma sum_{a<b} sum_i s_i^a s_i^b`` (equivalently, each is pulled toward the sum of the
    others), so the ensemble favours wide, dense minima over isolated ones (Baldassi et al.,
    PNAS 113:E7655, 2016). ``gamma`` grows geometrically ("scoping") while beta grows, until
    the replicas coincide; the best replica is returned.

    Keywords of :meth:`sample_problem` (besides those of :class:`LossSimulatedAnnealing`):
    ``num_replicas`` (y, 5), ``coupling_range`` (gamma start, end) in units of the smallest
    sampled flip cost (default (0.01, 1.0)), ``num_sweeps`` (2000).

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p1"))
        >>> ss = LossReplicatedAnnealing().sample_problem(problem, num_reads=2, seed=1, num_sweeps=50,
        ...                                               num_replicas=3)
        >>> float(ss.record.loss.min())
        0.0
    """

    name = "loss-replicated"
    _own = ("num_replicas", "coupling_range")
    default_replicas = 5
    default_coupling = (0.01, 1.0)
    default_sweeps = 2000

    def _plan(self, model, num_sweeps, beta_range, params, scale):
        y = _positive_int(params.get("num_replicas", self.default_replicas), "num_replicas", 2)
        c0, c1 = _pair(params.get("coupling_range", self.default_coupling), "coupling_range")
        small = scale[1]
        betas = np.geomspace(beta_range[0], beta_range[1], num_sweeps)
        gammas = np.geomspace(c0, c1, num_sweeps) * small
        return {"copies": y, "topology": 2, "escale": 1.0, "betas": betas, "couplings": gammas,
                "info": {"num_replicas": y, "coupling_range": (c0 * small, c1 * small)}}
