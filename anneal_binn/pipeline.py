"""The one pipeline: formulate -> reduce -> sample -> project -> complete -> evaluate.

Every way of solving a problem goes through :class:`Pipeline`: ``ab.solve`` and ``ab.run``, the
``run``, ``solve``, ``compare`` and ``submit`` commands and the QPU run directories. What a solver
takes decides the route (its registry ``input``):

- ``"problem"``: the sampler is handed the :class:`~anneal_binn.problem.Problem` (loss annealers,
  gradient and perceptron baselines); nothing is formulated.
- ``"hubo"``: the sampler gets ``problem.to_hubo(**hubo)``.
- ``"bqm"``: the sampler gets a QUBO: ``problem.to_qubo(**qubo)`` when a QUBO encoding is named
  (``qubo={"method": ...}`` or the spec's ``[run.qubo]``), else ``ab.reduce(to_hubo(...), reduction)``;
  its samples are projected back through the record.

Whatever the route, the sample set that comes out is BINARY, over exactly the problem's
variables 0..N-1 in order (bit i = variable i), and :meth:`Pipeline.run` wraps it, with its
evaluation, timing and formulation summary, in one frozen :class:`Result`.

Examples:
    >>> import anneal_binn as ab
    >>> result = ab.run(ab.build(ab.load_spec("fawaz-p1")), solver="hubo-sa", seed=0, num_reads=10)
    >>> result.report.best.loss, result.solver, sorted(result.timing)
    (0.0, 'hubo-sa', ['evaluate_s', 'formulate_s', 'reduce_s', 'sample_s'])
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import dimod
import numpy as np

from anneal_binn import solvers
from anneal_binn.errors import SolverError, UsageError

EXACT_LIMIT = 20  # the default route solves exactly up to this many variables
# Solver keywords every sampler shares; the rest are checked against the sampler's own parameters.
COMMON_KEYWORDS = ("num_reads", "seed")


def default_solver(problem) -> str:
    """The solver used when none is named: the spec's ``[run] solver``, else exact when small, else loss-sa.

    Each catalogue spec's ``[run] solver`` (with its ``num_sweeps`` and ``num_reads``) is the route
    with the fastest TTS99 in ``benchmarks/solvers.py`` (time-to-target at the best known loss past
    enumeration); the committed table is ``benchmarks/solvers.json``. Enumeration keeps the default
    where no route beats it beyond the timing noise, as it certifies the optimum (fawaz-p1, fawaz-p2). A spec
    without a ``[run]`` line gets exact up to ``EXACT_LIMIT`` bits and loss-sa past it: loss-sa anneals
    the net's own loss (any architecture, no formulation to build), and a loss annealer (loss-sa,
    loss-replicated or loss-sqa) won every other benchmarked spec.

    Examples:
        >>> import anneal_binn as ab
        >>> default_solver(ab.build(ab.load_spec("fawaz-p2"))), default_solver(ab.build(ab.load_spec("gaussian-activation")))
        ('exact', 'loss-sa')
    """
    limit = int(problem.spec.run.get("exact_limit", EXACT_LIMIT))
    return problem.spec.run.get("solver") or ("exact" if problem.num_variables <= limit else "loss-sa")


def _plain(value):
    """Spec tables may be read-only mappings; solvers and JSON want plain dicts and lists."""
    if isinstance(value, dict) or hasattr(value, "keys"):
        return {k: _plain(value[k]) for k in value.keys()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def split_params(name: str, params: dict) -> tuple[dict, dict]:
    """(constructor params, sample params) for solver ``name``.

    A parameter named in the solver factory's signature configures the solver (``mock``,
    ``backend``, ``max_variables``...); everything else is a ``sample`` keyword.
    """
    import importlib
    import inspect

    module_name, factory = solvers.entry(name).target.split(":")
    try:
        obj = getattr(importlib.import_module(f"anneal_binn.solvers.{module_name}"), factory)
    except ImportError:
        return {}, dict(params)  # solvers.get raises the clear MissingExtraError
    named = {p.name for p in inspect.signature(obj).parameters.values()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"}
    ctor = {k: v for k, v in params.items() if k in named}
    return ctor, {k: v for k, v in params.items() if k not in named}


def project(record, raw: dimod.SampleSet) -> dimod.SampleSet:
    """``record.project(raw)``, keeping the sampler's per-read vectors (e.g. chain_break_fraction)."""
    ss = record.project(raw)
    extra = [k for k in raw.record.dtype.names
             if k not in ("sample", "energy", "num_occurrences") and k not in ss.record.dtype.names]
    if not extra or len(ss) != len(raw):
        return ss
    vectors = {k: ss.record[k] for k in ss.record.dtype.names if k not in ("sample", "energy")}
    vectors.update({k: raw.record[k] for k in extra})
    return dimod.SampleSet.from_samples((ss.record.sample, list(ss.variables)), ss.vartype, ss.record.energy,
                                        info=dict(ss.info), **vectors)


