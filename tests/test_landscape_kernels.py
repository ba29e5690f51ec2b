"""The compiled Gray-code landscape kernel against the numpy forward pass and a loop oracle."""
from __future__ import annotations

import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn import landscape_kernels as lk
from tests import reference


def test_softplus_error_bound_on_a_dense_grid():
    z = np.concatenate([np.linspace(-60.0, 60.0, 500_001), [-1e300, -745.0, -40.0, -5e-324, 0.0, 5e-324, 1e-17, 40.0, 750.0, 1e300]])
    ref = np.logaddexp(0.0, z)
    err = np.abs(lk.softplus(z) - ref) / np.maximum(1.0, ref)
    assert err.max() <= lk.SOFTPLUS_MAX_ERROR


@pytest.mark.parametrize("name,ref", [("sigmoid", lambda z: 0.5 * (1.0 + np.tanh(z / 2))), ("tanh", np.tanh),
                                      ("relu", lambda z: np.maximum(z, 0.0)), ("sign", lambda z: np.where(z >= 0, 1.0, -1.0))])
def test_activations_match_numpy(name, ref):
    z = np.linspace(-50.0, 50.0, 200_001)
    assert np.abs(lk.activation(z, name) - ref(z)).max() <= 4 * np.finfo(float).eps


def _single(loss, act, bias, reduction="mean", n_train=40, downscale=3):
    return ab.build_from_dict({"data": {"source": "digits", "downscale": downscale, "n_train": n_train},
                               "model": {"loss": loss, "reduction": reduction,
                                         "output": {"activation": act, "bias": bias}}})


CASES = [(loss, act) for loss in ("zero-one", "mse", "bce") for act in ("sign", "tanh", "identity", "sigmoid", "relu")
         if not (loss == "bce" and act != "sigmoid")]


@pytest.mark.parametrize("loss,act", CASES)
@pytest.mark.parametrize("bias", [False, True])
def test_single_unit_equals_plain_forward(loss, act, bias):
    problem = _single(loss, act, bias, reduction="sum" if loss == "mse" and bias else "mean")
    net, X, y = problem.network, problem.data.x_train, problem.data.y_train
    assert lk.supports(net)
    got = lk.compute(net, X, y)
    want = problem.landscape(fast=False)
    tol = 0 if loss == "zero-one" else 1e-12 * max(1.0, np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)
    for idx in (0, 1, 37, got.size - 1):  # the loop oracle on a few nets
        bits = (idx >> np.arange(problem.num_variables)) & 1
        assert abs(got[idx] - reference.loss(problem, bits)) <= 1e-12 * max(1.0, abs(got[idx]))


def test_zero_one_ties_at_zero_pre_activation_are_exact():
    # even N, ±1 patterns, no bias: many nets have z = 0 exactly on some pattern (sign(0) = +1)
    problem = ab.build_from_dict({"data": {"source": "perceptron", "n": 10, "alpha": 3.0},
                                  "model": {"loss": "zero-one", "output": {"activation": "sign", "bias": False}}})
    np.testing.assert_array_equal(lk.compute(problem.network, problem.data.x_train, problem.data.y_train),
                                  problem.landscape(fast=False))


HIDDEN = [
    ("bce", {"width": 2, "bias": True, "activation": ["sigmoid", "relu"]}, {"activation": "sigmoid", "bias": True}),
    ("bce", {"width": [1, 2], "bias": True, "activation": "tanh"}, {"activation": "sigmoid", "bias": False}),
    ("mse", {"width": [1, 3], "bias": False, "activation": ["sigmoid", "relu", "sign", "identity"]},
     {"activation": ["sigmoid", "tanh"], "bias": True}),
    ("zero-one", {"width": 2, "bias": True, "activation": "sign"}, {"activation": "sign", "bias": True}),
]


@pytest.mark.parametrize("loss,hidden,output", HIDDEN)
def test_hidden_layer_with_choice_bits_equals_plain_forward(loss, hidden, output):
    problem = ab.build_from_dict({"data": {"source": "gaussian-mixture", "n_train": 30, "n_test": 5},
                                  "model": {"loss": loss, "hidden": [hidden], "output": output}})
    net, X, y = problem.network, problem.data.x_train, problem.data.y_train
    assert lk.supports(net) and problem.num_variables <= 16
    got = lk.compute(net, X, y)
    want = problem.landscape(fast=False)
    tol = 0 if loss == "zero-one" else 1e-12 * max(1.0, np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)
    rng = np.random.default_rng(0)
    for idx in rng.integers(0, got.size, 5):
        bits = (int(idx) >> np.arange(problem.num_variables)) & 1
        assert abs(got[idx] - reference.loss(problem, bits)) <= 1e-12 * max(1.0, abs(got[idx]))


def test_walks_longer_than_one_recompute_block_do_not_drift():
    # 16 inputs + bias: the output walk spans 2^16 > 2^12 steps; a hidden layer of 3 units on 4
    # inputs with biases: the first-layer walk spans 2^15 steps
    single = _single("bce", "sigmoid", True, n_train=12, downscale=4)
    assert single.num_variables == 17
    np.testing.assert_allclose(lk.compute(single.network, single.data.x_train, single.data.y_train),
                               single.landscape(fast=False), rtol=0, atol=1e-12)
    deep = ab.build_from_dict({"data": {"source": "perceptron", "n": 4, "alpha": 2.0},
                               "model": {"loss": "mse", "hidden": [{"width": 3, "bias": True, "activation": "tanh"}],
                                         "output": {"activation": "identity", "bias": True}}})
    assert deep.num_variables == 19
    got = lk.compute(deep.network, deep.data.x_train, deep.data.y_train)
    rng = np.random.default_rng(1)
    idx = np.concatenate([rng.integers(0, got.size, 2000), [got.size - 1]])
    bits = ((idx[:, None] >> np.arange(19)) & 1).astype(np.uint8)
    np.testing.assert_allclose(got[idx], deep.network.losses(bits, deep.data.x_train, deep.data.y_train),
                               rtol=0, atol=1e-12)


def test_unsupported_nets_are_refused():
    two_hidden = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
                                     "model": {"loss": "zero-one", "hidden": [{"width": 2}, {"width": 2}],
                                               "output": {"activation": "sign"}}})
    masked = ab.build(ab.load_spec("fawaz-meta-p1"))
    for problem in (two_hidden, masked):
        assert not lk.supports(problem.network)
        with pytest.raises(ValueError, match="not supported"):
            lk.compute(problem.network, problem.data.x_train, problem.data.y_train)
