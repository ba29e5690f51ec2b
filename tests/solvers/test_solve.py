"""ab.solve through the registry: results over 0..N-1, HUBO energies, true losses; solve/compare CLI."""
import json

import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.cli import main as cli
from anneal_binn.pipeline import split_params


@pytest.fixture(scope="module")
def problem():
    return ab.build(ab.load_spec("fawaz-p1"))


@pytest.mark.parametrize("name,params", [
    ("hubo-sa", {"num_sweeps": 200}),
    ("sa", {"num_sweeps": 200}),
    ("statevector-qa", {"annealing_time": 20.0, "num_steps": 40}),
    ("mps-qa", {"annealing_time": 5.0, "num_steps": 10, "max_bond": 16}),  # 16 = 2^(8/2): exact
    ("qpu", {"mock": True, "topology_shape": 6}),
])
def test_solve_returns_problem_variables_and_true_energies(problem, name, params):
    ss = ab.solve(problem, solver=name, seed=0, num_reads=12, **params)
    assert list(ss.variables) == problem.variables and ss.vartype.name == "BINARY"
    assert int(ss.record.num_occurrences.sum()) == 12
    # the Fourier HUBO is exact: energies are the true BiNN losses
    np.testing.assert_allclose(ss.record.energy, problem.losses(problem.sample_bits(ss)), atol=1e-9)
    assert set(ss.info["timing"]) == {"formulate_s", "reduce_s", "sample_s"}
    if ab.solvers.entry(name).input == "bqm":
        assert ss.info["reduction"]["num_ancillas"] > 0
        if name == "qpu":  # per-read chain breaks survive the projection to the problem's variables
            assert ss.record.chain_break_fraction.shape == (len(ss),)
    else:  # direct HUBO samplers find this 8-bit optimum; reduced QUBOs need not (ancilla landscape)
        assert problem.evaluate(ss).best.loss == 0.0


def test_truncated_hubo_still_covers_every_variable(problem):
    ss = ab.solve(problem, solver="hubo-sa", seed=1, num_reads=5, hubo={"max_degree": 1}, num_sweeps=20)
    assert list(ss.variables) == problem.variables
    poly = problem.to_hubo(max_degree=1)
    np.testing.assert_allclose(ss.record.energy, poly.energies((ss.record.sample, ss.variables)))


def test_same_seed_same_answer(problem):
    a = ab.solve(problem, solver="sa", seed=4, num_reads=6, num_sweeps=50)
    b = ab.solve(problem, solver="sa", seed=4, num_reads=6, num_sweeps=50)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)


def test_params_split_between_constructor_and_sample():
    ctor, kw = split_params("qpu", {"mock": True, "annealing_time": 20, "chain_strength": 2.0})
    assert ctor == {"mock": True, "chain_strength": 2.0} and kw == {"annealing_time": 20}
    ctor, kw = split_params("hubo-sa", {"backend": "numpy", "beta_range": (0.1, 5)})
    assert ctor == {"backend": "numpy"} and kw == {"beta_range": (0.1, 5)}


def test_solve_command_json(capsys):
    assert cli(["solve", "fawaz-p1", "--solver", "hubo-sa", "--num-reads", "10", "--param", "num_sweeps=100",
                "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["solver"] == "hubo-sa" and doc["best"]["loss"] == 0.0 and doc["reads"] == 10
    assert 0 < doc["success_probability"] <= 1


def test_solve_command_lists_and_rejects(capsys):
    assert cli(["solve", "--list"]) == 0
    assert "mps-qa" in capsys.readouterr().out
    assert cli(["solve", "fawaz-p1", "--solver", "sa", "--param", "bogus=1"]) == 2
    assert "bogus" in capsys.readouterr().err


def test_compare_command_table_and_json(capsys):
    assert cli(["compare", "fawaz-p1", "--solvers", "exact,sa,hubo-sa", "--num-reads", "20",
                "--param", "sa.num_sweeps=100", "--param", "hubo-sa.num_sweeps=100", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = {r["solver"]: r for r in doc["rows"]}
    assert set(rows) == {"exact", "sa", "hubo-sa"}
    assert rows["hubo-sa"]["optimum"] == 0.0 and rows["hubo-sa"]["reference"] == "exact optimum"
    for r in rows.values():
        lo, hi = r["tts99_ci"]
        assert r["success_probability"] == 0 or lo <= r["tts99_s"] <= hi
        assert r["residual_loss"] >= 0
    assert cli(["compare", "fawaz-p1", "--solvers", "exact,hubo-sa", "--num-reads", "10"]) == 0
    out = capsys.readouterr().out
    assert "TTS99" in out and "hubo-sa" in out
