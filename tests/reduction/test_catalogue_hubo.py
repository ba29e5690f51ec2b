"""Every catalogue spec's truncated Fourier HUBO (N <= 17), reduced by every method, stays exact."""
import functools
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.reduction import METHODS, reduce

from anneal_binn.spec import catalogue

SPECS = catalogue()
EXACT_N = 17
FAST_N = 8  # larger specs take 6 s (N=14) to minutes (N=17): marked slow


@functools.lru_cache(maxsize=None)
def problem(name):
    return ab.build(ab.load_spec(name))


def spec_params():
    """Specs whose exact Fourier HUBO exists at test cost (N <= 17, as in tests/test_catalogue.py)."""
    out = []
    for name in SPECS:
        n = problem(name).num_variables
        if n > EXACT_N:
            continue  # no exact landscape: these specs use the symbolic/auxiliary HUBO routes
        marks = [pytest.mark.slow] if n > FAST_N else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", spec_params())
def test_catalogue_truncated_hubo_reduces_exactly(name):
    pr = problem(name)
    hubo = pr.to_hubo(method="fourier", max_degree=4)
    n = pr.num_variables
    xs = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8)
    want = hubo.energies((xs, list(range(n))))
    for method in METHODS:
        bqm, red = reduce(hubo, method)
        # every assignment: the QUBO at the optimal ancillas is the HUBO
        full = red.expand(xs[:, [list(range(n)).index(v) for v in red.variables]])
        got = bqm.energies((full, list(red.variables) + list(red.ancilla_labels)))
        np.testing.assert_allclose(got, want, atol=1e-9 * (1 + np.abs(want).max()))
        # and nothing goes lower: exact minimisation when it fits, else descent checks on all x
        check = red.verify(max_exhaustive=14, num_samples=1000)
        assert check.ok, (name, method, check)
        if method in ("ishikawa", "freedman-drineas"):
            assert check.exact  # penalty-free gadget ancillas never couple: closed-form minimum


def test_catalogue_is_not_empty():
    assert {"fawaz-p1", "fawaz-p2"} <= set(SPECS)
