"""The hypernet PolySampler, the MPS path, the experiments and the CLI."""
import json

import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.gate.circuits import Ansatz, indices_of_bits
from anneal_binn.gate.experiments import depth_study, mps_sampling_study, mutual_hamming, overfitting_study
from anneal_binn.gate.mps import MPSHypernetwork, loss_from_cost, loss_from_polynomial
from anneal_binn.gate.statevector import statevectors


def test_hypernet_conformance():
    from anneal_binn.testing import check_solver

    check_solver("hypernet", layers=1, restarts=2, maxiter=30)


def test_hypernet_on_fawaz_returns_optimal_nets():
    problem = ab.build(ab.load_spec("fawaz-p1"))
    ss = ab.solvers.get("hypernet", layers=2, restarts=8, shots=200, seed=0).sample_poly(
        problem.to_hubo(), landscape=problem.landscape())
    assert list(ss.variables) == list(range(8)) and ss.vartype is dimod.BINARY
    assert int(ss.record.num_occurrences.sum()) == 200
    assert ss.first.energy == 0.0
    assert ss.info["theta"].shape == (Ansatz(8, 2).num_parameters,) and ss.info["trace"].ndim == 1
    rep = problem.evaluate(ss)
    assert rep.best.loss == 0.0


def test_mps_matches_statevector():
    a = Ansatz(5, 2)
    C = np.random.default_rng(0).normal(size=32)
    h = MPSHypernetwork(a, loss_from_cost(C), shots=4000, seed=1)
    x, y = a.random_parameters(2, seed=3)
    psi = statevectors(a, np.stack([x, y]))
    assert np.isclose(h.fidelity(x, y), abs(np.vdot(psi[1], psi[0])) ** 2, atol=1e-9)
    freq = np.bincount(indices_of_bits(h.sample(x)), minlength=32) / 4000
    assert np.abs(freq - np.abs(psi[0]) ** 2).max() < 0.03
    assert np.array_equal(MPSHypernetwork(a, loss_from_cost(C), shots=50, seed=9).sample(x),
                          MPSHypernetwork(a, loss_from_cost(C), shots=50, seed=9).sample(x))


def test_loss_from_polynomial_spin_and_binary():
    poly = dimod.BinaryPolynomial({(0, 1): 2.0, (2,): -1.0, (): 0.5}, "SPIN")
    bits = np.array([[1, 0, 1], [1, 1, 0]], dtype=np.uint8)
    want = [poly.energy({i: 2 * int(b) - 1 for i, b in enumerate(r)}) for r in bits]
    assert np.allclose(loss_from_polynomial(poly)(bits), want)


@pytest.mark.parametrize("optimizer", ["spsa", "qnspsa"])
def test_mps_training_improves(optimizer):
    C = np.array([3.0, 2.0, 2.0, 0.0])
    h = MPSHypernetwork(Ansatz(2, 0), loss_from_cost(C), shots=100, seed=0)
    theta0 = np.full(4, 0.3)
    res = h.train(theta0, optimizer=optimizer, maxiter=25, learning_rate=0.3, perturbation=0.2, seed=0)
    assert res.energy < h.energy(theta0) and res.trace.size > 0


def test_depth_study_and_kde():
    C = np.random.default_rng(0).normal(size=2**6)
    st = depth_study(C, depths=(0, 1), n_optim=8, seed=0, epsilon=1e-3)
    assert set(st.success) == {0, 1} and all(0 <= v <= 1 for v in st.success.values())
    assert np.all(st.energies[1] >= C.min() - 1e-9)
    grid, k = st.kde()
    assert set(k) == {0, 1, "C"} and all(0.5 < np.trapezoid(v, grid) <= 1.01 for v in k.values())


def test_overfitting_study_small():
    st = overfitting_study(sizes=(2,), realizations=1, iterations=3, n_validation=50, seed=0)
    assert st.train[2].shape == (4,) and st.validation[2].shape == (4,)
    assert st.train[2][-1] < st.train[2][0]


def test_mps_sampling_study_small_same_code_path_as_66_qubits():
    st = mps_sampling_study("fawaz-p1", layers=1, shots=64, maxiter=2, samples=40, accuracy_cut=0.5, seed=0)
    assert st.num_qubits == 8 and st.bits.shape == (40, 8) and st.test_accuracy.shape == (40,)
    assert mutual_hamming([[0, 0, 1], [1, 1, 1], [0, 0, 1]]) == 2.0


@pytest.mark.slow
def test_mnist8x8_activation_66_qubits():
    st = mps_sampling_study("mnist8x8-activation", layers=2, shots=200, maxiter=5, samples=200, seed=0)
    assert st.num_qubits == 66 and st.bits.shape == (200, 66)


def test_cli_grover_json(capsys):
    from anneal_binn.cli import main

    assert main(["experiment", "grover", "fawaz-p2", "--max-k", "3", "--runs", "50", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["num_marked"] == 4 and doc["classical_steps_90"] == [147, 112] and doc["paper_classical"] == 57


def test_cli_depth_text(capsys):
    from anneal_binn.cli import main

    assert main(["experiment", "depth", "fawaz-p1", "--depths", "0", "1", "--n-optim", "4", "--epsilon", "0.5"]) == 0
    assert "P(E-Cmin<eps)" in capsys.readouterr().out