def complete(ss: dimod.SampleSet, problem) -> dimod.SampleSet:
    """The same rows, BINARY, over exactly the problem's variables 0..N-1 in order.

    A truncated HUBO may not mention every variable; such a variable does not change the HUBO
    energy, so it is filled with 0 and the energies stay correct. Variables that are not the
    problem's (ancillas, auxiliary neurons) are dropped.
    """
    if ss.vartype is dimod.SPIN:
        ss = ss.change_vartype(dimod.BINARY, inplace=False)
    want = list(problem.variables)
    if list(ss.variables) == want:
        return ss
    index = {v: i for i, v in enumerate(ss.variables)}
    sample = np.zeros((len(ss), len(want)), dtype=np.int8)
    for j, v in enumerate(want):
        if v in index:
            sample[:, j] = ss.record.sample[:, index[v]]
    vectors = {k: ss.record[k] for k in ss.record.dtype.names if k not in ("sample", "energy")}
    return dimod.SampleSet.from_samples((sample, want), dimod.BINARY, ss.record.energy, info=dict(ss.info), **vectors)


def chance_accuracy(problem) -> float:
    """Training accuracy of always predicting the most frequent class: what "chance" means here."""
    y = np.asarray(problem.data.y_train)
    if y.size == 0:
        return 0.0
    _, counts = np.unique(y, return_counts=True)
    return float(counts.max() / y.size)


@dataclass(frozen=True)
class Result:
    """One solver run on one problem: the sample set, its evaluation, timing and formulation.

    Attributes:
        problem: the :class:`~anneal_binn.problem.Problem` solved.
        solver: registry name; ``params`` the solver parameters given; ``seed``, ``num_reads``.
        sampleset: BINARY, over the problem's variables 0..N-1 (bit i = variable i).
        report: :class:`~anneal_binn.report.Report` of the decoded nets (true losses, accuracies, gap).
        timing: seconds spent in ``formulate_s``, ``reduce_s``, ``sample_s`` (the time TTS uses) and
            ``evaluate_s``.
        formulation: how the solver's input was built (route, HUBO method and size, QUBO size,
            reduction or encoding); None for solvers handed the Problem.
        warnings: plain-language findings a user must not miss (no better than chance, far from
            the known optimum).
    """

    problem: Any
    solver: str
    params: dict
    seed: int | None
    num_reads: int | None
    sampleset: dimod.SampleSet
    report: Any
    timing: dict
    formulation: dict | None = None
    warnings: tuple[str, ...] = ()
    info: dict = field(default_factory=dict)

    @property
    def reads(self) -> int:
        """Reads represented (num_occurrences summed)."""
        return int(self.sampleset.record.num_occurrences.sum())

    def to_dict(self) -> dict:
        """The JSON document every ``--json`` prints (plain types only).

        Examples:
            >>> import anneal_binn as ab
            >>> d = ab.run(ab.build(ab.load_spec("fawaz-p2")), solver="exact").to_dict()
            >>> d["solver"], d["best"]["loss"], d["exact"]["optimum"], d["success_probability"]
            ('exact', 0.0, 0.0, 1.0)
        """
        from anneal_binn.jsonio import to_jsonable

        problem, rep = self.problem, self.report
        reg = problem.register
        w = self.sampleset.record.num_occurrences
        best = rep.to_dict()["best"]
        doc = {
            "spec": problem.name,
            "description": problem.spec.description,
            "num_variables": problem.num_variables,
            "roles": {k: reg.count(k) for k in ("weight", "bias", "mask", "neuron", "activation", "width")
                      if reg.count(k)},
            "data": problem.data.name,
            "num_samples": {"train": int(len(problem.data.y_train)), "test": int(len(problem.data.y_test))},
            "loss": problem.arch.loss,
            "solver": self.solver,
            "params": self.params,
            "seed": self.seed,
            "reads": self.reads,
            "rows": len(self.sampleset),
            "timing": self.timing,
            "formulation": self.formulation,
            "best_energy": float(self.sampleset.record.energy.min()),
            "best": best,
            "mean_loss": float(np.average(rep.losses, weights=w)),
            "chance_accuracy": chance_accuracy(problem),
            "exact": {"optimum": rep.optimum, "num_optima": rep.num_optima},
            "gap": rep.gap,
            "success_probability": _success(rep, w),
            "info": self.info,
            "warnings": list(self.warnings),
        }
        return to_jsonable(doc)


