"""Conformance kit: the named checks every solver adapter in the registry must pass.

Built like ``dimod.testing`` (asserts on a sampler and its sample sets) and scikit-learn's
``check_estimator`` (one function per property, each raising ``AssertionError`` with a message
that says what is wrong; a generator yields them by name so a test suite can parametrize over
solvers x checks with readable ids):

- :func:`solver_checks` yields ``(name, check)`` for a ``Sampler`` (registry input ``"bqm"``) or a
  ``PolySampler`` (``"hubo"``); every ``check()`` takes no arguments;
- :func:`problem_solver_checks` does the same for loss samplers (registry input ``"problem"``),
  handed a :class:`~anneal_binn.problem.Problem` through ``sample_problem(problem, num_reads=,
  seed=)``;
- :func:`check_solver` / :func:`check_problem_solver` run them all and stop at the first failure.

Conventions the checks hold solvers to:

- **Empty model.** A model without variables has one assignment, the empty one, with energy
  its offset: every read returns it (``num_reads`` rows, or fewer rows whose
  ``num_occurrences`` add up to ``num_reads``), vartype kept. This is dwave-samplers'
  convention (``SimulatedAnnealingSampler`` returns one empty row per read);
  ``dimod.ExactSolver`` returns no rows at all, which loses the offset, so it is not followed.
- **Variables.** The samples are over exactly the model's variables, whatever their labels
  (tuples, strings, integers with gaps): none invented, none dropped, the vartype preserved.
- **Energies.** Recomputed from the model: ``dimod.testing.assert_sampleset_energies`` for a
  BQM, ``BinaryPolynomial.energies`` for a HUBO.
- **Seeds.** The same ``seed`` gives the same samples.
- **Parameters.** ``sampler.parameters`` is a mapping of the keywords ``sample``/``sample_poly``
  take (``num_reads`` and ``seed`` among them), and two instances share no mutable state.
- **Unknown keywords: one policy, dimod's.** A keyword the solver does not take (not in
  ``parameters``) is ignored with a ``dimod.exceptions.SamplerUnknownArgWarning`` naming it, as
  ``dimod.Sampler.remove_unknown_kwargs`` does, and the call goes on: a typo is never silent,
  and code written for one dimod sampler runs on another. Stored defaults of the adapters
  (``solvers.get("sa", num_sweep=10)``) follow the same rule at construction; constructor
  arguments proper are Python arguments and an unknown one is a ``TypeError``.

Examples:
    >>> from anneal_binn import solvers
    >>> from anneal_binn.testing import check_solver, solver_checks
    >>> check_solver("exact")
    >>> [name for name, _ in solver_checks("exact")][:3]
    ['api', 'parameters', 'empty_model']
    >>> check_solver(solvers.get("hubo-sa", num_sweeps=50), input="hubo", unknown_keyword=False)
"""
from __future__ import annotations

import copy
import functools
import warnings
from collections.abc import Mapping
from typing import Any, Callable, Iterator

import dimod
import numpy as np
from dimod.exceptions import SamplerUnknownArgWarning

__all__ = [
    "check_solver", "solver_checks", "check_names", "READS_CONVENTION", "check_problem_solver", "problem_solver_checks",
    "PROBLEM_CHECKS", "random_hubo", "random_bqm", "assert_energies_match", "assert_same_samples",
]

LABELS = ("a", 3, "w[0]", 7, "x", 11)  # mixed labels: adapters must not assume 0..n-1
TUPLE_LABELS = (("w", 0, 1), ("b", 1), (("a",),), ("w", 1, 0), ("x",))
GAPPED_LABELS = (0, 5, 9, 42)
UNKNOWN_KEYWORD = "not_a_parameter_of_any_solver"


# -- models --------------------------------------------------------------------------------------

