"""The one pipeline and its Result: every route, one variable order, one JSON document, honest warnings."""
import json

import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.cli import main
from anneal_binn.pipeline import Pipeline, chance_accuracy, default_solver, findings

SMALL_PERCEPTRON = {"name": "p15", "data": {"source": "perceptron", "n": 15, "alpha": 0.5},
                    "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}}


@pytest.fixture(scope="module")
def fawaz():
    return ab.build(ab.load_spec("fawaz-p1"))


@pytest.fixture(scope="module")
def perceptron():
    return ab.build_from_dict(SMALL_PERCEPTRON)


@pytest.mark.parametrize("solver,route", [
    ("exact", "landscape"), ("hubo-sa", "hubo"), ("sa", "bqm"), ("loss-sa", None), ("ste", None),
])
def test_every_route_gives_binary_samples_over_the_problem_variables(fawaz, solver, route):
    result = ab.run(fawaz, solver=solver, seed=0, num_reads=4)
    ss = result.sampleset
    assert ss.vartype is dimod.BINARY and list(ss.variables) == fawaz.variables
    assert (result.formulation or {}).get("route") == route
    # the report is the true loss of each row, whatever energy the solver minimised
    np.testing.assert_allclose(result.report.losses, fawaz.losses(fawaz.sample_bits(ss)))
    assert set(result.timing) == {"formulate_s", "reduce_s", "sample_s", "evaluate_s"}


def test_qubo_encoding_route_reaches_the_exact_optimum(perceptron):
    result = ab.run(perceptron, solver="sa", qubo={"method": "unbalanced"}, seed=0, num_reads=16)
    q = result.formulation["qubo"]
    assert result.formulation["route"] == "qubo" and q["encoding"] == "unbalanced"
    assert q["num_variables"] == perceptron.num_variables and q["exact"] is False
    assert result.report.optimum == 0.0 and result.report.best.loss == 0.0


def test_result_to_dict_is_plain_json_with_one_key_set(fawaz):
    doc = ab.run(fawaz, solver="hubo-sa", seed=0, num_reads=5).to_dict()
    assert json.loads(json.dumps(doc)) == doc
    for key in ("spec", "solver", "seed", "reads", "timing", "formulation", "best", "mean_loss", "exact", "gap",
                "success_probability", "chance_accuracy", "warnings"):
        assert key in doc, key
    assert doc["reads"] == 5 and doc["best"]["loss"] == 0.0


def test_pipeline_builds_its_route_once_for_many_batches(fawaz):
    pipe = Pipeline(fawaz, "sa")
    a = pipe.sample(seed=1, num_reads=3)
    bqm = pipe.reduce()[0]
    b = pipe.sample(seed=2, num_reads=3)
    assert pipe.reduce()[0] is bqm and len(a) == len(b) == 3


def test_unknown_parameter_is_refused_before_sampling(fawaz):
    with pytest.raises(ab.UsageError, match="num_sweepz"):
        ab.solve(fawaz, solver="loss-sa", num_sweepz=3)


def test_default_route_past_enumeration_anneals_the_loss():
    big = ab.build_from_dict(dict(SMALL_PERCEPTRON, data={"source": "perceptron", "n": 31, "alpha": 0.5}))
    assert default_solver(big) == "loss-sa"
    # without a [run] line: exact up to EXACT_LIMIT bits (fawaz-p2's benchmarked winner too)
    assert default_solver(ab.build(ab.load_spec("fawaz-p2"))) == "exact"
    # a [run] line names the benchmarked winner (tests/solvers/test_default_route.py checks each)
    assert default_solver(ab.build(ab.load_spec("perceptron-N201-alpha0.7"))) == "loss-replicated"


def test_a_net_no_better_than_chance_is_reported(perceptron):
    zeros = dimod.SampleSet.from_samples((np.zeros((1, perceptron.num_variables), dtype=np.int8),
                                          perceptron.variables), "BINARY", [0.0])
    report = perceptron.evaluate(zeros, exact=False)
    chance = chance_accuracy(perceptron)
    assert 0.5 <= chance < 1 and report.best.accuracy.train <= chance + 0.02
    assert any("no better than chance" in w for w in findings(perceptron, report))


def test_far_from_the_exact_optimum_is_reported(fawaz):
    worst = int(np.argmax(fawaz.landscape()))
    bits = ((worst >> np.arange(fawaz.num_variables)) & 1).astype(np.int8)[None, :]
    report = fawaz.evaluate(dimod.SampleSet.from_samples((bits, fawaz.variables), "BINARY", [0.0]), exact=True)
    assert any("above the exact optimum" in w for w in findings(fawaz, report))


def test_run_puts_the_baseline_beside_the_answer(capsys):
    assert main(["run", "fawaz-p1", "--solver", "hubo-sa", "--baseline", "ste", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    base = doc["baseline"]
    assert base["solver"] == "ste" and base["verdict"] in (-1, 0, 1)
    assert base["verdict"] == (0 if base["best_loss"] == doc["best"]["loss"] else
                               (1 if doc["best"]["loss"] < base["best_loss"] else -1))
    assert main(["run", "fawaz-p1", "--solver", "hubo-sa", "--no-baseline", "--baseline", "ste", "--json"]) == 0
    assert "baseline" not in json.loads(capsys.readouterr().out)


def test_every_catalogue_baseline_and_route_is_registered():
    from anneal_binn import solvers
    from anneal_binn.spec import catalogue

    for name in catalogue():
        run = ab.load_spec(name).run
        for key in ("solver", "baseline"):
            if key in run:
                assert run[key] in solvers.available(), (name, key)


def test_exact_refuses_unknown_parameters_even_on_the_landscape_shortcut(fawaz):
    with pytest.raises(ab.UsageError, match="bogus"):
        ab.solve(fawaz, solver="exact", bogus=1)
