"""Restriction: the fast evaluation equals the parent's forward pass; landscape, HUBO, readout QUBO."""
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.errors import TooLargeError, UsageError
from anneal_binn.model.architecture import index_to_bits
from anneal_binn.polynomial import dense_energies
from anneal_binn.selection import Restriction, SelectionProblem

from ._nets import OUTPUTS, net


def _free_sets(p, rng):
    """Free-bit sets of every kind: one layer's masks/weights/biases, neuron bits, mixtures (slow path)."""
    reg = p.register
    L = len(p.arch.layers)
    out = []
    for l in range(L):
        for arr in (reg.mask_index[l], reg.weight_index[l], reg.bias_index[l]):
            if arr is not None:
                out.append(rng.choice(np.ravel(arr), min(5, np.size(arr)), replace=False))
        if l > 0 and reg.neuron_index[l - 1] is not None:
            out.append(np.asarray(reg.neuron_index[l - 1]))
    out.append(rng.choice(p.num_variables, 6, replace=False))       # anything: often the slow path
    out.append(np.concatenate([reg.weight_index[-1][0, :2], reg.mask_index[-1][0, :2]]))  # same edges: slow path
    return out


@pytest.mark.parametrize("loss,out,classes", OUTPUTS)
def test_fast_evaluation_equals_the_parents_forward_pass(loss, out, classes):
    p = net(loss, out, hidden=((4, "sign"), (3, "relu")), hidden_mask=True, neuron_mask=True, classes=classes)
    rng = np.random.default_rng(0)
    fast_seen = False
    for free in _free_sets(p, rng):
        base = rng.integers(0, 2, p.num_variables).astype(np.uint8)
        r = Restriction(p, free, base)
        fast_seen |= r.fast
        bits = rng.integers(0, 2, (30, r.num_variables)).astype(np.uint8)
        for split in ("train", "test"):
            np.testing.assert_allclose(r.losses(bits, split), p.losses(r.embed(bits), split), atol=1e-10)
        if loss != "mse" and out != "identity":  # argmax ties of real-valued outputs may round either way
            np.testing.assert_array_equal(r.accuracy(bits), p.accuracy(r.embed(bits)))
    assert fast_seen


def test_landscape_and_hubo_are_exact_over_every_configuration():
    p = net("softmax-ce", "identity", hidden=((6, "sign"),), classes=(0, 1, 2))
    sel = SelectionProblem(p, weight_seed=3)
    r = sel.restriction(np.arange(10), sel.initial_state("random", 1))
    k = r.num_variables
    every = index_to_bits(np.arange(2**k), k)
    L = r.landscape()
    np.testing.assert_allclose(L, p.losses(r.embed(every)), atol=1e-10)
    np.testing.assert_allclose(dense_energies(r.to_hubo(), range(k)), L, atol=1e-9)
    assert r.exact().optimum == pytest.approx(L.min())


def test_single_output_row_kernel_matches_numpy_for_many_rows():
    # >= 64 rows take the compiled kernel (numba), fewer the numpy form: both equal the forward pass
    p = net("softmax-ce", "identity", hidden=((12, "sign"),), classes=(0, 1, 2), n_train=60)
    sel = SelectionProblem(p, weight_seed=0)
    r = sel.restriction(np.arange(12), sel.initial_state("random", 0))
    assert r._plan("train")._row_kernel is not None
    bits = index_to_bits(np.arange(2**12), 12)
    np.testing.assert_allclose(r.losses(bits), p.losses(r.embed(bits)), atol=1e-10)
    np.testing.assert_allclose(r.losses(bits[:5]), p.losses(r.embed(bits[:5])), atol=1e-10)


@pytest.mark.parametrize("over", ["edges", "neurons"])
def test_readout_qubo_equals_the_mse_objective(over):
    p = net("mse", "identity", hidden=((5, "sign"),), neuron_mask=True, classes=(0, 1, 2))
    sel = SelectionProblem(p, over=over, weight_seed=1, sparsity={"keep": 3, "constraint": "penalty", "strength": 0.2})
    r = sel.restriction(np.arange(min(sel.n, 9)), sel.initial_state("random", 2))
    bqm, rec = r.to_qubo(method="readout")
    assert rec.exact and len(bqm.variables) == r.num_variables  # no ancillas
    k = r.num_variables
    every = index_to_bits(np.arange(2**k), k)
    energies = bqm.energies((every, list(range(k))))
    np.testing.assert_allclose(energies, r.losses(every), atol=1e-10)


def test_readout_qubo_is_a_surrogate_for_other_losses_and_refuses_hidden_bits():
    p = net("bce", "sigmoid", hidden=((5, "sign"),), hidden_mask=True)
    sel = SelectionProblem(p, layers=[1], weight_seed=0)
    bqm, rec = sel.restriction().to_qubo(method="readout")
    assert not rec.exact and rec.scale > 0
    hidden = SelectionProblem(p, layers=[0], weight_seed=0)
    with pytest.raises(UsageError, match="output layer"):
        hidden.restriction().to_qubo(method="readout")


def test_bad_restrictions_are_refused():
    p = net()
    base = np.zeros(p.num_variables, dtype=np.uint8)
    with pytest.raises(UsageError, match="distinct"):
        Restriction(p, [1, 1], base)
    with pytest.raises(UsageError, match="lie in"):
        Restriction(p, [p.num_variables], base)
    r = Restriction(p, [0, 1], base)
    with pytest.raises(UsageError, match="not a restriction"):
        Restriction(r, [0], base[:2])
    with pytest.raises(UsageError, match="fourier"):
        r.to_hubo(method="symbolic")
    big = Restriction(p, np.arange(27), base)
    with pytest.raises(TooLargeError, match="27 bits"):
        big.landscape()


def test_a_restriction_is_an_ordinary_problem_for_the_pipeline():
    p = net()
    sel = SelectionProblem(p, weight_seed=0)
    r = sel.restriction()
    res = ab.run(r, solver="exact")
    assert res.report.best.loss == pytest.approx(r.exact().optimum)
    doc = res.to_dict()
    assert doc["num_variables"] == sel.n and doc["roles"] == {"mask": sel.n}
    net_ = r.decode(res.report.best.sample)
    assert net_.layers[-1].mask is not None