def random_hubo(num_variables: int = 6, num_terms: int = 14, max_degree: int = 3, vartype="BINARY",
                seed: int = 0, labels=None) -> dimod.BinaryPolynomial:
    """A random HUBO with integer-valued biases (so ground states are exact) over ``labels``."""
    rng = np.random.default_rng(seed)
    labels = list(labels) if labels is not None else list(range(num_variables))
    terms: dict = {(): float(rng.integers(-3, 4))}
    for _ in range(num_terms):
        k = int(rng.integers(1, max_degree + 1))
        idx = sorted(rng.choice(len(labels), size=min(k, len(labels)), replace=False).tolist())
        key = tuple(labels[i] for i in idx)
        terms[key] = terms.get(key, 0.0) + float(rng.integers(-4, 5) or 1)
    # every variable appears, so "variables preserved" is meaningful
    for v in labels:
        terms[(v,)] = terms.get((v,), 0.0) + 0.5
    return dimod.BinaryPolynomial(terms, vartype)


def random_bqm(num_variables: int = 6, vartype="BINARY", seed: int = 0, labels=None) -> dimod.BinaryQuadraticModel:
    """A random dense BQM with integer-valued biases over ``labels``."""
    rng = np.random.default_rng(seed)
    labels = list(labels) if labels is not None else list(range(num_variables))
    bqm = dimod.BinaryQuadraticModel(vartype)
    for v in labels:
        bqm.add_variable(v, float(rng.integers(-3, 4)) + 0.5)
    for i, u in enumerate(labels):
        for v in labels[i + 1:]:
            if rng.random() < 0.6:
                bqm.add_interaction(u, v, float(rng.integers(-3, 4)) or 1.0)
    bqm.offset = 1.0
    return bqm


def _model(input: str, vartype: str, labels, seed: int = 0):
    labels = list(labels)
    if input == "hubo":
        return random_hubo(len(labels), num_terms=2 * len(labels), vartype=vartype, seed=seed, labels=labels)
    return random_bqm(len(labels), vartype=vartype, seed=seed, labels=labels)


def _constant_model(input: str, vartype: str, offset: float, labels=()):
    """A model that is only an offset, over ``labels`` (none: the empty model)."""
    if input == "hubo":
        terms = {(v,): 0.0 for v in labels}
        terms[()] = offset
        return dimod.BinaryPolynomial(terms, vartype)
    bqm = dimod.BinaryQuadraticModel(vartype)
    for v in labels:
        bqm.add_variable(v, 0.0)
    bqm.offset = offset
    return bqm


# -- asserts -------------------------------------------------------------------------------------

def assert_energies_match(model, ss: dimod.SampleSet, atol: float = 1e-8) -> None:
    """Every energy in ``ss`` equals ``model``'s energy of that row's sample.

    A BQM is checked with ``dimod.testing.assert_sampleset_energies``; a BinaryPolynomial (which
    that function evaluates one sample at a time) with ``BinaryPolynomial.energies``.
    """
    if len(ss) == 0:
        raise AssertionError("sampler returned an empty SampleSet")
    if isinstance(model, dimod.BinaryQuadraticModel):
        try:
            dimod.testing.assert_sampleset_energies(ss, model, precision=6)
        except AssertionError as exc:
            raise AssertionError(f"energy mismatch: {exc}") from None
        return
    if len(ss.variables) == 0:
        expected = np.full(len(ss), float(model.get((), 0.0)))
    else:
        expected = model.energies((ss.record.sample, list(ss.variables)))
    got = ss.record.energy
    bad = np.flatnonzero(~np.isclose(got, expected, atol=atol, rtol=1e-9))
    if bad.size:
        i = int(bad[0])
        raise AssertionError(f"energy mismatch at row {i}: sampler says {got[i]}, model gives {expected[i]}")


def assert_same_samples(a: dimod.SampleSet, b: dimod.SampleSet) -> None:
    """Two sample sets have identical variables, samples and energies, row by row."""
    if list(a.variables) != list(b.variables):
        raise AssertionError(f"variables differ: {list(a.variables)} vs {list(b.variables)}")
    if a.record.sample.shape != b.record.sample.shape or not np.array_equal(a.record.sample, b.record.sample):
        raise AssertionError("same seed, different samples: the solver is not reproducible")
    if not np.allclose(a.record.energy, b.record.energy):
        raise AssertionError("same seed, different energies")


