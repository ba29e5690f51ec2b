"""Tensor-network annealing: the digitized protocol, cost MPOs built from the model, exact
expected energies, truncation as a probability, and MPS = state vector at large bond dimension."""
import dimod
import numpy as np
import pytest
import scipy.linalg as sl

import anneal_binn as ab
from anneal_binn.errors import TooLargeError
from anneal_binn.solvers.loss_anneal import hinge_energy
from anneal_binn.solvers.mps_qa import MPSAnnealer
from anneal_binn.solvers.schedule import Digitized, protocol
from anneal_binn.solvers.statevector_qa import StatevectorAnnealer, memory_needed
from anneal_binn.tensor_network import MPS, StabilityCost, dense_diagonal, zstring_tt
from anneal_binn.tensor_network import reference as ref
from anneal_binn.tensor_network.mpo import phase_tt_dense, phase_tt_from_terms
from anneal_binn.testing import random_hubo


def _bits(n):
    return ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.int8)


def _patterns(m, n, seed):
    return np.random.default_rng(seed).choice([-1, 1], size=(m, n))


# -- cost MPOs --------------------------------------------------------------------------------
def test_counter_mpo_is_the_phase_of_each_pattern_and_its_bond_stays_small():
    n = 9
    cost = StabilityCost.perceptron(_patterns(4, n, 0))
    E_mu = np.maximum(-(2 * _bits(n) - 1) @ cost.coefficients.T, 0) / np.sqrt(n)
    for mu in range(4):
        np.testing.assert_allclose(dense_diagonal(cost.stability_mpo.mpo(mu, 0.7)), np.exp(-0.7j * E_mu[:, mu]), atol=1e-13)
    big = StabilityCost.perceptron(_patterns(1, 21, 1)).stability_mpo
    assert max(big.bond_dimensions(0)) <= 12  # ~ min(j, N - j) + 1, not the N + 1 of a plain counter


def test_stability_cost_from_problem_equals_the_problems_own_energies():
    for loss, act, bias in (("zero-one", "sign", False), ("mse", "tanh", True), ("bce", "sigmoid", True)):
        p = ab.build_from_dict({"data": {"source": "perceptron", "n": 6, "alpha": 0.7},
                                "model": {"loss": loss, "output": {"bias": bias, "activation": act}}})
        bits = _bits(p.num_variables)
        np.testing.assert_allclose(StabilityCost.from_problem(p, "loss").energies(bits), p.losses(bits), atol=1e-12)
        if act == "sign":
            np.testing.assert_allclose(StabilityCost.from_problem(p, "hinge").energies(bits), hinge_energy(p, bits), atol=1e-12)
    deep = ab.build_from_dict({"data": {"source": "perceptron", "n": 4, "alpha": 0.5},
                               "model": {"loss": "zero-one", "hidden": [{"width": 2}], "output": {"activation": "sign"}}})
    with pytest.raises(ValueError, match="one layer"):
        StabilityCost.from_problem(deep)


def test_hubo_tensor_trains_equal_the_dense_diagonal():
    n = 8
    poly = random_hubo(n, num_terms=30, max_degree=4, vartype="SPIN", seed=5)
    from anneal_binn.tensor_network import PolynomialCost

    cost = PolynomialCost(poly, sorted(poly.variables))
    E = cost.dense_energies()
    np.testing.assert_allclose(dense_diagonal(zstring_tt(cost.terms, n, cost.constant)).real, E, atol=1e-10)
    phase = np.exp(-0.4j * (E - cost.constant))
    np.testing.assert_allclose(dense_diagonal(phase_tt_dense(E - cost.constant, n, 0.4)), phase, atol=1e-8)
    np.testing.assert_allclose(dense_diagonal(phase_tt_from_terms(cost.terms, n, 0.4)), phase, atol=1e-8)


# -- the digitized protocol -------------------------------------------------------------------
def test_digitized_layers_are_the_published_protocol():
    d = Digitized(4, 0.5)
    np.testing.assert_allclose(d.gammas, [0.125, 0.25, 0.375, 0.5])
    np.testing.assert_allclose(d.betas, [0.375, 0.25, 0.125, 0.0])
    layers = protocol({"schedule": "digitized", "num_steps": 4, "time_step": 0.5}).layers
    assert [k for k, _ in layers] == ["z", "x"] * 3 + ["z"]  # no rotation after the last cost layer
    same = protocol({"schedule": "digitized", "num_steps": 4, "annealing_time": 2.0})
    assert same.layers == layers and same.auto_scale is False