def _success(report, weights) -> float | None:
    """Read-weighted fraction of rows at the exact optimum (None when it is unknown)."""
    if report.optimum is None:
        return None
    from anneal_binn.metrics import is_success

    ok = is_success(report.losses, report.optimum)
    return float(weights[ok].sum() / weights.sum())


# ss.info keys a solver may set that are worth carrying into the Result
INFO_KEYS = ("ground_state_probability", "min_gap", "chain_break_fraction", "chain_strength",
             "truncation_error", "expected_energy", "energy", "embedding_summary")


class Pipeline:
    """A problem and a solver, with the route between them built once and reused.

    The formulation and reduction are built on first need and cached, so ``submit`` can sample
    many batches (and ``resume`` can restore them from disk) without rebuilding them.

    Args:
        problem: the :class:`~anneal_binn.problem.Problem`.
        solver: registry name; None takes :func:`default_solver`.
        hubo: ``problem.to_hubo`` options (default: the spec's ``[run.hubo]``).
        qubo: ``problem.to_qubo`` options for QUBO solvers, e.g. ``{"method": "unbalanced"}``
            (default: the spec's ``[run.qubo]``); when absent QUBO solvers get ``reduce(to_hubo())``.
        reduction: ``ab.reduce`` method (default ``"auto"``).
        params: solver parameters (constructor and ``sample`` keywords alike). The spec's
            ``[run.params]`` apply when the solver is the spec's own.
    """

    def __init__(self, problem, solver: str | None = None, *, hubo: dict | None = None, qubo: dict | None = None,
                 reduction: str | None = None, params: dict | None = None):
        self.problem = problem
        run = problem.spec.run
        self.name = solver or default_solver(problem)
        self.entry = solvers.entry(self.name)
        self.own_solver = self.name == default_solver(problem)
        self.hubo_options = _plain(run.get("hubo", {}) if hubo is None else hubo)
        self._hubo_asked = hubo is not None  # a caller's hubo= (not the spec's [run.hubo]) rules out the stability route
        self.qubo_options = _plain(run.get("qubo", {}) if qubo is None else qubo)
        self.reduction_method = reduction or "auto"
        given = dict(params or {})
        merged = {**(_plain(run.get("params", {})) if self.own_solver else {}), **given}
        self.params = given
        self.ctor_params, self.sample_params = split_params(self.name, merged)
        self.timing = {"formulate_s": 0.0, "reduce_s": 0.0}
        self._poly = self._bqm = self._record = self._sampler = None
        self._direct: bool | None = None

    # -- the stages ---------------------------------------------------------------------
    @property
    def uses_landscape(self) -> bool:
        """``exact`` on an untruncated Fourier HUBO equals the landscape: skip the round trip."""
        h = self.hubo_options
        return self.name == "exact" and (not h or (h.get("method", "fourier") == "fourier"
                                                   and h.get("max_degree") is None and h.get("threshold") is None))

    @property
    def stability_route(self) -> bool:
        """A schedule simulator handed the problem's loss as a stability cost (one counter MPO per
        pattern), no HUBO built: a perceptron-like net, unless the caller passed ``hubo=`` or a
        parameter asking for the HUBO (:class:`~anneal_binn.solvers._common.ProblemCostMixin`).
        A spec's ``[run.hubo]`` does not count: the stability cost is the exact loss."""
        if self._direct is None:
            accepts = getattr(self.sampler, "accepts_problem", None) if self.entry.input == "hubo" else None
            self._direct = bool(accepts is not None and not self._hubo_asked
                                and accepts(self.problem, self.sample_params))
        return self._direct

    def formulate(self) -> dimod.BinaryPolynomial:
        """The HUBO the solver (or the reduction) is given; built once."""
        if self._poly is None:
            t0 = time.perf_counter()
            self._poly = self.problem.to_hubo(**self.hubo_options)
            self.timing["formulate_s"] = time.perf_counter() - t0
        return self._poly

    def reduce(self):
        """``(bqm, record)`` for QUBO solvers: the named QUBO encoding, or the reduced HUBO; built once."""
        if self._bqm is None:
            if self.qubo_options:
                t0 = time.perf_counter()
                self._bqm, self._record = self.problem.to_qubo(**self.qubo_options)
                self.timing["formulate_s"] = time.perf_counter() - t0
            else:
                from anneal_binn.reduction import reduce

                poly = self.formulate()
                t0 = time.perf_counter()
                self._bqm, self._record = reduce(poly, method=self.reduction_method)
                self.timing["reduce_s"] = time.perf_counter() - t0
        return self._bqm, self._record

    def restore(self, bqm, record) -> None:
        """Use a QUBO and record saved earlier (``submit --resume``) instead of rebuilding them."""
        self._bqm, self._record = bqm, record

    @property
    def sampler(self):
        """The solver instance (made on first use, so building a Pipeline costs nothing)."""
        if self._sampler is None:
            self._sampler = solvers.get(self.name, **self.ctor_params)
            self._check_params(self._sampler)
        return self._sampler

    def _check_params(self, sampler) -> None:
        known = getattr(sampler, "parameters", None)
        if known is None:
            return
        unknown = sorted(set(self.sample_params) - set(known) - set(COMMON_KEYWORDS))
        if unknown:
            choices = ", ".join(sorted(set(known) | set(COMMON_KEYWORDS))) or "none"
            raise UsageError(f"--param {unknown[0]}", f"solver {self.name!r} has no parameter {unknown[0]!r}; "
                             f"its parameters: {choices}")

    def formulation_summary(self) -> dict | None:
        """What the solver was given: route, HUBO or QUBO size, reduction or encoding."""
        if self.entry.input == "problem":
            return None
        if self.uses_landscape and self._poly is None:
            return {"route": "landscape", "num_variables": self.problem.num_variables}
        if self.stability_route:
            return {"route": "stability", "num_variables": self.problem.num_variables,
                    "patterns": len(self.problem.data.y_train)}
        if self.entry.input == "bqm" and self.qubo_options:
            doc: dict = {"route": "qubo"}
        else:
            doc = {"route": self.entry.input, "hubo": dict(self.hubo_options) or {"method": "fourier"}}
        if self._poly is not None and "hubo" in doc:
            doc["hubo"].update(num_terms=len(self._poly),
                               max_degree=max((len(t) for t in self._poly), default=0))
        if self._bqm is not None:
            bqm, record = self._bqm, self._record
            doc["qubo"] = {"num_variables": len(bqm.variables), "num_interactions": int(bqm.num_interactions)}
            if self.qubo_options:
                doc["qubo"]["encoding"] = self.qubo_options.get("method")
                doc["qubo"]["options"] = {k: v for k, v in self.qubo_options.items() if k != "method"}
                report = getattr(record, "report", None)  # EncodingRecord: range, exact or surrogate
                if callable(report):
                    doc["qubo"].update(report())
            else:
                doc["reduction"] = {"method": record.method, "num_ancillas": record.num_ancillas,
                                    "max_penalty": record.max_penalty}
        return doc

    def sample(self, *, seed: int | None = None, num_reads: int | None = None) -> dimod.SampleSet:
        """One call of the solver; the sample set is over the problem's variables 0..N-1, BINARY.

        ``info["timing"]`` holds this call's ``sample_s`` beside the formulation's cost.
        """
        if num_reads is None and self.own_solver:
            num_reads = self.problem.spec.run.get("num_reads")
        if num_reads is not None and (isinstance(num_reads, bool) or int(num_reads) < 1):
            raise UsageError("num_reads", f"must be a positive integer, got {num_reads}")
        if seed is not None and (isinstance(seed, bool) or not 0 <= int(seed) < 2**31):
            raise UsageError("seed", f"must be an integer in [0, 2^31), got {seed}")
        if self.uses_landscape:
            self.sampler  # noqa: B018 - checks the parameter names even though the landscape answers
            t0 = time.perf_counter()
            ss = _exact_from_landscape(self.problem, num_reads)
            return self._finish(ss, time.perf_counter() - t0)
        kwargs = dict(self.sample_params)
        if seed is not None:
            kwargs["seed"] = int(seed)
        if num_reads is not None:
            kwargs["num_reads"] = int(num_reads)
        sampler = self.sampler
        if self.entry.input == "problem" or self.stability_route:
            call, model = sampler.sample_problem, self.problem
        elif self.entry.input == "hubo":
            call, model = sampler.sample_poly, self.formulate()
        else:
            call, model = sampler.sample, self.reduce()[0]
        t0 = time.perf_counter()
        try:
            raw = call(model, **kwargs)
        except ValueError as exc:
            if isinstance(exc, (UsageError, SolverError)):
                raise
            # The solver refused this input or these parameters: say so in one line, keep the cause.
            raise SolverError(f"solver {self.name!r}: {exc}") from exc
        elapsed = time.perf_counter() - t0
        # A reduction record maps QUBO samples back to HUBO energies; a direct QUBO encoding's
        # samples already hold the problem's bits (complete() keeps just those columns).
        ss = project(self._record, raw) if self.entry.input == "bqm" and hasattr(self._record, "project") else raw
        return self._finish(ss, elapsed)

    def _finish(self, ss: dimod.SampleSet, elapsed: float) -> dimod.SampleSet:
        ss = complete(ss, self.problem)
        ss.info["solver"] = self.name
        ss.info["timing"] = dict(self.timing, sample_s=elapsed)
        summary = self.formulation_summary()
        if summary and "reduction" in summary:
            ss.info["reduction"] = summary["reduction"]
        return ss

    def run(self, *, seed: int | None = None, num_reads: int | None = None, exact: bool | str = "auto") -> Result:
        """Sample once and evaluate: the :class:`Result`.

        Args:
            exact: compute the exact optimum for the gap and success probability: True, False, or
                ``"auto"`` (when N <= 22 and the landscape fits).
        """
        ss = self.sample(seed=seed, num_reads=num_reads)
        return self.result(ss, seed=seed, num_reads=num_reads, exact=exact)

    def result(self, ss: dimod.SampleSet, *, seed=None, num_reads=None, exact: bool | str = "auto") -> Result:
        """Evaluate a sample set this pipeline produced (or several, concatenated) into a :class:`Result`."""
        problem = self.problem
        t0 = time.perf_counter()
        if exact == "auto":
            exact = problem.num_variables <= min(problem.landscape_limit, 22)
        report = problem.evaluate(ss, exact=bool(exact))
        timing = dict(ss.info.get("timing", self.timing))
        timing["evaluate_s"] = time.perf_counter() - t0
        info = {k: ss.info[k] for k in INFO_KEYS if k in ss.info}
        return Result(problem, self.name, dict(self.params), seed, num_reads, ss, report, timing,
                      self.formulation_summary(), tuple(findings(problem, report)), info)


