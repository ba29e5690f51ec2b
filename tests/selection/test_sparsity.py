"""The sparsity target: the exact k-of-n constraint is exact, the penalty is what it says."""
import numpy as np
import pytest

from anneal_binn.errors import UsageError
from anneal_binn.model.architecture import index_to_bits
from anneal_binn.selection import SelectionProblem, select_global, select_local

from ._nets import net


def _every(sel):
    every = index_to_bits(np.arange(2**sel.n), sel.n)
    bits = np.repeat(sel.base[None], len(every), axis=0)
    bits[:, sel.index] = every
    return every, sel.problem.losses(bits)


@pytest.mark.parametrize("keep", [1, 4, 7])
def test_exact_constraint_gives_the_best_feasible_selection(keep):
    sel = SelectionProblem(net("softmax-ce", "identity", hidden=((4, "sign"),), classes=(0, 1, 2)), weight_seed=1,
                           sparsity={"keep": keep, "constraint": "exact"})
    every, L = _every(sel)
    feasible = every.sum(axis=1) == keep
    best = L[feasible].min()
    res = select_global(sel, solver="exact")
    assert res.kept == keep and res.objective == pytest.approx(best, abs=1e-12)
    assert res.optimum == pytest.approx(best, abs=1e-12)
    # every configuration of the landscape: infeasible ones cost more than every feasible one
    r = sel.restriction()
    land = r.landscape()
    assert land[~feasible].min() > land[feasible].max()
    # through a QUBO solver too (the reduced HUBO) and the readout QUBO's own weight
    for kw in ({"solver": "sa", "num_reads": 50}, {"solver": "tabu", "num_reads": 4, "qubo": {"method": "readout"}}):
        assert select_global(sel, seed=0, **kw).kept == keep


def test_local_selection_keeps_the_count_exactly_at_every_step():
    sel = SelectionProblem(net("bce", "sigmoid", hidden=((10, "sign"),)), weight_seed=0,
                           sparsity={"keep": 0.3, "constraint": "exact"})
    assert sel.sparsity.keep == 3
    res = select_local(sel, solver="exact", block_size=4, seed=0, max_sweeps=6)
    assert all(h["kept"] == 3 for h in res.history) and res.kept == 3
    every, L = _every(sel)
    assert res.objective >= L[every.sum(axis=1) == 3].min() - 1e-12


def test_penalty_adds_strength_times_squared_deviation():
    sel = SelectionProblem(net(hidden=((6, "sign"),)), weight_seed=0,
                           sparsity={"keep": 2, "constraint": "penalty", "strength": 0.25})
    r = sel.restriction()
    bits = index_to_bits(np.arange(2**sel.n), sel.n)
    dev = bits.sum(axis=1) - 2
    np.testing.assert_allclose(r.losses(bits) - r.network_losses(bits), 0.25 * dev**2, atol=1e-12)
    res = select_global(sel, solver="exact")
    assert res.objective == pytest.approx(res.loss + 0.25 * (res.kept - 2) ** 2)


def test_sparsity_errors():
    p = net(hidden=((6, "sign"),))
    with pytest.raises(UsageError, match="strength"):
        SelectionProblem(p, sparsity={"keep": 2, "constraint": "penalty"})
    with pytest.raises(UsageError, match="keep"):
        SelectionProblem(p, sparsity={"keep": 9})
    with pytest.raises(UsageError, match="constraint"):
        SelectionProblem(p, sparsity={"keep": 2, "constraint": "soft"})
    sel = SelectionProblem(p, sparsity={"keep": 2})
    with pytest.raises(UsageError, match="sparsity"):
        select_global(sel, solver="loss-sa")
    with pytest.raises(UsageError, match="keeps"):
        select_local(sel, init=np.ones(6, dtype=np.uint8))
