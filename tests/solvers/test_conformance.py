"""Every registered solver passes every named check of the conformance kit (anneal_binn.testing).

Parametrized solvers x checks, so a failure reads ``test_solver_check[grover-empty_model]``.
Settings are small so the whole file runs in well under a minute; ``hybrid`` needs Leap (its
error path is in test_qpu) and ``qpu`` runs on the offline Pegasus mock.
"""
import functools

import dimod
import numpy as np
import pytest

from anneal_binn import solvers
from anneal_binn.testing import (
    PROBLEM_CHECKS, check_names, check_problem_solver, check_solver, problem_solver_checks, random_bqm, random_hubo,
    solver_checks,
)

# small, fast settings per solver; the kit itself supplies num_reads and seed
FAST = {
    "sa": {"num_sweeps": 50},
    "tabu": {"timeout": 5},
    "sqa": {"num_sweeps": 50},
    "hubo-sa": {"num_sweeps": 50},
    "statevector-qa": {"num_steps": 20},
    "mps-qa": {"num_steps": 8, "max_bond": 8},
    "qpu": {"mock": True, "topology_shape": 4},
    "hypernet": {"layers": 1, "restarts": 2, "maxiter": 20},
}
NEEDS_NETWORK = {"hybrid": "needs a Leap account and the network; its offline error path is tested in test_qpu"}

@functools.lru_cache(maxsize=None)
def _checks(name):
    # one solver per name for the whole module (the qpu mock takes seconds to build)
    return dict(solver_checks(name, **FAST.get(name, {})))


def _params():
    out = []
    for name in solvers.available():
        entry = solvers.entry(name)
        if entry.input == "problem":
            continue
        if name in NEEDS_NETWORK:
            continue  # see NEEDS_NETWORK; test_every_offline_solver_is_checked keeps this list honest
        out += [pytest.param(name, check, id=f"{name}-{check}") for check in check_names(entry.input)]
    return out


@pytest.mark.parametrize("name,check", _params())
def test_solver_check(name, check):
    _checks(name)[check]()


def _problem_params():
    names = [n for n in solvers.available() if solvers.entry(n).input == "problem"]
    return [pytest.param(n, c, id=f"{n}-{c}") for n in names for c in PROBLEM_CHECKS]


# solvers made for one architecture are checked on it (the kit's default problem is a hidden-layer net)
PERCEPTRON_ONLY = {"cpr", "sbpi"}