def findings(problem, report) -> list[str]:
    """Warnings about a result a user must not miss: no better than chance, far from the optimum."""
    out = []
    chance = chance_accuracy(problem)
    acc = report.best.accuracy.train
    if acc <= chance + 0.02:
        out.append(f"the best net's training accuracy {acc:.3f} is no better than chance ({chance:.3f}, "
                   f"always predicting the most frequent class); try another solver or more sweeps")
    if report.optimum is not None and report.gap is not None and report.gap > 1e-9:
        scale = max(abs(report.optimum), 1e-12)
        if report.gap / scale > 0.05 or report.optimum == 0:
            out.append(f"the best loss {report.best.loss:.6g} is above the exact optimum {report.optimum:.6g} "
                       f"(gap {report.gap:.3g})")
    return out


def _exact_from_landscape(problem, num_reads):
    # The Fourier HUBO is exact, so its brute force equals the landscape.
    L = problem.landscape()
    if num_reads is None:
        order = problem.exact().optima[:1000]
    else:
        k = min(int(num_reads), L.size)
        part = np.argpartition(L, k - 1)[:k] if k < L.size else np.arange(L.size)
        order = part[np.lexsort((part, L[part]))]
    n = problem.num_variables
    samples = ((order[:, None] >> np.arange(n)) & 1).astype(np.int8)
    return dimod.SampleSet.from_samples((samples, problem.variables), dimod.BINARY, L[order],
                                        info={"method": "landscape"})


