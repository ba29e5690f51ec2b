"""Global and local selection against brute force on tiny nets; descent never increases the loss."""
import itertools

import numpy as np
import pytest

from anneal_binn.model.architecture import index_to_bits
from anneal_binn.selection import SelectionProblem, partition, select_global, select_local

from ._nets import OUTPUTS, net


def brute_force(sel):
    """Objective of every selection, by the parent problem's own forward pass."""
    every = index_to_bits(np.arange(2**sel.n), sel.n)
    bits = np.repeat(sel.base[None], len(every), axis=0)
    bits[:, sel.index] = every
    return sel.problem.losses(bits)


@pytest.mark.parametrize("loss,out,classes", OUTPUTS)
def test_global_selection_finds_the_brute_force_optimum(loss, out, classes):
    sel = SelectionProblem(net(loss, out, hidden=((3, "sign"),), classes=classes), weight_seed=2)
    L = brute_force(sel)
    res = select_global(sel, solver="exact")
    assert res.objective == pytest.approx(L.min(), abs=1e-12)
    assert res.optimum == pytest.approx(L.min(), abs=1e-12) and res.gap == pytest.approx(0.0, abs=1e-12)
    assert res.largest_subproblem == sel.n and res.num_subproblems == 1


@pytest.mark.parametrize("over", ["edges", "neurons"])
def test_local_selection_with_one_block_is_global_and_small_blocks_end_at_a_block_optimum(over):
    p = net("softmax-ce", "identity", hidden=((6, "sign"),), neuron_mask=True, hidden_mask=True, classes=(0, 1, 2))
    layers = [1] if over == "edges" else [0]
    sel = SelectionProblem(p, over=over, layers=layers, weight_seed=0)
    L = brute_force(sel)
    whole = select_local(sel, solver="exact", partition="layer", block_size=sel.n, seed=0)
    assert whole.objective == pytest.approx(L.min(), abs=1e-12) and whole.gap == pytest.approx(0.0, abs=1e-12)
    res = select_local(sel, solver="exact", partition="neuron", block_size=2, seed=1)
    assert res.converged and res.largest_subproblem <= 2
    # converged: no block has a better configuration with the others held (brute force per block)
    blocks = partition(sel.roles(), "neuron", 2)
    for block in blocks:
        for values in itertools.product([0, 1], repeat=len(block)):
            s = res.state.copy()
            s[block] = values
            assert sel.objective(s) >= res.objective - 1e-9
    assert res.gap >= -1e-12


@pytest.mark.parametrize("seed", range(4))
def test_local_descent_never_increases_the_objective(seed):
    p = net("bce", "sigmoid", hidden=((8, "sign"),), hidden_mask=True)
    sel = SelectionProblem(p, weight_seed=seed)   # both layers' edges: 8*16 + 8 bits
    trace = []
    res = select_local(sel, solver="exact", partition="neuron", block_size=4, seed=seed, max_sweeps=5,
                       on_sweep=trace.append)
    objectives = [h["objective"] for h in res.history]
    assert all(b <= a + 1e-12 for a, b in zip(objectives, objectives[1:]))
    assert [h["objective"] for h in trace] == objectives[1:]
    # a heuristic solver's worse answers are rejected too
    res = select_local(sel, solver="hubo-sa", partition="neuron", block_size=4, seed=seed, max_sweeps=2,
                       num_reads=1, params={"num_sweeps": 2})
    objectives = [h["objective"] for h in res.history]
    assert all(b <= a + 1e-12 for a, b in zip(objectives, objectives[1:]))


def test_results_are_deterministic():
    sel = SelectionProblem(net("softmax-ce", "softmax", hidden=((5, "sign"),), classes=(0, 1, 2)), weight_seed=4)
    a = select_local(sel, solver="hubo-sa", block_size=3, seed=7, num_reads=4)
    b = select_local(sel, solver="hubo-sa", block_size=3, seed=7, num_reads=4)
    assert np.array_equal(a.state, b.state) and a.objective == b.objective
    assert [h["objective"] for h in a.history] == [h["objective"] for h in b.history]
    g1 = select_global(sel, solver="loss-sa", seed=3, num_reads=2, params={"num_sweeps": 30})
    g2 = select_global(sel, solver="loss-sa", seed=3, num_reads=2, params={"num_sweeps": 30})
    assert np.array_equal(g1.state, g2.state)
    # the same weight seed gives the same weights, another seed other weights
    assert np.array_equal(SelectionProblem(sel.problem, weight_seed=4).base, sel.base)
    assert not np.array_equal(SelectionProblem(sel.problem, weight_seed=5).base, sel.base)


def test_loss_annealers_flip_only_the_selection_bits():
    sel = SelectionProblem(net("softmax-ce", "identity", hidden=((5, "sign"),), classes=(0, 1, 2)), weight_seed=0)
    r = sel.restriction()
    from anneal_binn import solve

    for name in ("loss-sa", "loss-sqa", "loss-replicated"):
        ss = solve(r, solver=name, seed=0, num_reads=2, num_sweeps=40)
        rows = r.sample_bits(ss)
        assert rows.shape == (2, sel.n)
        np.testing.assert_allclose(ss.record.loss, r.losses(rows), atol=1e-10)
        np.testing.assert_allclose(ss.record.energy, r.losses(rows), atol=1e-9)
    res = select_global(sel, solver="loss-sa", seed=0, num_reads=4, params={"num_sweeps": 200})
    assert res.gap == pytest.approx(0.0, abs=1e-9)  # 15 bits: the annealer reaches the enumerated optimum


def test_blocks_cover_every_bit_once_and_respect_the_size():
    sel = SelectionProblem(net(hidden=((7, "sign"),), hidden_mask=True), weight_seed=0)
    for how in ("neuron", "layer", "block"):
        for size in (1, 3, 5, 20):
            blocks = partition(sel.roles(), how, size)
            allpos = np.sort(np.concatenate(blocks))
            assert np.array_equal(allpos, np.arange(sel.n)) and max(len(b) for b in blocks) <= size
