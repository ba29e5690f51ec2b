"""Amplitude amplification: formula vs statevector vs explicit QBNN circuit, BBHT, classical figures, solver."""
import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.gate.grover import (LandscapeGrover, classical_steps, cumulative_success, grover_probability,
                                     steps_to_confidence)
from anneal_binn.gate.qbnn_circuit import QBNNCircuit


@pytest.fixture(scope="module")
def landscapes():
    return {p: ab.build(ab.load_spec(f"fawaz-p{p}")).landscape() for p in (1, 2)}


@pytest.mark.parametrize("p,marked", [(1, 8), (2, 4)])
def test_success_probability_formula_equals_statevector(landscapes, p, marked):
    g = LandscapeGrover(landscapes[p])
    assert g.num_marked == marked
    for k in range(15):
        sv = g.statevector(k)
        assert np.isclose((sv[g.marked] ** 2).sum(), np.sin((2 * k + 1) * g.theta) ** 2, atol=1e-12)
        assert np.isclose((sv**2).sum(), 1.0)


def test_meta_training_landscape_needs_about_20_iterations():
    g = LandscapeGrover(ab.build(ab.load_spec("fawaz-meta-p1")).landscape())
    assert g.num_qubits == 14 and g.num_marked == 24
    assert 16 <= g.optimal_iterations() <= 20  # seed 003 §5.1: "between 16 and 20 amplifications"
    assert g.success_probability(g.optimal_iterations()) > 0.99


def test_threshold_marks_more():
    C = np.arange(16.0)
    g = LandscapeGrover(C, threshold=2.0)
    assert g.num_marked == 3
    with pytest.raises(ValueError, match="threshold"):
        LandscapeGrover(C, threshold=-1.0)


def test_sampling_matches_probability():
    g = LandscapeGrover(np.r_[np.zeros(4), np.ones(60)])
    hits = g.marked[g.sample(1, 20000, rng=0)].mean()
    assert abs(hits - grover_probability(1, 4 / 64)) < 0.015


def test_bbht_exact_cdf_matches_monte_carlo_and_steps(landscapes):
    for p, expect in ((1, 6), (2, 7)):
        g = LandscapeGrover(landscapes[p])
        exact = g.bbht_exact_cdf(40)
        mc = cumulative_success(g.bbht(2000, seed=1), 40)
        assert np.abs(exact - mc).max() < 0.04
        assert steps_to_confidence(exact) == expect
        runs = g.bbht(20, seed=3)
        assert all(r.success and g.marked[r.index] for r in runs)
        assert [r.steps for r in runs] == [r.steps for r in g.bbht(20, seed=3)]


def test_classical_brute_force_figures():
    # correct figures, and the paper's 28 / 57 = floor(0.9 / p)
    assert classical_steps(8 / 256) == 73 and classical_steps(4 / 256) == 147
    assert classical_steps(8 / 256, population=256) == 64 and classical_steps(4 / 256, population=256) == 112
    # (the paper's 28 and 57 are int(0.9 * 256 / 8) and int(0.9 * 256 / 4): hits mistaken for a probability)
    # with replacement, against a draw-by-draw count (no logarithms) and hand-checked figures
    def draws_until_90(p):
        t, fail = 0, 1.0
        while 1.0 - fail < 0.9:
            t, fail = t + 1, fail * (1.0 - p)
        return t

    for p, expect in ((1 / 100, 230), (0.5, 4), (1.0, 1)):
        assert classical_steps(p) == draws_until_90(p) == expect


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("input_qubits", [False, True])
def test_qbnn_circuit_computes_accuracy_and_uncomputes(landscapes, p, input_qubits):
    problem = ab.build(ab.load_spec(f"fawaz-p{p}"))
    q = QBNNCircuit(problem, input_qubits=input_qubits)
    assert q.num_qubits == (24 if input_qubits else 18)
    acc = q.verify_reversible()
    assert np.array_equal(acc.sum(1), 8 - landscapes[p])  # 0-1 loss = misclassified points


def test_qbnn_circuit_aer_agrees_with_subspace(landscapes):
    q = QBNNCircuit(ab.build(ab.load_spec("fawaz-p1")), input_qubits=False)
    g = LandscapeGrover(landscapes[1])
    for k in (0, 1):
        assert np.isclose(q.success_probability(k), g.success_probability(k), atol=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("p", [1, 2])
def test_qbnn_circuit_aer_more_iterations(landscapes, p):
    q = QBNNCircuit(ab.build(ab.load_spec(f"fawaz-p{p}")), input_qubits=False)
    g = LandscapeGrover(landscapes[p])
    for k in (2, 3):
        assert np.isclose(q.success_probability(k), g.success_probability(k), atol=1e-9)


@pytest.mark.slow
def test_qbnn_circuit_24_qubits_aer(landscapes):
    q = QBNNCircuit(ab.build(ab.load_spec("fawaz-p1")), input_qubits=True)
    assert np.isclose(q.success_probability(1), LandscapeGrover(landscapes[1]).success_probability(1), atol=1e-9)


def test_grover_solver_on_problem():
    from anneal_binn.testing import check_solver

    problem = ab.build(ab.load_spec("fawaz-p2"))
    ss = ab.solvers.get("grover", iterations="optimal", num_reads=200, seed=0).sample_poly(
        problem.to_hubo(), landscape=problem.landscape())
    assert ss.info["num_marked"] == 4 and ss.info["iterations"] == 6
    hit = ss.record.num_occurrences[ss.record.energy == 0].sum() / 200
    assert hit > 0.9
    ss = ab.solvers.get("grover", num_reads=30, seed=0).sample_poly(problem.to_hubo(), landscape=problem.landscape())
    assert np.all(ss.record.energy == 0) and len(ss.info["steps"]) == 30
    check_solver("grover", iterations=1)
    with pytest.raises(ValueError, match="iterations"):
        ab.solvers.get("grover", iterations="many")


def test_solve_path_with_gate_solvers():
    problem = ab.build(ab.load_spec("fawaz-p1"))
    ss = ab.solve(problem, solver="grover", seed=0, num_reads=20)
    assert list(ss.variables) == problem.variables and problem.evaluate(ss).best.loss == 0.0
    ss = ab.solve(problem, solver="hypernet", seed=0, num_reads=20, layers=1, restarts=4)
    assert problem.evaluate(ss).best.loss == 0.0
