"""Every registered solver passes the conformance kit (hybrid needs Leap: its error path is in test_qpu)."""
import pytest

from anneal_binn import solvers
from anneal_binn.testing import check_solver, random_bqm, random_hubo

# small, fast settings per solver; the kit itself supplies num_reads and seed
FAST = {
    "sa": {"num_sweeps": 50},
    "tabu": {"timeout": 5},
    "sqa": {"num_sweeps": 50},
    "hubo-sa": {"num_sweeps": 50},
    "statevector-qa": {"num_steps": 20},
    "mps-qa": {"num_steps": 8, "max_bond": 8},
    "qpu": {"mock": True, "topology_shape": 4},
}
OFFLINE = [name for name in solvers.available() if name != "hybrid"]


@pytest.mark.parametrize("name", OFFLINE)
def test_registered_solver_conforms(name):
    check_solver(name, **FAST.get(name, {}))


def test_numpy_backend_of_hubo_sa_conforms():
    check_solver("hubo-sa", num_sweeps=30, backend="numpy")


def test_registry_has_the_issue_names():
    for name in ("exact", "sa", "tabu", "steepest", "sqa", "hubo-sa", "statevector-qa", "mps-qa", "qpu", "hybrid"):
        assert name in solvers.available()
    with pytest.raises(ValueError, match="unknown name"):
        solvers.get("no-such-solver")


def test_kit_catches_a_solver_that_lies_about_energies():
    import dimod

    class Liar(dimod.Sampler):
        parameters = {"num_reads": [], "seed": []}
        properties = {}

        def sample(self, bqm, num_reads=1, seed=None):
            ss = dimod.ExactSolver().sample(bqm).truncate(num_reads)
            return dimod.SampleSet.from_samples((ss.record.sample, ss.variables), bqm.vartype,
                                                ss.record.energy + 1.0)

    with pytest.raises(AssertionError, match="energy mismatch"):
        check_solver(Liar())


def test_kit_catches_an_irreproducible_solver():
    import dimod
    import numpy as np

    class Noisy(dimod.Sampler):
        parameters = {"num_reads": [], "seed": []}
        properties = {}

        def sample(self, bqm, num_reads=1, seed=None):
            return dimod.RandomSampler().sample(bqm, num_reads=num_reads, seed=np.random.randint(1 << 30))

    with pytest.raises(AssertionError, match="reproducible"):
        check_solver(Noisy())


def test_random_models_are_deterministic_and_labelled():
    a, b = random_hubo(seed=3, labels="abcdef"), random_hubo(seed=3, labels="abcdef")
    assert dict(a) == dict(b) and set(a.variables) == set("abcdef")
    q = random_bqm(5, vartype="SPIN", seed=2)
    assert q.vartype.name == "SPIN" and len(q.variables) == 5
