"""Every kind of registered solver answers a selection subproblem with its exact optimum."""
import numpy as np
import pytest

from anneal_binn.selection import SelectionProblem, select_local
from anneal_binn.selection.solve import solve

from ._nets import net


@pytest.fixture(scope="module")
def sub():
    # weight seed 2: the best block configuration is 2% below the second (sampling solvers see it clearly)
    sel = SelectionProblem(net("softmax-ce", "identity", hidden=((8, "sign"),), classes=(0, 1, 2), n_train=60),
                           weight_seed=2)
    return sel.restriction(np.arange(6), sel.initial_state("random", 0))


FAST = [("exact", {}, None), ("hubo-sa", {}, 8), ("sa", {}, 50), ("tabu", {}, 20), ("steepest", {}, 200),
        ("grover", {}, 20), ("statevector-qa", {"annealing_time": 50.0}, 100), ("loss-sa", {"num_sweeps": 100}, 4),
        ("sqa", {}, 20)]
SLOW = [("hypernet", {"layers": 1, "restarts": 2, "maxiter": 100}, 200), ("mps-qa", {}, 100),
        ("qpu", {"mock": True}, 100), ("loss-sqa", {"num_sweeps": 200}, 2), ("loss-replicated", {"num_sweeps": 200}, 2)]


def _check(sub, name, params, reads):
    ans = solve(sub, name, seed=0, num_reads=reads, params=params)
    assert ans.value == pytest.approx(sub.exact().optimum, abs=1e-9), name
    assert ans.qubits >= sub.num_variables


@pytest.mark.parametrize("name,params,reads", FAST, ids=[f[0] for f in FAST])
def test_subproblem_solvers(sub, name, params, reads):
    _check(sub, name, params, reads)


@pytest.mark.slow
@pytest.mark.parametrize("name,params,reads", SLOW, ids=[f[0] for f in SLOW])
def test_subproblem_solvers_slow(sub, name, params, reads):
    _check(sub, name, params, reads)


def test_local_selection_verifies_gate_model_answers_against_the_exact_optimum():
    sel = SelectionProblem(net("bce", "sigmoid", hidden=((8, "sign"),)), weight_seed=0)
    res = select_local(sel, solver="grover", block_size=4, seed=0, verify=True)
    assert res.checks["compared"] == res.num_subproblems and res.checks["equal"] == res.checks["compared"]
    exact = select_local(sel, solver="exact", block_size=4, seed=0)
    assert res.objective == pytest.approx(exact.objective, abs=1e-12)
