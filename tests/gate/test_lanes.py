"""Lane-batched kernels: every row equals its own one-state evaluation, finite differences, float32 error."""
import numpy as np
import pytest

from anneal_binn.gate.circuits import Ansatz
from anneal_binn.gate.hypernetwork import train
from anneal_binn.gate.statevector import (
    SINGLE_ENERGY_ERROR,
    StatevectorModel,
    _lane_layout,
    lane_energy_and_gradient,
    probabilities,
)


@pytest.mark.parametrize("n,layers", [(2, 2), (5, 2), (9, 3), (11, 2)])
def test_batched_lanes_equal_one_state_kernels_row_by_row(n, layers):
    # 37 rows: three groups of 16 lanes with padding; the row kernels run each row alone
    a = Ansatz(n, layers)
    C = np.random.default_rng(n).normal(size=2**n)
    theta = a.random_parameters(37, seed=n)
    rows = StatevectorModel(a, C, product_contraction=False)
    lanes = StatevectorModel(a, C, kernel="lanes")
    E, G = lanes.energy_and_gradient(theta)
    for b in (0, 15, 16, 36):
        e, g = rows.energy_and_gradient(theta[b])
        assert abs(E[b] - e[0]) <= 1e-12 and np.abs(G[b] - g[0]).max() <= 1e-12
    assert np.allclose(E, probabilities(a, theta) @ C, rtol=0, atol=1e-12)
    assert np.array_equal(lanes.energy(theta), E)
    # a row's numbers do not depend on the rows beside it or on the batch size
    E3, G3 = lanes.energy_and_gradient(theta[[36, 0, 5]])
    assert np.array_equal(E3, E[[36, 0, 5]]) and np.array_equal(G3, G[[36, 0, 5]])


def test_lane_gradient_matches_finite_differences():
    a = Ansatz(6, 2)
    m = StatevectorModel(a, np.random.default_rng(3).normal(size=64), kernel="lanes")
    theta = a.random_parameters(2, seed=4)
    _, G = m.energy_and_gradient(theta)
    h = 1e-6
    fd = np.stack([(m.energy(theta + h * e) - m.energy(theta - h * e)) / (2 * h) for e in np.eye(a.num_parameters)], 1)
    assert np.abs(G - fd).max() <= 1e-7


@pytest.mark.parametrize("n", [8, 13])
def test_single_precision_error_is_within_its_stated_bound(n):
    a = Ansatz(n, 2)
    C = np.random.default_rng(n).uniform(0.0, 1.0, size=2**n)
    theta = a.random_parameters(20, seed=1)
    E64, G64 = StatevectorModel(a, C).energy_and_gradient(theta)
    E32, G32 = StatevectorModel(a, C, precision="single").energy_and_gradient(theta)
    assert 0 < np.abs(E32 - E64).max() <= SINGLE_ENERGY_ERROR * np.abs(C).max()
    assert np.abs(G32 - G64).max() <= 10 * SINGLE_ENERGY_ERROR * np.abs(C).max()


def test_layout_does_not_depend_on_threads_and_fits_memory():
    lanes, groups, low_bits, tile = _lane_layout(17, 200, 4)
    assert lanes % 16 == 0 and lanes * groups >= 200 and groups >= 2
    assert 4 * 2**17 * lanes * 4 <= 256 * 2**20 + 16 * 2**17 * 16
    assert (low_bits, tile) == (8, 1)  # chunks of 256 rows; high-qubit tiles of 1 x 2**9 rows
    assert _lane_layout(12, 5, 8)[2:] == (8, 16)  # tiles of 16 x 2**4 rows
    assert _lane_layout(20, 200, 8)[0] == 16  # 2**20 amplitudes: narrow rows
    assert _lane_layout(17, 3, 4)[:2] == (16, 1)  # a narrow batch: one group, padded to 16 lanes


def test_bad_precision_and_kernel_are_refused():
    a = Ansatz(3, 2)
    with pytest.raises(ValueError, match="precision"):
        StatevectorModel(a, np.zeros(8), precision="half")
    with pytest.raises(ValueError, match="kernel"):
        StatevectorModel(a, np.zeros(8), kernel="gpu")
    with pytest.raises(ValueError, match="precision"):
        train(np.zeros(8), layers=2, restarts=1, precision="quad")
    with pytest.raises(ValueError, match="precision"):
        lane_energy_and_gradient(a, np.zeros(8), a.random_parameters(1, seed=0), precision="half")


def test_training_reaches_the_optima_of_the_one_state_kernels():
    # same initializations through the old path (row kernels, double), the lane kernels in
    # double, single precision (float32 states, line searches that judge steps below the
    # energies' rounding by the gradients) and mixed (single, then double): the same optima
    from anneal_binn.gate.optimize import lbfgs_batched

    C = np.random.default_rng(7).uniform(0.0, 1.0, size=2**7)
    a = Ansatz(7, 2)
    theta0 = a.random_parameters(10, seed=8)
    old = lbfgs_batched(StatevectorModel(a, C, kernel="rows").energy_and_gradient, theta0, maxiter=300)
    new = train(C, layers=2, theta0=theta0, maxiter=300)
    mixed = train(C, layers=2, theta0=theta0, maxiter=300, precision="mixed")
    single = train(C, layers=2, theta0=theta0, maxiter=300, precision="single")
    assert np.abs(single.energies - old.fun).max() <= 1e-6
    assert np.array_equal(new.energies, train(C, layers=2, theta0=theta0, maxiter=300).energies)
    assert np.abs(new.energies - old.fun).max() <= 1e-8
    assert np.abs(mixed.energies - old.fun).max() <= 1e-6
    assert mixed.settings["precision"] == "mixed"
    np.testing.assert_allclose(mixed.trace[:, 0], probabilities(a, theta0) @ C, rtol=0, atol=1e-6)