@functools.lru_cache(maxsize=None)
def _problem_checks(name):
    problem = None
    if name in PERCEPTRON_ONLY:
        import anneal_binn as ab

        problem = ab.build_from_dict({"data": {"source": "perceptron", "n": 15, "alpha": 0.5},
                                      "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}})
    return dict(problem_solver_checks(name, problem=problem, **FAST.get(name, {})))


@pytest.mark.parametrize("name,check", _problem_params())
def test_problem_solver_check(name, check):
    _problem_checks(name)[check]()


def test_numpy_backend_of_hubo_sa_conforms():
    check_solver("hubo-sa", num_sweeps=30, backend="numpy")


def test_every_offline_solver_is_checked():
    """Only solvers that need the network are left out of the parametrized checks, and they are few."""
    checked = {p.values[0] for p in _params()} | {p.values[0] for p in _problem_params()}
    assert set(solvers.available()) - checked == set(NEEDS_NETWORK) == {"hybrid"}
    assert {"loss-sa", "loss-sqa", "loss-replicated", "ste", "sbpi", "cpr"} <= checked


def test_registry_has_the_issue_names():
    for name in ("exact", "sa", "tabu", "steepest", "sqa", "hubo-sa", "statevector-qa", "mps-qa", "qpu", "hybrid"):
        assert name in solvers.available()
    with pytest.raises(ValueError, match="unknown name"):
        solvers.get("no-such-solver")


def test_check_names_are_the_ids_and_problem_checks_are_separate():
    assert check_names("bqm") == check_names("hubo") == [n for n, _ in solver_checks("exact")]
    assert {"empty_model", "tuple_labels", "integer_labels_with_gaps", "unknown_keyword", "parameters",
            "energies", "seed_reproducible", "vartype_preserved", "one_variable"} <= set(check_names("hubo"))
    assert check_names("problem") == list(PROBLEM_CHECKS)
    with pytest.raises(ValueError, match="input"):
        check_names("qubo")


# -- the kit catches what it is meant to catch ------------------------------------------------------

class _Base(dimod.Sampler):
    """A correct reference sampler (dimod's RandomSampler under the dimod keyword policy)."""

    def __init__(self):
        self._parameters = {"num_reads": [], "seed": []}

    @property
    def parameters(self):
        return self._parameters

    @property
    def properties(self):
        return {}

    def sample(self, bqm, **kwargs):
        kwargs = self.remove_unknown_kwargs(**kwargs)
        return dimod.RandomSampler().sample(bqm, num_reads=kwargs.get("num_reads", 1), seed=kwargs.get("seed"))


def test_kit_passes_a_correct_reference_sampler():
    check_solver(_Base())


def test_kit_catches_a_solver_that_lies_about_energies():
    class Liar(_Base):
        def sample(self, bqm, **kwargs):
            ss = super().sample(bqm, **kwargs)
            return dimod.SampleSet.from_samples((ss.record.sample, ss.variables), bqm.vartype, ss.record.energy + 1.0)

    with pytest.raises(AssertionError, match="energy mismatch"):
        dict(solver_checks(Liar()))["energies"]()


def test_kit_catches_an_irreproducible_solver():
    class Noisy(_Base):
        def sample(self, bqm, **kwargs):
            return super().sample(bqm, **{**kwargs, "seed": int(np.random.randint(1 << 30))})

    with pytest.raises(AssertionError, match="reproducible"):
        dict(solver_checks(Noisy()))["seed_reproducible"]()


def test_kit_catches_invented_variables_and_a_lost_vartype():
    class Inventor(_Base):
        def sample(self, bqm, **kwargs):
            ss = super().sample(bqm, **kwargs)
            return dimod.append_variables(ss, {"ghost": 0 if bqm.vartype is dimod.BINARY else -1})

    class Binarizer(_Base):
        def sample(self, bqm, **kwargs):
            return super().sample(bqm.binary, **kwargs)

    with pytest.raises(AssertionError, match="invented \\['\\\\'ghost\\\\''\\]|invented"):
        dict(solver_checks(Inventor()))["integer_labels_with_gaps"]()
    with pytest.raises(AssertionError, match="vartype not preserved"):
        dict(solver_checks(Binarizer()))["vartype_preserved"]()


def test_kit_catches_a_crash_or_a_dropped_offset_on_the_empty_model():
    class NoEmpty(_Base):
        def sample(self, bqm, **kwargs):
            if not bqm.num_variables:
                return dimod.SampleSet.from_samples([], bqm.vartype, energy=[])  # dimod.ExactSolver's answer
            return super().sample(bqm, **kwargs)

    with pytest.raises(AssertionError, match="num_reads not honoured"):
        dict(solver_checks(NoEmpty()))["empty_model"]()


def test_kit_catches_silent_and_raising_unknown_keywords():
    class Silent(_Base):
        def sample(self, bqm, **kwargs):
            return dimod.RandomSampler().sample(bqm, num_reads=kwargs.get("num_reads", 1), seed=kwargs.get("seed"))

    class Strict(_Base):
        def sample(self, bqm, **kwargs):
            unknown = set(kwargs) - set(self.parameters)
            if unknown:
                raise ValueError(f"unknown {unknown}")
            return super().sample(bqm, **kwargs)

    with pytest.raises(AssertionError, match="accepted silently"):
        dict(solver_checks(Silent()))["unknown_keyword"]()
    with pytest.raises(AssertionError, match="not raise ValueError"):
        dict(solver_checks(Strict()))["unknown_keyword"]()


def test_kit_catches_parameters_shared_through_the_class():
    class Shared(_Base):
        parameters = {"num_reads": [], "seed": []}

    with pytest.raises(AssertionError, match="shared mutable state|class-level"):
        dict(solver_checks(Shared()))["parameters"]()


class _RandomLossSampler:
    """A reference loss sampler: uniform random nets, energy = their true loss."""

    parameters = property(lambda self: {"num_reads": [], "seed": []})

    def sample_problem(self, problem, num_reads=1, seed=None, **kwargs):
        for name in kwargs:
            import warnings

            warnings.warn(f"ignoring unknown keyword {name!r}", dimod.exceptions.SamplerUnknownArgWarning)
        bits = np.random.default_rng(seed).integers(0, 2, size=(num_reads, problem.num_variables))
        return dimod.SampleSet.from_samples((bits, problem.variables), "BINARY", problem.losses(bits))


def test_problem_kit_passes_a_reference_loss_sampler_and_catches_a_bad_one():
    check_problem_solver(_RandomLossSampler())

    class Spins(_RandomLossSampler):
        def sample_problem(self, problem, **kwargs):
            return super().sample_problem(problem, **kwargs).change_vartype("SPIN", inplace=False)

    with pytest.raises(AssertionError, match="variables: sample_problem must return BINARY"):
        check_problem_solver(Spins())


def test_random_models_are_deterministic_and_labelled():
    a, b = random_hubo(seed=3, labels="abcdef"), random_hubo(seed=3, labels="abcdef")
    assert dict(a) == dict(b) and set(a.variables) == set("abcdef")
    q = random_bqm(5, vartype="SPIN", seed=2)
    assert q.vartype.name == "SPIN" and len(q.variables) == 5
