"""A perceptron-like Problem reaches the schedule simulators as a stability cost (counter MPOs), no HUBO.

The route must simulate the same Hamiltonian as the HUBO route (checked on the digitized protocol,
which does not rescale the cost, against the HUBO's own MPO and state vector), give energies equal
to the enumerated landscape, stay off for nets that are not one unit over integer inputs, and reach
sizes whose HUBO cannot be written.
"""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.pipeline import Pipeline
from anneal_binn.tensor_network import StabilityCost

PERCEPTRON = {"name": "p10", "data": {"source": "perceptron", "n": 10, "alpha": 0.6},
              "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}}
DIGITIZED = {"schedule": "digitized", "num_steps": 6, "time_step": 0.7}


@pytest.fixture(scope="module")
def perceptron():
    return ab.build_from_dict(PERCEPTRON)


def _indices(ss):
    return (ss.record.sample.astype(np.int64) << np.arange(ss.record.sample.shape[1])).sum(1)


@pytest.mark.parametrize("solver, params", [("mps-qa", {"max_bond": 32}), ("statevector-qa", {})])
def test_the_stability_route_is_the_hubo_route_without_the_hubo(perceptron, solver, params):
    direct = Pipeline(perceptron, solver, params={**DIGITIZED, **params})
    assert direct.stability_route
    ss = direct.sample(seed=3, num_reads=50)
    assert direct._poly is None  # no HUBO was built
    assert direct.formulation_summary() == {"route": "stability", "num_variables": 10, "patterns": 6}
    # energies are the problem's loss, as the HUBO's would be
    assert np.allclose(ss.record.energy, perceptron.landscape()[_indices(ss)], atol=1e-12)
    # the same Hamiltonian as the Fourier HUBO: the same exact <H_z> after the same layers
    hubo_params = {**DIGITIZED, **params, **({"cost_mpo": "dense"} if solver == "mps-qa" else {})}
    via_hubo = Pipeline(perceptron, solver, params=hubo_params, hubo={"method": "fourier"})
    assert not via_hubo.stability_route
    ref = via_hubo.sample(seed=3, num_reads=50)
    assert ref.info["expected_energy"] == pytest.approx(ss.info["expected_energy"], abs=1e-8)


def test_a_parameter_that_names_a_hubo_route_keeps_the_hubo(perceptron):
    assert not Pipeline(perceptron, "mps-qa", params={"cost_mpo": "terms"}).stability_route
    assert Pipeline(perceptron, "mps-qa", params={"cost_mpo": "counter"}).stability_route


@pytest.mark.parametrize("spec, reason", [("fawaz-p1", "single output unit"),
                                          ("gaussian-activation", "single output unit"),
                                          ("mnist4x4-logistic", "not integers")])
def test_other_nets_go_through_the_hubo(spec, reason):
    problem = ab.build(ab.load_spec(spec))
    assert reason in StabilityCost.problem_support(problem)
    assert not Pipeline(problem, "mps-qa").stability_route
    with pytest.raises(ValueError, match="not a stability cost"):
        ab.solvers.get("mps-qa").sample_problem(problem)


def test_the_cli_names_the_route_and_a_spec_hubo_default_does_not_force_the_hubo(capsys):
    from anneal_binn.cli import main

    # perceptron-N101-alpha0.5's [run.hubo] (auxiliary neurons) is for HUBO solvers; its exact
    # HUBO has hundreds of variables, the stability cost 101
    assert main(["run", "perceptron-N101-alpha0.5", "--solver", "mps-qa", "--param", "max_bond=2",
                 "--param", "schedule=digitized", "--param", "num_steps=1", "--param", "time_step=1.0",
                 "--num-reads", "2", "--no-baseline"]) == 0
    assert "stability cost, one counter MPO per pattern (51 patterns); no HUBO" in capsys.readouterr().out
    problem = ab.build(ab.load_spec("perceptron-N101-alpha0.5"))
    assert not Pipeline(problem, "mps-qa", hubo={"method": "auxiliary"}).stability_route  # asked for


def test_a_101_weight_perceptron_anneals_on_mps_with_no_hubo():
    problem = ab.build(ab.load_spec("perceptron-N101-alpha0.5"))
    res = ab.run(problem, "mps-qa", seed=0, num_reads=5, schedule="digitized", num_steps=2, time_step=1.0, max_bond=4)
    assert res.formulation["route"] == "stability"
    assert 0.0 <= res.info["truncation_error"] <= 1.0
    # the reported energies are the training loss of the decoded nets
    assert np.allclose(res.sampleset.record.energy, res.report.losses)