def _assert_sampleset(ss, model, what: str) -> None:
    """The shape every answer must have: a SampleSet over the model's variables, in its vartype."""
    if not isinstance(ss, dimod.SampleSet):
        raise AssertionError(f"{what}: returned {type(ss).__name__}, not a dimod.SampleSet")
    if ss.vartype is not model.vartype:
        raise AssertionError(f"{what}: vartype not preserved: {model.vartype.name} in, {ss.vartype.name} out")
    got, want = list(ss.variables), list(model.variables)
    if len(got) != len(set(got)) or set(got) != set(want):
        extra = sorted(map(repr, set(got) - set(want)))
        missing = sorted(map(repr, set(want) - set(got)))
        raise AssertionError(f"{what}: variables not preserved: invented {extra}, dropped {missing}")
    allowed = set(model.vartype.value)
    if ss.record.sample.size and not set(np.unique(ss.record.sample).tolist()) <= allowed:
        raise AssertionError(f"{what}: sample values outside {sorted(allowed)} ({model.vartype.name})")


# What ``num_reads`` means, by convention (see :func:`solver_checks`):
#   "sum":      the rows' num_occurrences add up to num_reads (samplers: one read per draw);
#   "distinct": min(num_reads, 2**n) distinct assignments (an exhaustive solver's k best);
#   "any":      at least one row (one answer per call by design, e.g. a hybrid service).
READS = ("sum", "distinct", "any")
# the registry's solvers whose num_reads is not "sum"
READS_CONVENTION = {"exact": "distinct", "hybrid": "any"}


def _assert_reads(ss, num_reads: int, reads: str, what: str) -> None:
    got = int(ss.record.num_occurrences.sum())
    if reads == "any":
        if got < 1:
            raise AssertionError(f"{what}: no reads returned")
        return
    if reads == "distinct":
        want = min(num_reads, 2 ** len(ss.variables))
        if len(ss) != want or len({r.tobytes() for r in ss.record.sample}) != len(ss):
            raise AssertionError(f"{what}: expected {want} distinct assignments, got {len(ss)} rows")
        return
    if got != num_reads:
        raise AssertionError(f"{what}: num_reads not honoured: asked {num_reads}, got {got} (num_occurrences)")


def _sample(sampler, model, **kwargs) -> dimod.SampleSet:
    if isinstance(model, dimod.BinaryPolynomial):
        return sampler.sample_poly(model, **kwargs)
    return sampler.sample(model, **kwargs)


# -- checks on Samplers and PolySamplers ----------------------------------------------------------

def check_api(sampler, input: str, **_: Any) -> None:
    """It is a ``dimod.PolySampler`` (hubo) or ``dimod.Sampler`` (bqm) with mapping properties."""
    if input == "bqm":
        try:
            dimod.testing.assert_sampler_api(sampler)
        except AssertionError as exc:
            raise AssertionError(f"dimod sampler API: {exc}") from None
        return
    if not isinstance(sampler, dimod.PolySampler):
        raise AssertionError(f"{type(sampler).__name__} is not a dimod.PolySampler")
    if not callable(getattr(sampler, "sample_poly", None)):
        raise AssertionError("a PolySampler needs a callable sample_poly")
    for attr in ("parameters", "properties"):
        if callable(getattr(sampler, attr)) or not isinstance(getattr(sampler, attr), Mapping):
            raise AssertionError(f"{attr} must be a Mapping property, got {type(getattr(sampler, attr)).__name__}")


def check_parameters(sampler, input: str, other: Callable[[], Any] | None = None, **_: Any) -> None:
    """``parameters`` names the sample keywords (``num_reads``, ``seed``); instances share none of it.

    Args:
        other: makes a second, distinct instance (default: a deep copy of ``sampler``; a dict
            shared through the class survives a deep copy, so the check still sees it).
    """
    params = sampler.parameters
    if not isinstance(params, Mapping):
        raise AssertionError(f"parameters must be a Mapping, got {type(params).__name__}")
    missing = [k for k in ("num_reads", "seed") if k not in params]
    if missing:
        raise AssertionError(f"parameters lacks {missing}: every solver here takes num_reads and seed")
    second = other() if other is not None else copy.deepcopy(sampler)
    if second is sampler:
        raise AssertionError("the factory returned the same instance; need two distinct solvers")
    if isinstance(params, dict) and params is second.parameters:
        raise AssertionError("two instances return the very same parameters dict (shared mutable state)")
    probe = "_conformance_probe"
    try:
        params[probe] = []
    except TypeError:
        return  # a read-only mapping cannot leak
    try:
        if probe in second.parameters:
            raise AssertionError("writing to one instance's parameters changed another's (a class-level dict)")
    finally:
        params.pop(probe, None)


