"""The classical baselines: ste (straight-through estimator), sbpi and cpr (binary-perceptron rules),
and the large catalogue specs they are measured on."""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn import solvers
from anneal_binn.model.architecture import choice_index


@pytest.fixture(scope="module")
def fawaz():
    return ab.build(ab.load_spec("fawaz-p1"))


@pytest.fixture(scope="module")
def n21():
    return ab.build(ab.load_spec("perceptron-N21-alpha0.5"))


def test_registered_as_problem_solvers():
    for name in ("ste", "sbpi", "cpr"):
        assert name in solvers.available()
        assert solvers.entry(name).input == "problem"
        sampler = solvers.get(name)
        assert {"num_reads", "seed"} <= set(sampler.parameters)


# -- ste ------------------------------------------------------------------------------------------
def test_ste_reaches_the_exact_optimum_of_an_enumerable_net(fawaz):
    ss = ab.solve(fawaz, solver="ste", seed=0, num_reads=4)
    report = fawaz.evaluate(ss, exact=True)
    assert report.optimum == 0.0 and report.gap == 0.0
    assert report.best.accuracy.train == 1.0


def test_ste_separates_a_small_random_perceptron(n21):
    assert n21.exact().optimum == 0.0
    ss = ab.solve(n21, solver="ste", seed=0, num_reads=4)
    assert float(ss.first.energy) == 0.0
    assert n21.accuracy(n21.sample_bits(ss)[[int(np.argmin(ss.record.energy))]])[0] == 1.0


def test_ste_energies_are_the_losses_of_the_decoded_nets():
    problem = ab.build(ab.load_spec("fawaz-meta-p1"))  # mask bits: STE keeps every connection
    ss = ab.solve(problem, solver="ste", seed=3, num_reads=3, epochs=10)
    bits = problem.sample_bits(ss)
    np.testing.assert_array_equal(ss.record.energy, problem.losses(bits))
    np.testing.assert_array_equal(problem.evaluate(ss).losses, ss.record.energy)
    assert (bits[:, problem.register.mask_index[0].ravel()] == 1).all()
    net = problem.decode(bits[0])
    # the decoded first layer is the sign of the returned bits, unit-major
    np.testing.assert_array_equal(net.layers[0].weights, 2 * bits[0, problem.register.weight_index[0]].astype(int) - 1)


def test_ste_enumerates_activation_and_width_choices():
    problem = ab.build(ab.load_spec("gaussian-width"))  # 2 widths x 2 activations = 4 combinations
    ss = ab.solve(problem, solver="ste", seed=1, num_reads=2, epochs=15)
    assert ss.info["combinations"] == 4
    bits = problem.sample_bits(ss)
    np.testing.assert_allclose(ss.record.energy, problem.losses(bits), rtol=0, atol=0)
    reg = problem.register
    assert set(choice_index(bits, reg.activation_index[0]).tolist()) <= {0, 1}
    # keep="final" reports the final nets; their losses are the final_energy vector
    fin = ab.solve(problem, solver="ste", seed=1, num_reads=2, epochs=15, keep="final")
    np.testing.assert_allclose(fin.record.energy, fin.record.final_energy)
    assert (ss.record.energy <= fin.record.energy + 1e-12).all()  # best-so-far is never worse


def test_ste_is_deterministic_and_rows_do_not_depend_on_num_reads(fawaz):
    a = ab.solve(fawaz, solver="ste", seed=7, num_reads=4, epochs=10)
    b = ab.solve(fawaz, solver="ste", seed=7, num_reads=4, epochs=10)
    c = ab.solve(fawaz, solver="ste", seed=7, num_reads=2, epochs=10)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)
    np.testing.assert_array_equal(a.record.sample[:2], c.record.sample)


