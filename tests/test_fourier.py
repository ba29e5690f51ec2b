"""The Fourier HUBO is the landscape, exactly; spectra and truncations are consistent."""
import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.model.architecture import index_to_bits
from anneal_binn.polynomial import (dense_energies, evaluate, fwht, mobius, spin_coefficients, spin_values,
                                    zeta)
from anneal_binn.solvers.exact import ExactHuboSolver


def test_transforms_round_trip_and_match_definitions():
    rng = np.random.default_rng(0)
    v = rng.normal(size=32)
    np.testing.assert_allclose(zeta(mobius(v)), v, atol=1e-12)
    np.testing.assert_allclose(spin_values(spin_coefficients(v)), v, atol=1e-12)
    # definition of the Walsh-Hadamard transform, by brute force
    k = np.arange(32)
    H = (-1.0) ** np.array([[bin(a & b).count("1") for b in k] for a in k])
    np.testing.assert_allclose(fwht(v), H @ v, atol=1e-12)


@pytest.mark.parametrize("vartype", ["BINARY", "SPIN"])
@pytest.mark.parametrize("name", ["fawaz-p1", "fawaz-p2", "fawaz-meta-p1"])
def test_fourier_hubo_equals_landscape_everywhere(name, vartype):
    problem = ab.build(ab.load_spec(name))
    L = problem.landscape()
    hubo = problem.to_hubo(method="fourier", vartype=vartype)
    assert isinstance(hubo, dimod.BinaryPolynomial) and hubo.vartype is dimod.as_vartype(vartype)
    n = problem.num_variables
    bits = index_to_bits(np.arange(2**n), n)
    samples = bits if vartype == "BINARY" else 2 * bits.astype(int) - 1
    np.testing.assert_allclose(evaluate(hubo, samples, range(n)), L, atol=1e-9)
    # and through dimod's own evaluator, on a subset
    np.testing.assert_allclose(hubo.energies((samples[:64], list(range(n)))), L[:64], atol=1e-9)


def test_walsh_spectrum_is_parseval_and_matches_definition():
    problem = ab.build(ab.load_spec("fawaz-p2"))
    L = problem.landscape()
    W = problem.spectrum()
    assert W.shape == (9,)
    np.testing.assert_allclose(W.sum(), np.mean(L**2))
    f = spin_coefficients(L)
    by_hand = np.zeros(9)
    for S in range(256):
        by_hand[bin(S).count("1")] += f[S] ** 2
    np.testing.assert_allclose(W, by_hand)
    assert W[0] == pytest.approx(np.mean(L) ** 2)


def test_truncation_report_is_exact():
    problem = ab.build(ab.load_spec("fawaz-meta-p1"))
    L = problem.landscape()
    poly, t = problem.fourier(max_degree=2, vartype="SPIN")
    assert max(len(term) for term in poly) <= 2
    approx = dense_energies(poly, range(problem.num_variables))
    np.testing.assert_allclose(t.rms_error, np.sqrt(np.mean((approx - L) ** 2)), rtol=1e-9)
    np.testing.assert_allclose(t.max_error, np.abs(approx - L).max(), rtol=1e-9)
    g = int(np.argmin(approx))
    assert t.ground_state == g
    assert t.rank == 1 + int((L < L[g]).sum())
    # binary form of the same truncation is the same function
    poly_b, _ = problem.fourier(max_degree=2, vartype="BINARY")
    np.testing.assert_allclose(dense_energies(poly_b, range(problem.num_variables)), approx, atol=1e-9)
    # thresholding keeps only large coefficients
    poly_t, tt = problem.fourier(threshold=0.1, vartype="SPIN")
    assert all(abs(c) >= 0.1 for term, c in poly_t.items() if term)
    assert tt.kept_terms + tt.dropped_terms == int((spin_coefficients(L) != 0).sum())


def test_exact_solver_on_hubo_finds_all_ground_states():
    problem = ab.build(ab.load_spec("fawaz-p1"))
    ss = ExactHuboSolver().sample_poly(problem.to_hubo())
    assert len(ss) == 8 and np.all(ss.record.energy == 0)
    report = problem.evaluate(ss)
    assert np.all(report.losses == 0) and report.num_optima == 8
    spin = ExactHuboSolver().sample_poly(problem.to_hubo(vartype="SPIN"), num_reads=20)
    np.testing.assert_allclose(problem.evaluate(spin).losses, spin.record.energy, atol=1e-9)


def test_exact_solver_refuses_large_problems():
    poly = dimod.BinaryPolynomial({tuple(range(30)): 1.0}, "BINARY")
    with pytest.raises(ab.TooLargeError, match="GiB"):
        ExactHuboSolver().sample_poly(poly)


def test_to_qubo_fourier_keeps_the_optimum_and_auxiliary_energies_are_losses():
    problem = ab.build(ab.load_spec("fawaz-p2"))
    L = problem.landscape()
    bqm, red = problem.to_qubo(method="fourier")
    ss = ExactHuboSolver().sample(bqm, num_reads=1)
    assert ss.first.energy == pytest.approx(L.min(), abs=1e-9)
    aux, record = problem.to_qubo(method="auxiliary")
    assert record.num_original == problem.num_variables
    rng = np.random.default_rng(0)
    bits = index_to_bits(rng.integers(0, 256, size=30), 8)
    full = record.complete(bits)
    energies = aux.energies((full, list(range(record.num_variables))))
    np.testing.assert_allclose(energies, record.objective_scale * problem.losses(bits), atol=1e-9)