def check_empty_model(sampler, input: str, num_reads: int = 5, seed: int = 1, reads: str = "sum",
                      **_: Any) -> None:
    """No variables: one empty row per read (dwave-samplers' convention), energy = the offset."""
    for vartype, offset in (("BINARY", 0.0), ("SPIN", 1.5)):
        model = _constant_model(input, vartype, offset)
        what = f"empty {vartype} model"
        ss = _sample(sampler, model, num_reads=num_reads, seed=seed)
        _assert_sampleset(ss, model, what)
        _assert_reads(ss, num_reads, reads, what)
        if not np.allclose(ss.record.energy, offset):
            raise AssertionError(f"{what}: energies {ss.record.energy.tolist()}, expected the offset {offset}")


def check_offset_only_model(sampler, input: str, num_reads: int = 5, seed: int = 1, reads: str = "sum",
                            **_: Any) -> None:
    """Variables with no bias, only an offset: every assignment has energy = the offset."""
    model = _constant_model(input, "SPIN", -2.0, labels=("a", 7))
    ss = _sample(sampler, model, num_reads=num_reads, seed=seed)
    _assert_sampleset(ss, model, "offset-only model")
    _assert_reads(ss, num_reads, reads, "offset-only model")
    assert_energies_match(model, ss)


def check_one_variable(sampler, input: str, num_reads: int = 5, seed: int = 1, reads: str = "sum",
                       **_: Any) -> None:
    """One variable with a nested-tuple label (dimod's own test label), both vartypes."""
    u = (("a",),)
    for vartype in ("BINARY", "SPIN"):
        model = dimod.BinaryPolynomial({(u,): 6.0, (): 0.5}, vartype) if input == "hubo" else \
            dimod.BinaryQuadraticModel({u: 6.0}, {}, 0.5, vartype)
        ss = _sample(sampler, model, num_reads=num_reads, seed=seed)
        _assert_sampleset(ss, model, f"one {vartype} variable")
        _assert_reads(ss, num_reads, reads, f"one {vartype} variable")
        assert_energies_match(model, ss)


def _check_labels(sampler, input: str, vartype: str, labels, what: str, num_reads: int, seed: int, reads: str,
                  energies: bool = True) -> None:
    """Sample a random model over ``labels``: the same labels come back, the reads, and (optionally) energies."""
    model = _model(input, vartype, labels, seed=seed)
    ss = _sample(sampler, model, num_reads=num_reads, seed=seed)
    _assert_sampleset(ss, model, what)
    _assert_reads(ss, num_reads, reads, what)
    if energies:
        assert_energies_match(model, ss)


def check_tuple_labels(sampler, input: str, num_reads: int = 5, seed: int = 1, reads: str = "sum",
                       **_: Any) -> None:
    """Tuple labels (nested ones too) come back as the same labels."""
    _check_labels(sampler, input, "BINARY", TUPLE_LABELS, "tuple labels", num_reads, seed, reads)


def check_integer_labels_with_gaps(sampler, input: str, num_reads: int = 5, seed: int = 1,
                                   reads: str = "sum", **_: Any) -> None:
    """Integer labels {0, 5, 9, 42}: no variable invented in the gaps, none dropped."""
    _check_labels(sampler, input, "SPIN", GAPPED_LABELS, "integer labels with gaps", num_reads, seed, reads)


def check_mixed_labels(sampler, input: str, num_reads: int = 5, seed: int = 1, reads: str = "sum",
                       **_: Any) -> None:
    """Strings and integers mixed: the labels a Problem's reduction produces."""
    _check_labels(sampler, input, "BINARY", LABELS, "mixed labels", num_reads, seed, reads, energies=False)


def check_energies(sampler, input: str, num_reads: int = 5, seed: int = 1, **_: Any) -> None:
    """Every returned energy is the model's energy of the returned sample (both vartypes)."""
    for vartype in ("BINARY", "SPIN"):
        model = _model(input, vartype, LABELS, seed=seed)
        assert_energies_match(model, _sample(sampler, model, num_reads=num_reads, seed=seed))


