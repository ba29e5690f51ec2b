"""Training: batched L-BFGS vs scipy, shot-based parameter shift, HUBO cost vectors, the fawaz landscapes."""
import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.gate.cost import cost_vector
from anneal_binn.gate.hypernetwork import train
from anneal_binn.gate.optimize import lbfgs_batched, lbfgs_scipy


def fawaz_landscape_by_hand(problem: int) -> np.ndarray:
    """Seed 003: 3-2-1 sign net, sign(0)=+1, 8 weights, number of misclassified points of {-1,+1}^3."""
    sign = lambda v: np.where(v >= 0, 1, -1)
    xs = np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)])
    y = sign(xs[:, 2] * xs[:, 0] + xs[:, 1]) if problem == 1 else sign(xs.sum(1))
    out = np.empty(256)
    for idx in range(256):
        w = 2 * ((idx >> np.arange(8)) & 1) - 1
        h = sign(xs @ w[:6].reshape(2, 3).T)
        out[idx] = (sign(h @ w[6:]) != y).sum()
    return out


@pytest.mark.parametrize("p", [1, 2])
def test_foundation_landscape_matches_seed_003_by_hand(p):
    L = ab.build(ab.load_spec(f"fawaz-p{p}")).landscape()
    mine = fawaz_landscape_by_hand(p)
    assert np.array_equal(L == 0, mine == 0)
    assert int((L == 0).sum()) == (8 if p == 1 else 4)  # seed 003: eight and four solutions


def test_cost_vector_binary_and_spin():
    poly = dimod.BinaryPolynomial({(0,): 1.0, (0, 2): -2.0, (1, 2, 0): 0.5, (): 0.25}, "BINARY")
    C = cost_vector(poly)
    for idx in range(8):
        s = {v: (idx >> v) & 1 for v in range(3)}
        assert np.isclose(C[idx], poly.energy(s))
    spin = poly.to_spin()
    Cs = cost_vector(spin)
    for idx in range(8):
        s = {v: 2 * ((idx >> v) & 1) - 1 for v in range(3)}
        assert np.isclose(Cs[idx], spin.energy(s))
    assert np.allclose(C, Cs)


def test_cost_vector_of_problem_hubo_is_the_landscape():
    problem = ab.build(ab.load_spec("fawaz-p1"))
    assert np.allclose(cost_vector(problem.to_hubo(), num_variables=8), problem.landscape(), atol=1e-9)


def test_batched_lbfgs_agrees_with_scipy_on_a_convex_problem():
    A = np.random.default_rng(0).normal(size=(6, 6))
    H = A @ A.T + np.eye(6)

    def fg(x):
        return 0.5 * np.einsum("bi,ij,bj->b", x, H, x) - x.sum(1), x @ H - 1.0

    x0 = np.random.default_rng(1).normal(size=(4, 6))
    a, b = lbfgs_batched(fg, x0), lbfgs_scipy(fg, x0)
    xstar = np.linalg.solve(H, np.ones(6))
    assert np.allclose(a.x, xstar, atol=1e-5) and np.allclose(b.x, xstar, atol=1e-5)
    assert a.converged.all()


def test_batched_lbfgs_rows_are_independent_and_every_call_carries_every_running_row():
    # nonconvex: rows need different numbers of iterations and backtracks
    calls = []

    def fg(x):
        calls.append(len(x))
        return (np.sin(3 * x) + x**2).sum(1), 3 * np.cos(3 * x) + 2 * x

    x0 = np.random.default_rng(2).normal(size=(7, 5)) * 2
    alone = [lbfgs_batched(fg, x0[r:r + 1], maxiter=60) for r in range(7)]
    calls.clear()
    batch = lbfgs_batched(fg, x0, maxiter=60)
    for r in range(7):
        assert np.array_equal(batch.x[r], alone[r].x[0])
        assert (batch.nfev[r], batch.nit[r]) == (alone[r].nfev[0], alone[r].nit[0])
        assert np.allclose(batch.trace[r, : batch.nit[r] + 1], alone[r].trace[0, : batch.nit[r] + 1])
    assert len(set(batch.nfev.tolist())) > 1 and (batch.nfev > batch.nit + 1).any()  # backtracks happened
    # not in lockstep: one call per evaluation of the longest row, each with every running row
    assert len(calls) == batch.nfev.max()
    assert sum(calls) == batch.nfev.sum()


def test_noise_aware_line_search_goes_below_the_energy_noise():
    # an ill-conditioned quadratic whose energies carry a deterministic 1e-7 "rounding" error and
    # whose gradients are exact: judged by energies the line searches stall at the noise; judged
    # by the gradients' trapezoid rule (exact on a quadratic) every step is the noise-free one
    h = np.logspace(0, -4, 10)
    x0 = np.random.default_rng(0).uniform(-2, 2, (6, 10))

    def true(x):
        return 0.5 * ((x - 1) ** 2 * h).sum(1)

    def noisy(x):
        return true(x) + 1e-7 * np.sin(1e7 * x.sum(1)), (x - 1) * h

    plain = lbfgs_batched(noisy, x0, maxiter=500)
    aware = lbfgs_batched(noisy, x0, maxiter=500, noise=2e-7)
    exact = lbfgs_batched(lambda x: (true(x), (x - 1) * h), x0, maxiter=500)
    assert np.array_equal(aware.nit, exact.nit) and np.allclose(aware.x, exact.x, rtol=0, atol=1e-12)
    assert true(aware.x).max() < 2e-9 < true(plain.x).min()
    # noise=0 is the plain line search, bit for bit
    assert np.array_equal(lbfgs_batched(noisy, x0, maxiter=500, noise=0.0).x, plain.x)


def test_hypernetwork_finds_fawaz_optimum_with_high_probability():
    L = ab.build(ab.load_spec("fawaz-p1")).landscape()
    res = train(L, layers=2, restarts=16, seed=0)
    assert np.mean(res.energies < 1e-6) >= 0.75
    bits = res.sample(100, seed=1)
    idx = (bits.astype(int) << np.arange(8)).sum(1)
    assert (L[idx] == 0).mean() > 0.99
    assert res.trace.shape[0] == 16 and np.all(np.diff(res.trace, axis=1) <= 1e-9)  # monotone L-BFGS


def test_train_is_deterministic():
    C = np.random.default_rng(3).normal(size=32)
    a, b = train(C, layers=1, restarts=3, seed=5), train(C, layers=1, restarts=3, seed=5)
    assert np.array_equal(a.theta, b.theta)


def test_parameter_shift_on_shots_trains():
    C = np.random.default_rng(2).normal(size=16)
    res = train(C, layers=0, restarts=1, gradient="parameter-shift", shots=500, maxiter=60, seed=0, learning_rate=0.1)
    assert res.settings["optimizer"] == "adam"
    assert res.energies[0] < np.sort(C)[1]  # better than the second-best configuration: concentrated on the optimum


def test_train_rejects_bad_options():
    with pytest.raises(ValueError, match="optimizer"):
        train(np.zeros(4), optimizer="newton")
    with pytest.raises(ValueError, match="shots"):
        train(np.zeros(4), gradient="parameter-shift", shots=0)