def test_ste_refuses_unknown_and_bad_parameters(fawaz):
    with pytest.raises(ValueError, match="learning_rate"):
        ab.solve(fawaz, solver="ste", learning_rate=0.1)
    with pytest.raises(ValueError, match="keep"):
        ab.solve(fawaz, solver="ste", keep="last")
    with pytest.raises(ValueError, match="epochs"):
        ab.solve(fawaz, solver="ste", epochs=0)


def test_ste_trains_the_1057_bit_mnist_net_quickly():
    problem = ab.build(ab.load_spec("mnist-hidden"))
    ss = ab.solve(problem, solver="ste", seed=0, num_reads=1, epochs=15)
    report = problem.evaluate(ss)
    assert report.best.accuracy.train > 0.98 and report.best.accuracy.test > 0.97


# -- sbpi / cpr -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sbpi", "cpr"])
def test_perceptron_rules_separate_small_random_perceptrons(name, n21):
    ss = ab.solve(n21, solver=name, seed=0, num_reads=3)
    assert len(ss) == 3
    np.testing.assert_array_equal(n21.losses(n21.sample_bits(ss)), 0.0)
    np.testing.assert_array_equal(ss.record.energy, 0.0)


def test_sbpi_solves_n101_alpha05_and_backends_agree():
    problem = ab.build(ab.load_spec("perceptron-N101-alpha0.5"))
    ss = ab.solve(problem, solver="sbpi", seed=0, num_reads=2)
    np.testing.assert_array_equal(problem.losses(problem.sample_bits(ss)), 0.0)
    slow = ab.solve(problem, solver="sbpi", seed=0, num_reads=2, backend="numpy")
    np.testing.assert_array_equal(slow.record.sample, ss.record.sample)
    np.testing.assert_array_equal(slow.record.sweeps, ss.record.sweeps)


def test_sbpi_handles_a_bias_as_a_synapse_on_a_constant_input():
    problem = ab.build_from_dict({"data": {"source": "perceptron", "n": 30, "alpha": 0.5},
                                  "model": {"loss": "zero-one", "output": {"bias": True, "activation": "sign"}}})
    ss = ab.solve(problem, solver="sbpi", seed=2, num_reads=2)
    np.testing.assert_array_equal(problem.losses(problem.sample_bits(ss)), 0.0)


def test_perceptron_rules_refuse_other_architectures_in_one_line(fawaz):
    with pytest.raises(ValueError, match="single-layer net with one sign output") as info:
        ab.solve(fawaz, solver="sbpi")
    assert "\n" not in str(info.value)
    logistic = ab.build(ab.load_spec("digits4x4-logistic"))
    with pytest.raises(ValueError, match="sign output"):
        ab.solve(logistic, solver="cpr")
    with pytest.raises(ValueError, match="sweeps_max"):
        ab.solve(ab.build(ab.load_spec("perceptron-N21-alpha0.5")), solver="sbpi", sweeps_max=3)


# -- catalogue ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, n, p_train", [
    ("perceptron-N1001-alpha0.3", 1001, 300),
    ("perceptron-N1001-alpha0.5", 1001, 501),
    ("perceptron-N1001-alpha0.6", 1001, 601),
    ("mnist-hidden", 1057, 800),
    ("mnist-perceptron-785", 785, 800),
])
def test_large_catalogue_specs_build(name, n, p_train):
    spec = ab.load_spec(name)
    assert spec.name == name and len(spec.description) > 100
    problem = ab.build(spec)
    assert problem.num_variables == n and len(problem.data.y_train) == p_train
    losses = problem.losses(np.random.default_rng(0).integers(0, 2, (3, n)))
    assert losses.shape == (3,) and (losses >= 0).all() and (losses <= p_train).all()


def test_mnist_perceptron_uses_every_pixel():
    problem = ab.build(ab.load_spec("mnist-perceptron-785"))
    assert problem.data.x_train.shape[1] == 784 and problem.register.count("bias") == 1
    assert problem.data.x_train.min() >= 0.0 and problem.data.x_train.max() <= 1.0