def check_vartype_preserved(sampler, input: str, num_reads: int = 5, seed: int = 1, **_: Any) -> None:
    """BINARY in, BINARY (0/1) out; SPIN in, SPIN (-1/+1) out."""
    for vartype in ("BINARY", "SPIN"):
        model = _model(input, vartype, LABELS[:4], seed=seed)
        _assert_sampleset(_sample(sampler, model, num_reads=num_reads, seed=seed), model, f"{vartype} model")


def check_num_reads(sampler, input: str, num_reads: int = 5, seed: int = 1, reads: str = "sum",
                    **_: Any) -> None:
    """``num_reads`` reads come back (rows weighted by ``num_occurrences``)."""
    model = _model(input, "BINARY", LABELS, seed=seed)
    for k in (1, num_reads):
        _assert_reads(_sample(sampler, model, num_reads=k, seed=seed), k, reads, f"num_reads={k}")


def check_seed_reproducible(sampler, input: str, num_reads: int = 5, seed: int = 1, **_: Any) -> None:
    """The same seed gives the same samples (seed 0 included: some cores read 0 as "random")."""
    model = _model(input, "SPIN", LABELS, seed=seed)
    for s in (seed, 0):
        a = _sample(sampler, model, num_reads=num_reads, seed=s)
        b = _sample(sampler, model, num_reads=num_reads, seed=s)
        try:
            assert_same_samples(a, b)
        except AssertionError as exc:
            raise AssertionError(f"seed={s}: {exc}") from None


