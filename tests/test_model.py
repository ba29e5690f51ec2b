"""The vectorized forward pass and landscape against a naive loop oracle, on every architecture bit."""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.errors import TooLargeError
from anneal_binn.model.architecture import bits_to_index, index_to_bits

from tests import reference


def _problem(hidden, output, loss="zero-one", data=None, seed=0, reduction=None):
    model = {"loss": loss, "hidden": hidden, "output": output}
    if reduction:
        model["reduction"] = reduction
    return ab.build_from_dict({"seed": seed, "data": data or {"source": "fawaz", "problem": 1}, "model": model})


ARCHITECTURES = {
    "fawaz": ([{"width": 2}], {"activation": "sign"}, "zero-one"),
    "mask": ([{"width": 2, "mask": True}], {"activation": "sign"}, "zero-one"),
    "neuron-mask+bias": ([{"width": 2, "bias": True, "neuron_mask": True}], {"activation": "sign", "bias": True}, "zero-one"),
    "activation-choice": ([{"width": 2, "bias": True, "activation": ["sigmoid", "relu"]}], {"activation": "sigmoid", "bias": True}, "bce"),
    "width-choice": ([{"width": [1, 2], "activation": ["tanh", "relu"]}], {"activation": "identity", "mask": True}, "mse"),
    "two-hidden": ([{"width": 1, "bias": True}, {"width": 2, "mask": True}], {"activation": "sign"}, "zero-one"),
    "output-choice": ([{"width": 2}], {"activation": ["sign", "tanh"]}, "mse"),
}


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_forward_matches_naive_oracle(name):
    hidden, output, loss = ARCHITECTURES[name]
    problem = _problem(hidden, output, loss)
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 2, size=(40, problem.num_variables)).astype(np.uint8)
    fast = problem.losses(bits)
    slow = np.array([reference.loss(problem, b) for b in bits])
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_doubling_table_landscape_equals_plain_forward(name):
    hidden, output, loss = ARCHITECTURES[name]
    problem = _problem(hidden, output, loss)
    if problem.num_variables > 16:
        pytest.fail("architecture grew too large for this test")
    np.testing.assert_allclose(problem.landscape(), problem.landscape(fast=False), rtol=1e-12, atol=1e-12)


def test_landscape_index_convention_bit_i_is_variable_i():
    problem = _problem(*ARCHITECTURES["neuron-mask+bias"])
    L = problem.landscape()
    idx = np.array([0, 1, 5, 77, 2**problem.num_variables - 1])
    np.testing.assert_allclose(L[idx], problem.losses(index_to_bits(idx, problem.num_variables)))
    assert bits_to_index(index_to_bits(idx, problem.num_variables)).tolist() == idx.tolist()


def test_fawaz_optimal_weight_sets_match_seed_003():
    # Seed 003 §5: eight and four of the 256 weight sets reach 100% accuracy.
    for name, expected in (("fawaz-p1", 8), ("fawaz-p2", 4)):
        problem = ab.build(ab.load_spec(name))
        L = problem.landscape()
        assert L.size == 256
        assert int((L == 0).sum()) == expected
        acc = problem.accuracy(index_to_bits(np.flatnonzero(L == 0), 8))
        assert np.all(acc == 1.0)


def test_input_less_sign_neuron_outputs_minus_one():
    # seed 003 §5.1: with every connection of a hidden unit masked off, that unit outputs -1.
    problem = ab.build(ab.load_spec("fawaz-meta-p1"))
    reg = problem.register
    bits = np.zeros((1, problem.num_variables), np.uint8)
    bits[0, reg.weight_index[1].ravel()] = 1  # output weights +1, all masks 0 -> both hidden units -1
    z, out = problem.network.forward(bits, problem.data.x_train)
    # output pre-activation = (+1)(-1) + (+1)(-1) = -2 for every sample -> predicts -1 everywhere
    np.testing.assert_array_equal(z[0, :, 0], -2.0)


def test_landscape_refused_before_allocation_with_size():
    problem = _problem([{"width": 4, "bias": True}], {"activation": "sign", "bias": True})
    with pytest.raises(TooLargeError, match=r"GiB.*limit is N <= 10"):
        problem.landscape(limit=10)


def test_bad_bits_rejected():
    problem = ab.build(ab.load_spec("fawaz-p1"))
    with pytest.raises(ValueError, match="expected 8 columns"):
        problem.losses(np.zeros((2, 7)))
    with pytest.raises(ValueError, match="0 or 1"):
        problem.losses(-np.ones((1, 8)))


@pytest.mark.parametrize("loss,activation", [("softmax-ce", "softmax"), ("softmax-ce", "identity"), ("mse", "softmax"),
                                             ("zero-one", "identity")])
def test_multiclass_losses_match_naive_oracle(loss, activation):
    data = {"source": "digits", "classes": [0, 1, 2], "downscale": 2, "n_train": 30}
    output = {"activation": activation, "bias": True}
    model = {"loss": loss, "hidden": [], "output": output}
    problem = ab.build_from_dict({"data": data, "model": model})
    assert problem.data.num_classes == 3 and problem.num_variables == 3 * 4 + 3
    rng = np.random.default_rng(2)
    bits = rng.integers(0, 2, size=(25, problem.num_variables)).astype(np.uint8)
    slow = np.array([reference.loss(problem, b) for b in bits])
    np.testing.assert_allclose(problem.losses(bits), slow, rtol=1e-10, atol=1e-12)
    # multi-class accuracy is argmax agreement, by hand
    z, _ = problem.network.forward(bits, problem.data.x_train)
    np.testing.assert_allclose(problem.accuracy(bits), (z.argmax(-1) == problem.data.y_train).mean(1))


def test_bce_with_several_output_units_is_refused():
    with pytest.raises(ab.SpecError, match="model.output.width"):
        ab.build_from_dict({"data": {"source": "digits", "classes": [0, 1, 2], "downscale": 2},
                            "model": {"loss": "bce", "output": {"activation": "sigmoid", "width": 1}}})


@pytest.mark.parametrize("loss,activation,bias", [("zero-one", "sign", False), ("zero-one", "sigmoid", True),
                                                  ("mse", "identity", True), ("bce", "sigmoid", True)])
def test_compiled_gray_code_landscape_equals_plain_forward(loss, activation, bias):
    problem = ab.build_from_dict({"data": {"source": "digits", "downscale": 3, "n_train": 60},
                                  "model": {"loss": loss, "output": {"activation": activation, "bias": bias}}})
    from anneal_binn import landscape_kernels

    assert landscape_kernels.supports(problem.network)
    np.testing.assert_allclose(problem.landscape(), problem.landscape(fast=False), rtol=1e-12, atol=1e-12)