@pytest.mark.parametrize("opts,match", [
    ({"schedule": "digitized", "num_steps": 0, "time_step": 0.5}, "num_steps"),
    ({"schedule": "digitized", "num_steps": 3}, "time_step"),
    ({"schedule": "digitized", "num_steps": 3, "time_step": -1.0}, "time_step"),
    ({"schedule": "digitized", "num_steps": 3, "time_step": float("nan")}, "time_step"),
    ({"schedule": "digitized", "num_steps": 3, "time_step": 0.5, "annealing_time": 2.0}, "annealing_time"),
    ({"schedule": "digitized", "time_step": 0.5, "anneal_schedule": [(0, 0), (1, 1)]}, "anneal_schedule"),
    ({"schedule": Digitized(3, 0.5), "num_steps": 3}, "Digitized"),
    ({"time_step": 0.5}, "time_step"),
    ({"num_steps": 2.5}, "num_steps"),
])
def test_bad_schedule_input_is_refused(opts, match):
    with pytest.raises(ValueError, match=match):
        protocol(opts)


def test_bad_simulator_input_is_refused():
    poly = dimod.BinaryPolynomial({(0, 1): 1.0}, "SPIN")
    dig = {"schedule": "digitized", "num_steps": 3, "time_step": 0.5}
    with pytest.raises(ValueError, match="method"):
        StatevectorAnnealer().sample_poly(poly, method="expm", **dig)
    with pytest.raises(ValueError, match="compute_gap"):
        StatevectorAnnealer().sample_poly(poly, compute_gap=True, **dig)
    with pytest.raises(ValueError, match="initial_state"):
        MPSAnnealer().sample_poly(poly, initial_state=[1, 1], **dig)
    with pytest.raises(ValueError, match="max_bond"):
        MPSAnnealer().sample_poly(poly, max_bond=0, **dig)
    with pytest.raises(ValueError, match="cost_mpo"):
        MPSAnnealer().sample_poly(poly, cost_mpo="fourier", **dig)
    with pytest.raises(ValueError, match="zip_bond"):
        MPSAnnealer().sample_poly(poly, max_bond=8, zip_bond=4, **dig)
    with pytest.raises(ValueError, match="cost_mpo"):
        MPSAnnealer().sample_cost(StabilityCost.perceptron(_patterns(2, 3, 0)), cost_mpo="dense", **dig)


def test_digitized_statevector_matches_a_dense_expm_reference():
    n, P, dt = 4, 7, 0.9
    cost = StabilityCost.perceptron(_patterns(3, n, 4))
    E = cost.dense_energies()
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    Hx = -sum(np.kron(np.kron(np.eye(2 ** (n - 1 - i)), X), np.eye(2**i)) for i in range(n))
    psi = np.full(1 << n, 2 ** (-n / 2), dtype=complex)
    for p in range(1, P + 1):
        psi = sl.expm(-1j * (p / P) * dt * np.diag(E)) @ psi
        psi = sl.expm(-1j * (1 - p / P) * dt * Hx) @ psi
    want = float(np.abs(psi) ** 2 @ E)
    kw = {"schedule": "digitized", "num_steps": P, "time_step": dt, "num_reads": 2, "seed": 0}
    assert StatevectorAnnealer().sample_cost(cost, **kw).info["expected_energy"] == pytest.approx(want, abs=1e-12)
    assert MPSAnnealer().sample_cost(cost, max_bond=8, **kw).info["expected_energy"] == pytest.approx(want, abs=1e-10)


# -- MPS = state vector, reports -----------------------------------------------------------------
def test_mps_at_large_bond_equals_statevector_on_the_perceptron():
    cost = StabilityCost.perceptron(_patterns(6, 10, 3))
    kw = {"schedule": "digitized", "num_steps": 8, "time_step": 0.8, "num_reads": 5, "seed": 0}
    sv = StatevectorAnnealer().sample_cost(cost, **kw)
    mps = MPSAnnealer().sample_cost(cost, max_bond=32, **kw)
    assert mps.info["expected_energy"] == pytest.approx(sv.info["expected_energy"], abs=1e-6)
    assert mps.info["ground_state_probability"] == pytest.approx(sv.info["ground_state_probability"], abs=1e-6)
    assert 0.0 <= mps.info["truncation_error"] < 1e-8 and sv.info["truncation_error"] == 0.0


