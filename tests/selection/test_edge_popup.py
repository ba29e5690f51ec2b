"""edge-popup: the top-k mask, straight-through training, on the selection's own weights."""
import itertools

import numpy as np
import pytest

from anneal_binn.errors import UsageError
from anneal_binn.selection import SelectionProblem, edge_popup
from anneal_binn.selection.edge_popup import _topk

from ._nets import net


def test_topk_keeps_the_largest_magnitudes():
    s = np.array([[0.1, -3.0, 0.5], [2.0, -0.2, 0.0]])
    assert _topk(s, 2).tolist() == [[0, 1, 0], [1, 0, 0]]


def test_edge_popup_learns_the_useful_edges_of_a_toy_readout():
    # 1 vs 7 at 4x4 with 12 random sign features: edge-popup's 50% subnetwork, against all 924 of them
    sel = SelectionProblem(net("bce", "sigmoid", hidden=((12, "sign"),), n_train=200, downscale=4), weight_seed=0)
    res = edge_popup(sel, keep=0.5, epochs=60, seed=0)
    assert res.kept == 6 and res.method == "edge-popup" and res.largest_subproblem == 0
    losses = []
    for keep in itertools.combinations(range(12), 6):
        s = np.zeros(12, dtype=np.uint8)
        s[list(keep)] = 1
        losses.append(sel.evaluate(s)["loss"])
    losses = np.sort(losses)
    assert res.loss <= losses[len(losses) // 10]       # among the best 10% of the 924 half-subnetworks
    assert res.train > 0.8
    assert res.history[-1]["batch_loss"] < res.history[0]["batch_loss"]


def test_edge_popup_is_deterministic_and_scores_every_selected_layer():
    sel = SelectionProblem(net("softmax-ce", "softmax", hidden=((5, "relu"),), hidden_mask=True, classes=(0, 1, 2)),
                           weight_seed=0)
    a = edge_popup(sel, keep=0.4, epochs=5, seed=3)
    b = edge_popup(sel, keep=0.4, epochs=5, seed=3)
    assert np.array_equal(a.state, b.state)
    sizes = [sel.problem.register.mask_index[l].size for l in sel.layers]
    assert a.kept == sum(round(0.4 * s) for s in sizes)


def test_edge_popup_refuses_neurons_and_bad_options():
    p = net(neuron_mask=True)
    with pytest.raises(UsageError, match="edges"):
        edge_popup(SelectionProblem(p, over="neurons"))
    sel = SelectionProblem(p)
    with pytest.raises(UsageError, match="keep"):
        edge_popup(sel, keep=1.5)
    with pytest.raises(UsageError, match="epochs"):
        edge_popup(sel, epochs=0)
