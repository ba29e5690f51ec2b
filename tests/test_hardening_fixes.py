"""Regression tests for wrong results and crashes found in review, one section per item.

Each test fails on the commit before its fix (checked by hand when the fix went in).
"""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.model.losses import mse, predict, softmax_ce, zero_one


# -- item 3: two output units on a binary (±1) task -------------------------------------------

def _two_output_problem(loss, activation, problem=2):
    return ab.build_from_dict({"data": {"source": "fawaz", "problem": problem},
                               "model": {"loss": loss, "hidden": [{"width": 2, "bias": False}],
                                         "output": {"activation": activation, "width": 2, "bias": True}}})


def test_softmax_ce_reads_pm1_labels_as_class_indices():
    # one configuration, two samples: the logits favour class 0 for y = -1 and class 1 for y = +1
    z = np.array([[[5.0, -5.0], [-5.0, 5.0]]])
    y = np.array([-1, 1])
    loss = softmax_ce(z, None, y, "softmax")
    # both predictions are right, so both losses are log(1 + e^-10), not 10 + log(1 + e^-10)
    np.testing.assert_allclose(loss, np.log1p(np.exp(-10.0)) * np.ones((1, 2)), rtol=1e-12)
    # the same logits with the labels swapped are both wrong
    assert np.all(softmax_ce(z, None, -y, "softmax") > 10.0)


def test_mse_and_zero_one_with_two_outputs_use_the_label_classes():
    out = np.array([[[1.0, -1.0], [-1.0, 1.0]]])
    y = np.array([-1, 1])
    assert mse(out, out, y, "tanh").tolist() == [[0.0, 0.0]]
    assert mse(out, out, -y, "tanh").tolist() == [[4.0, 4.0]]
    assert predict(out, "tanh").tolist() == [[-1, 1]]
    assert zero_one(out, out, y, "tanh").tolist() == [[0.0, 0.0]]


def test_class_index_maps_binary_labels_and_keeps_multiclass_indices():
    from anneal_binn.model.losses import class_index

    assert class_index(np.array([-1, 1]), 2).tolist() == [0, 1]
    assert class_index(np.array([0, 1]), 2).tolist() == [0, 1]
    assert class_index(np.array([0, 2, 1]), 3).tolist() == [0, 2, 1]


@pytest.mark.parametrize("loss,activation", [("softmax-ce", "softmax"), ("mse", "tanh"), ("zero-one", "sign")])
def test_two_output_net_on_pm1_labels_trains_to_full_accuracy(loss, activation):
    # y = sign(x1 + x2 + x3) is learnable by this net; before the fix the loss minimum had 50 %
    # (or 0 %) accuracy because every label trained towards class 1
    problem = _two_output_problem(loss, activation)
    landscape = problem.landscape()
    best = int(np.argmin(landscape))
    bits = ((best >> np.arange(problem.num_variables)) & 1).astype(np.uint8)[None]
    assert problem.accuracy(bits)[0] == 1.0
    if loss == "zero-one":
        assert landscape.min() == 0.0