@pytest.mark.parametrize("route", ["dense", "terms", "product"])
@pytest.mark.parametrize("schedule", ["digitized", "linear"])
def test_mps_hubo_routes_equal_statevector(route, schedule):
    poly = random_hubo(7, num_terms=18, max_degree=3, vartype="BINARY", seed=11)
    kw = ({"schedule": "digitized", "num_steps": 6, "time_step": 0.6} if schedule == "digitized"
          else {"annealing_time": 3.0, "num_steps": 6})
    sv = StatevectorAnnealer().sample_poly(poly, method="trotter", num_reads=3, seed=0, **kw)
    mps = MPSAnnealer().sample_poly(poly, max_bond=16, cost_mpo=route, num_reads=3, seed=0, **kw)
    assert mps.info["expected_energy"] == pytest.approx(sv.info["expected_energy"], abs=1e-6)
    assert mps.info["ground_state_probability"] == pytest.approx(sv.info["ground_state_probability"], abs=1e-6)


def test_counter_mpo_applied_by_quimb_gives_our_state():
    from anneal_binn.tensor_network.mps import diagonal_mpo_to_quimb, to_quimb

    cost = StabilityCost.perceptron(_patterns(3, 8, 2))
    psi = MPS.product(np.full((8, 2), 2**-0.5))
    for mu in range(3):
        psi.apply_diagonal_mpo(cost.stability_mpo.mpo(mu, 0.9), 16)
        psi.apply_x_rotation(0.4)
    q = to_quimb(MPS.product(np.full((8, 2), 2**-0.5)))
    X = np.array([[np.cos(0.4), 1j * np.sin(0.4)], [1j * np.sin(0.4), np.cos(0.4)]])
    for mu in range(3):
        q = diagonal_mpo_to_quimb(cost.stability_mpo.mpo(mu, 0.9)).apply(q)
        for j in range(8):
            q.gate_(X, j)
    dense_q = q.to_dense().ravel()  # quimb: site 0 is the most significant bit
    ours = psi.to_dense().reshape([2] * 8).transpose(range(7, -1, -1)).ravel()
    assert abs(abs(np.vdot(dense_q, ours)) - 1) < 1e-10


def test_truncation_is_a_probability_per_run():
    cost = StabilityCost.perceptron(_patterns(8, 12, 7))
    kw = {"schedule": "digitized", "num_steps": 10, "time_step": 1.0, "num_reads": 5, "seed": 0}
    small = MPSAnnealer().sample_cost(cost, max_bond=2, **kw).info["truncation_error"]
    again = MPSAnnealer().sample_cost(cost, max_bond=2, **kw).info["truncation_error"]
    assert 1e-4 < small <= 1.0 and small == again  # per run: not carried over between calls


def test_expected_energy_is_exact_not_a_sample_mean():
    cost = StabilityCost.perceptron(_patterns(5, 8, 9))
    ss = MPSAnnealer().sample_cost(cost, schedule="digitized", num_steps=5, time_step=1.0, max_bond=4, num_reads=3, seed=0)
    # rebuild the final state and weigh every configuration's energy by its probability
    psi = MPS.product(np.full((8, 2), 2**-0.5))
    for kind, angle in protocol({"schedule": "digitized", "num_steps": 5, "time_step": 1.0}).layers:
        if kind == "x":
            psi.apply_x_rotation(angle)
        else:
            for W in cost.cost_layers(angle):
                psi.apply_diagonal_mpo(W, 4)
    p = np.abs(psi.to_dense()) ** 2
    assert ss.info["expected_energy"] == pytest.approx(float(p / p.sum() @ cost.dense_energies()), abs=1e-12)


def test_statevector_size_limit_is_memory_by_method():
    assert memory_needed(21, "trotter") < 2**30 < memory_needed(21, "expm") < 8 * 2**30
    sv = StatevectorAnnealer()
    sv._check_size(21, "trotter")
    sv._check_size(21, "expm")
    with pytest.raises(TooLargeError, match="GiB"):
        sv._check_size(30, "trotter")
    with pytest.raises(TooLargeError, match="3 variables"):
        StatevectorAnnealer(max_variables=3)._check_size(4, "trotter")


def test_published_reference_values():
    dt, eps = ref.curve("paper_mps", 1000)
    assert dt[0] == 0.1 and dt[-1] == 2.2 and eps[dt == 1.4][0] == pytest.approx(5.01e-5)
    assert ref.at("paper_ed", 100, 0.2) == pytest.approx(0.024, abs=0.001)
    with pytest.raises(ValueError, match="no published curve"):
        ref.curve("paper_mps", 10)


@pytest.mark.slow
def test_statevector_runs_the_published_size():
    cost = StabilityCost.perceptron(_patterns(17, 21, 0))
    ss = StatevectorAnnealer().sample_cost(cost, schedule="digitized", num_steps=2, time_step=0.5, num_reads=3, seed=0)
    assert ss.info["expected_energy"] > 0 and len(ss.variables) == 21