def run(problem, solver: str | None = None, *, seed: int | None = None, num_reads: int | None = None,
        hubo: dict | None = None, qubo: dict | None = None, reduction: str | None = None,
        exact: bool | str = "auto", **params) -> Result:
    """Solve ``problem`` with a registered solver and evaluate the answer: one :class:`Result`.

    Args:
        problem: a :class:`~anneal_binn.problem.Problem`.
        solver: registry name (``ab.solvers.available()``); None picks :func:`default_solver`.
        seed, num_reads: passed to the solver when given.
        hubo, qubo, reduction: the route (see :class:`Pipeline`).
        exact: compute the exact optimum for the gap (True, False, "auto").
        **params: solver parameters.

    Examples:
        >>> import anneal_binn as ab
        >>> r = ab.run(ab.build(ab.load_spec("fawaz-p2")), solver="exact")
        >>> r.report.best.loss, r.report.gap
        (0.0, 0.0)
    """
    pipe = Pipeline(problem, solver, hubo=hubo, qubo=qubo, reduction=reduction, params=params)
    return pipe.run(seed=seed, num_reads=num_reads, exact=exact)


def solve(problem, solver: str | None = None, seed: int | None = None, num_reads: int | None = None,
          hubo: dict | None = None, reduction: str | None = None, qubo: dict | None = None,
          **params) -> dimod.SampleSet:
    """Solve a problem with a registered solver: the sample set alone (``ab.run`` adds its evaluation).

    Every result is BINARY over the problem's variables 0..N-1; for HUBO and QUBO solvers the
    energies are the HUBO's (QUBO answers are projected back through the reduction record).

    Args:
        problem: a :class:`~anneal_binn.problem.Problem`.
        solver: registry name (see ``ab.solvers.available()``); None picks :func:`default_solver`.
        seed, num_reads: passed to the solver when given.
        hubo: options for ``problem.to_hubo`` (e.g. ``{"method": "fourier", "max_degree": 3}``).
        reduction: ``ab.reduce`` method for solvers that take a QUBO (default ``"auto"``).
        qubo: a direct QUBO encoding for QUBO solvers (``problem.to_qubo`` options).
        **params: solver parameters (constructor defaults and ``sample`` keywords alike).

    Returns:
        A SampleSet; ``info["timing"]`` holds ``formulate_s``, ``reduce_s`` and ``sample_s`` (the
        time to use for TTS), ``info["solver"]`` the name, and ``info["reduction"]`` a summary
        for reduced QUBOs.

    Examples:
        >>> import anneal_binn as ab
        >>> problem = ab.build(ab.load_spec("fawaz-p1"))
        >>> ss = ab.solve(problem, solver="hubo-sa", seed=0, num_reads=10)
        >>> list(ss.variables) == problem.variables
        True
    """
    pipe = Pipeline(problem, solver, hubo=hubo, qubo=qubo, reduction=reduction, params=params)
    return pipe.sample(seed=seed, num_reads=num_reads)