def check_unknown_keyword(sampler, input: str, num_reads: int = 5, seed: int = 1, reads: str = "sum",
                          **_: Any) -> None:
    """dimod's policy: an unknown keyword is ignored with a SamplerUnknownArgWarning naming it."""
    model = _model(input, "BINARY", LABELS[:4], seed=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ss = _sample(sampler, model, num_reads=num_reads, seed=seed, **{UNKNOWN_KEYWORD: 1})
        except Exception as exc:
            raise AssertionError(f"an unknown keyword must warn (SamplerUnknownArgWarning) and be ignored, "
                                 f"not raise {type(exc).__name__}: {exc}") from None
    hits = [w for w in caught if issubclass(w.category, SamplerUnknownArgWarning) and UNKNOWN_KEYWORD in str(w.message)]
    if not hits:
        raise AssertionError(f"an unknown keyword was accepted silently: no SamplerUnknownArgWarning naming "
                             f"{UNKNOWN_KEYWORD!r} (got {[str(w.message) for w in caught]})")
    _assert_sampleset(ss, model, "call with an unknown keyword")
    _assert_reads(ss, num_reads, reads, "call with an unknown keyword")


# name -> check, in the order they run; the names are the test ids
CHECKS: dict[str, Callable[..., None]] = {
    "api": check_api,
    "parameters": check_parameters,
    "empty_model": check_empty_model,
    "offset_only_model": check_offset_only_model,
    "one_variable": check_one_variable,
    "tuple_labels": check_tuple_labels,
    "integer_labels_with_gaps": check_integer_labels_with_gaps,
    "mixed_labels": check_mixed_labels,
    "energies": check_energies,
    "vartype_preserved": check_vartype_preserved,
    "num_reads": check_num_reads,
    "seed_reproducible": check_seed_reproducible,
    "unknown_keyword": check_unknown_keyword,
}


def check_names(input: str = "hubo") -> list[str]:
    """Names of the checks :func:`solver_checks` (or, for ``"problem"``, :func:`problem_solver_checks`) yields."""
    if input == "problem":
        return list(PROBLEM_CHECKS)
    if input not in ("hubo", "bqm"):
        raise ValueError(f"input: must be 'hubo', 'bqm' or 'problem', got {input!r}")
    return list(CHECKS)


def _resolve(solver: Any, input: str | None, params: dict) -> tuple[Any, str, Callable[[], Any] | None]:
    """(sampler, input kind, factory of a second instance) for a registry name or an instance."""
    from anneal_binn import solvers

    if isinstance(solver, str):
        input = input or solvers.entry(solver).input
        return solvers.get(solver, **params), input, functools.partial(solvers.get, solver, **params)
    if params:
        raise ValueError("params: only a registry name is made with params; pass a configured instance instead")
    if input is None:
        input = "hubo" if isinstance(solver, dimod.PolySampler) else "bqm"
    return solver, input, None


def solver_checks(solver: Any, input: str | None = None, num_reads: int = 5, seed: int = 1,
                  reads: str | None = None, **params: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """Yield ``(name, check)`` for every conformance check; ``check()`` raises AssertionError on failure.

    The solver is made once (lazily, on the first check run) and shared by the checks, as a
    user would share it between calls; ``parameters`` makes a second one to compare.

    Args:
        solver: registry name (made with ``params``) or a Sampler/PolySampler instance.
        input: ``"hubo"`` or ``"bqm"``; looked up in the registry for a name.
        num_reads: reads requested by each check.
        seed: seed of the sampling calls.
        reads: what ``num_reads`` means for this solver: ``"sum"`` (the rows' ``num_occurrences``
            add up to it; samplers), ``"distinct"`` (``min(num_reads, 2**n)`` distinct assignments;
            an exhaustive solver's k best) or ``"any"`` (at least one row; one answer per call).
            Default: :data:`READS_CONVENTION` for a registry name, else ``"sum"``.
        **params: constructor parameters, with a registry name.

    Examples:
        >>> for name, check in solver_checks("exact"):
        ...     check()
    """
    if reads is None:
        reads = READS_CONVENTION.get(solver, "sum") if isinstance(solver, str) else "sum"
    if reads not in READS:
        raise ValueError(f"reads: must be one of {', '.join(READS)}, got {reads!r}")
    state: dict = {}

    def setup():
        if not state:
            sampler, kind, factory = _resolve(solver, input, params)
            if kind not in ("hubo", "bqm"):
                raise ValueError(f"input: {kind!r} solvers are checked by problem_solver_checks")
            state.update(sampler=sampler, input=kind, other=factory)
        return state

    def run(check):
        s = setup()
        check(s["sampler"], s["input"], num_reads=num_reads, seed=seed, reads=reads, other=s["other"])

    for name, check in CHECKS.items():
        bound = functools.partial(run, check)
        functools.update_wrapper(bound, check)
        yield name, bound


def check_solver(solver: Any, input: str | None = None, num_reads: int = 5, seed: int = 1,
                 reads: str | None = None, unknown_keyword: bool = True, **params: Any) -> None:
    """Run every conformance check on ``solver``; the first failure raises.

    Args:
        solver, input, num_reads, seed, reads, **params: as for :func:`solver_checks`.
        unknown_keyword: also hold the solver to the unknown-keyword policy (False for a solver
            known to refuse unknown keywords instead).

    Raises:
        AssertionError: ``"<check name>: <what is wrong>"``.
    """
    for name, check in solver_checks(solver, input, num_reads, seed, reads, **params):
        if name == "unknown_keyword" and not unknown_keyword:
            continue
        try:
            check()
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None


# -- checks on loss samplers (registry input "problem") -------------------------------------------

def small_problem():
    """The problem the loss-sampler checks use: seed 003's problem 1 (8 variables, exact optimum 0)."""
    import anneal_binn as ab

    return ab.build(ab.load_spec("fawaz-p1"))


def _sample_problem(sampler, problem, **kwargs) -> dimod.SampleSet:
    ss = sampler.sample_problem(problem, **kwargs)
    if not isinstance(ss, dimod.SampleSet):
        raise AssertionError(f"sample_problem returned {type(ss).__name__}, not a dimod.SampleSet")
    return ss


def check_problem_variables(sampler, problem, num_reads: int = 4, seed: int = 1, **_: Any) -> None:
    """BINARY samples over exactly the variables 0..N-1, in that order."""
    ss = _sample_problem(sampler, problem, num_reads=num_reads, seed=seed)
    if ss.vartype is not dimod.BINARY:
        raise AssertionError(f"sample_problem must return BINARY samples, got {ss.vartype.name}")
    if list(ss.variables) != list(range(problem.num_variables)):
        raise AssertionError(f"variables must be 0..{problem.num_variables - 1} in order, got {list(ss.variables)}")
    if ss.record.sample.size and not set(np.unique(ss.record.sample).tolist()) <= {0, 1}:
        raise AssertionError("sample values outside {0, 1}")


def check_problem_num_reads(sampler, problem, num_reads: int = 4, seed: int = 1, **_: Any) -> None:
    """``num_reads`` reads come back (rows weighted by ``num_occurrences``)."""
    for k in (1, num_reads):
        _assert_reads(_sample_problem(sampler, problem, num_reads=k, seed=seed), k, "sum", f"num_reads={k}")


def check_problem_seed_reproducible(sampler, problem, num_reads: int = 4, seed: int = 1, **_: Any) -> None:
    """The same seed gives the same samples."""
    a = _sample_problem(sampler, problem, num_reads=num_reads, seed=seed)
    b = _sample_problem(sampler, problem, num_reads=num_reads, seed=seed)
    assert_same_samples(a, b)


def check_problem_energies_finite(sampler, problem, num_reads: int = 4, seed: int = 1, **_: Any) -> None:
    """Energies (the loss each read minimised) are finite numbers."""
    ss = _sample_problem(sampler, problem, num_reads=num_reads, seed=seed)
    if not np.all(np.isfinite(ss.record.energy)):
        raise AssertionError(f"non-finite energies: {ss.record.energy.tolist()}")


def check_problem_unknown_keyword(sampler, problem, num_reads: int = 4, seed: int = 1, **_: Any) -> None:
    """dimod's policy: an unknown keyword is ignored with a SamplerUnknownArgWarning naming it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ss = _sample_problem(sampler, problem, num_reads=num_reads, seed=seed, **{UNKNOWN_KEYWORD: 1})
        except AssertionError:
            raise
        except Exception as exc:
            raise AssertionError(f"an unknown keyword must warn (SamplerUnknownArgWarning) and be ignored, "
                                 f"not raise {type(exc).__name__}: {exc}") from None
    if not any(issubclass(w.category, SamplerUnknownArgWarning) and UNKNOWN_KEYWORD in str(w.message)
               for w in caught):
        raise AssertionError(f"an unknown keyword was accepted silently: no SamplerUnknownArgWarning naming "
                             f"{UNKNOWN_KEYWORD!r}")
    _assert_reads(ss, num_reads, "sum", "call with an unknown keyword")


PROBLEM_CHECKS: dict[str, Callable[..., None]] = {
    "variables": check_problem_variables,
    "num_reads": check_problem_num_reads,
    "seed_reproducible": check_problem_seed_reproducible,
    "energies_finite": check_problem_energies_finite,
    "unknown_keyword": check_problem_unknown_keyword,
}


def problem_solver_checks(solver: Any, problem=None, num_reads: int = 4, seed: int = 1,
                          **params: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """Yield ``(name, check)`` for a loss sampler (``sample_problem(problem, num_reads=, seed=)``).

    Args:
        solver: registry name (made with ``params``) or an instance with ``sample_problem``.
        problem: the Problem to sample (default :func:`small_problem`, built on first use).
        num_reads, seed: of each call.
        **params: constructor parameters, with a registry name.
    """
    state: dict = {}

    def setup():
        if not state:
            sampler, _, _ = _resolve(solver, "problem", params)
            if not callable(getattr(sampler, "sample_problem", None)):
                raise AssertionError(f"{type(sampler).__name__} has no sample_problem(problem, **kwargs)")
            state.update(sampler=sampler, problem=problem if problem is not None else small_problem())
        return state

    def run(check):
        s = setup()
        check(s["sampler"], s["problem"], num_reads=num_reads, seed=seed)

    for name, check in PROBLEM_CHECKS.items():
        bound = functools.partial(run, check)
        functools.update_wrapper(bound, check)
        yield name, bound


def check_problem_solver(solver: Any, problem=None, num_reads: int = 4, seed: int = 1, **params: Any) -> None:
    """Run every loss-sampler check on ``solver``; the first failure raises ``"<name>: <why>"``."""
    for name, check in problem_solver_checks(solver, problem, num_reads, seed, **params):
        try:
            check()
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
