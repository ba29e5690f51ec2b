"""Loss annealers: incremental energies against the forward pass, seeding, optima, parameters."""
from __future__ import annotations

import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn import solvers
from anneal_binn.solvers.loss_anneal import LossModel, hinge_energy
from anneal_binn.solvers.loss_anneal.model import IncrementalState

SAMPLERS = ("loss-sa", "loss-sqa", "loss-replicated")

SMALL_PERCEPTRON = {"data": {"source": "perceptron", "n": 15, "alpha": 0.5},
                    "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}}

NETS = {
    "perceptron": {"data": {"source": "perceptron", "n": 31, "alpha": 0.7},
                   "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}},
    "perceptron-bias-mse": {"data": {"source": "perceptron", "n": 10, "alpha": 1.0},
                            "model": {"loss": "mse", "output": {"bias": True, "activation": "sign"}}},
    "hidden-sign": {"data": {"source": "perceptron", "n": 9, "alpha": 3.0},
                    "model": {"loss": "zero-one", "hidden": [{"width": 4, "bias": True, "activation": "sign"}],
                              "output": {"bias": True, "activation": "sign"}}},
    "two-hidden-sign": {"data": {"source": "perceptron", "n": 7, "alpha": 3.0},
                        "model": {"loss": "zero-one", "hidden": [{"width": 3, "activation": "sign"},
                                                                 {"width": 2, "activation": "sign"}],
                                  "output": {"bias": False, "activation": "sign"}}},
    "logistic-bce": {"data": {"source": "gaussian-mixture", "n_train": 50},
                     "model": {"loss": "bce", "hidden": [{"width": 3, "bias": True, "activation": ["sigmoid", "relu"]}],
                               "output": {"bias": True, "activation": "sigmoid"}}},
    "mse-activation-choice": {"data": {"source": "gaussian-mixture", "n_train": 50},
                              "model": {"loss": "mse", "hidden": [{"width": [2, 3], "bias": True, "activation": "tanh"}],
                                        "output": {"bias": True, "activation": ["sigmoid", "relu"]}}},
    "softmax-ce": {"data": {"source": "digits", "classes": [0, 1, 2], "downscale": 2, "binarize": 0.5, "n_train": 60},
                   "model": {"loss": "softmax-ce", "hidden": [{"width": 3, "bias": True, "activation": "tanh"}],
                             "output": {"bias": True, "activation": "softmax"}}},
    "masks": {"data": {"source": "gaussian-mixture", "n_train": 40},
              "model": {"loss": "zero-one", "hidden": [{"width": 3, "bias": False, "activation": "sign",
                                                        "mask": True, "neuron_mask": True}],
                        "output": {"bias": False, "activation": "sign", "mask": True}}},
}


@pytest.mark.parametrize("name", sorted(NETS))
def test_incremental_energy_matches_forward_pass(name):
    problem = ab.build_from_dict(NETS[name])
    rng = np.random.default_rng(7)
    energies = ["loss"] + (["hinge"] if problem.arch.layers[-1].max_width == 1 else [])
    for energy in energies:
        model = LossModel(problem, energy)
        reference = problem.losses if energy == "loss" else (lambda b: hinge_energy(problem, b))
        state = IncrementalState(model, rng.integers(0, 2, problem.num_variables))
        for k in range(200):
            e = state.flip(int(rng.integers(problem.num_variables)))
            if k % 20 == 0:
                assert e == pytest.approx(reference(state.bits[None])[0], abs=1e-9), (energy, k)
        assert model.energies(state.bits[None])[0] == pytest.approx(reference(state.bits[None])[0], abs=1e-9)


def test_perceptron_uses_fast_kernel_and_catalogue_nets_the_network_kernel():
    assert LossModel(ab.build_from_dict(NETS["perceptron"]), "hinge").perceptron
    assert not LossModel(ab.build_from_dict(NETS["hidden-sign"]), "hinge").perceptron


def test_hinge_is_zero_exactly_without_errors():
    # fawaz-p1's output has fan-in 2: ties z = 0 on label -1 are errors and must cost energy
    problem = ab.build(ab.load_spec("fawaz-p1"))
    bits = np.array([[(i >> k) & 1 for k in range(8)] for i in range(256)], dtype=np.uint8)
    h = hinge_energy(problem, bits)
    assert np.array_equal(h == 0, problem.losses(bits) == 0)


@pytest.mark.parametrize("solver", SAMPLERS)
def test_same_seed_same_samples_different_seed_different(solver):
    problem = ab.build_from_dict(NETS["perceptron"])
    a = ab.solve(problem, solver=solver, seed=3, num_reads=3, num_sweeps=20)
    b = ab.solve(problem, solver=solver, seed=3, num_reads=3, num_sweeps=20)
    c = ab.solve(problem, solver=solver, seed=4, num_reads=3, num_sweeps=20)
    assert np.array_equal(a.record.sample, b.record.sample)
    assert not np.array_equal(a.record.sample, c.record.sample)
    net = ab.build_from_dict(NETS["hidden-sign"])
    a = ab.solve(net, solver=solver, seed=3, num_reads=2, num_sweeps=10)
    b = ab.solve(net, solver=solver, seed=3, num_reads=2, num_sweeps=10)
    assert np.array_equal(a.record.sample, b.record.sample)


@pytest.mark.parametrize("solver", SAMPLERS)
@pytest.mark.parametrize("spec", ["fawaz-p1", "gaussian-activation", "small-perceptron"])
def test_reaches_exact_optimum(solver, spec):
    problem = ab.build_from_dict(SMALL_PERCEPTRON) if spec == "small-perceptron" else ab.build(ab.load_spec(spec))
    ss = ab.solve(problem, solver=solver, seed=0, num_reads=4, num_sweeps=300)
    assert list(ss.variables) == problem.variables
    assert problem.losses(ss.record.sample).min() == pytest.approx(problem.exact().optimum, abs=1e-9)
    # the reported energy is the annealed one, recomputed from scratch
    energy = ss.info["energy"]
    expect = problem.losses(ss.record.sample) if energy == "loss" else hinge_energy(problem, ss.record.sample)
    np.testing.assert_allclose(ss.record.energy, expect, atol=1e-9)
    np.testing.assert_allclose(ss.record.loss, problem.losses(ss.record.sample), atol=1e-12)


@pytest.mark.parametrize("solver", SAMPLERS)
def test_unknown_parameter_and_bad_values_raise(solver):
    problem = ab.build(ab.load_spec("fawaz-p1"))
    sampler = solvers.get(solver)
    assert {"num_reads", "seed", "num_sweeps", "beta_range", "energy", "initial_states"} <= set(sampler.parameters)
    with pytest.warns(dimod.exceptions.SamplerUnknownArgWarning, match="num_sweepz"):  # dimod's policy
        sampler.sample_problem(problem, num_sweepz=10, num_sweeps=5)
    with pytest.raises(ValueError, match="energy"):
        sampler.sample_problem(problem, energy="hing")
    with pytest.raises(ValueError, match="beta_range"):
        sampler.sample_problem(problem, beta_range=(0, 1))
    with pytest.raises(ValueError, match="initial_states"):
        sampler.sample_problem(problem, initial_states=np.zeros((2, 3)))


def test_hinge_refused_for_several_outputs():
    problem = ab.build_from_dict(NETS["softmax-ce"])
    with pytest.raises(ValueError, match="energy"):
        solvers.get("loss-sa").sample_problem(problem, energy="hinge")


def test_initial_states_and_defaults():
    problem = ab.build_from_dict(NETS["perceptron"])
    start = np.ones((2, problem.num_variables), dtype=np.int8)
    ss = ab.solve(problem, solver="loss-sa", seed=0, initial_states=start, num_sweeps=1, beta_range=(1e6, 1e6))
    assert len(ss) == 2 and ss.info["energy"] == "hinge"
    # a descent from the all-ones state never ends above where it started
    assert ss.record.energy.max() <= hinge_energy(problem, start)[0] + 1e-12
    bce = ab.build_from_dict(NETS["logistic-bce"])
    assert ab.solve(bce, solver="loss-sa", seed=0, num_sweeps=5).info["energy"] == "loss"


def test_registered():
    for name in SAMPLERS:
        assert name in solvers.available() and solvers.entry(name).input == "problem"


@pytest.mark.parametrize("loss,activation", [("softmax-ce", "softmax"), ("mse", "softmax"), ("zero-one", "identity")])
def test_two_output_units_on_binary_labels_anneal_the_true_loss(loss, activation):
    """±1 labels with two output units are classes 0/1 (read as indices, -1 was the last column)."""
    problem = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
                                  "model": {"loss": loss, "hidden": [{"width": 2, "activation": "sign"}],
                                            "output": {"activation": activation, "width": 2}}})
    ss = ab.solve(problem, solver="loss-sa", seed=0, num_reads=4, num_sweeps=300, energy="loss")
    np.testing.assert_allclose(ss.record.energy, problem.losses(problem.sample_bits(ss)), atol=1e-9)
    assert problem.evaluate(ss).best.loss == pytest.approx(problem.exact().optimum)
