"""statevector-qa and mps-qa: analytic limits, schedules, reverse anneals, gap, and MPS = statevector."""
import dimod
import numpy as np
import pytest

from anneal_binn.errors import TooLargeError
from anneal_binn.solvers.mps_qa import MPS, MPSAnnealer
from anneal_binn.solvers.schedule import AnnealPath, Schedule
from anneal_binn.solvers.statevector_qa import StatevectorAnnealer, apply_x_sum, expm_krylov
from anneal_binn.testing import random_hubo


def test_sudden_quench_leaves_the_uniform_superposition():
    poly = random_hubo(5, seed=2)
    ss = StatevectorAnnealer().sample_poly(poly, annealing_time=1e-6, num_steps=2, num_reads=10, seed=0)
    E = poly.energies(dimod.SampleSet.from_samples(
        (((np.arange(32)[:, None] >> np.arange(5)) & 1), sorted(poly.variables)), "BINARY", 0))
    expected = np.count_nonzero(E <= E.min() + 1e-9) / 32
    assert ss.info["ground_state_probability"] == pytest.approx(expected, abs=1e-6)


def test_slow_anneal_is_adiabatic():
    poly = dimod.BinaryPolynomial({(0, 1): -1.0, (0,): 0.5, (1, 2): -0.7}, "SPIN")
    ss = StatevectorAnnealer().sample_poly(poly, annealing_time=200.0, num_steps=200, num_reads=50, seed=0)
    assert ss.info["ground_state_probability"] > 0.98
    assert ss.first.energy == pytest.approx(ss.info["ground_energy"])


def test_krylov_exponential_matches_dense_expm():
    from scipy.linalg import expm

    n = 4
    diag = np.random.default_rng(1).normal(size=16)
    H = np.diag(diag).astype(complex)
    for i in range(n):
        idx = np.arange(16)
        H[idx ^ (1 << i), idx] += -0.3
    v = np.random.default_rng(2).normal(size=16) + 0j
    v /= np.linalg.norm(v)
    got = expm_krylov(lambda x: diag * x - 0.3 * apply_x_sum(x, n), v, 2.5)
    np.testing.assert_allclose(got, expm(-2.5j * H) @ v, atol=1e-9)


def test_trotter_converges_to_krylov():
    poly = random_hubo(6, num_terms=15, seed=4)
    k = StatevectorAnnealer().sample_poly(poly, annealing_time=5.0, num_steps=100)
    t = StatevectorAnnealer().sample_poly(poly, annealing_time=5.0, num_steps=400, method="trotter")
    assert t.info["ground_state_probability"] == pytest.approx(k.info["ground_state_probability"], abs=2e-3)


def test_single_qubit_gap_is_analytic():
    # H = -(1-s)/2 X + s/2 Z (scaled): gap sqrt((1-s)^2 + s^2), smallest 1/sqrt(2) at s = 1/2
    poly = dimod.BinaryPolynomial({(0,): 1.0}, "SPIN")
    ss = StatevectorAnnealer().sample_poly(poly, compute_gap=True, gap_points=41, num_steps=20)
    assert ss.info["min_gap"] == pytest.approx(2 ** -0.5, rel=1e-6)
    assert ss.info["min_gap_s"] == pytest.approx(0.5)


def test_reverse_anneal_paused_at_s1_keeps_the_classical_state():
    poly = random_hubo(5, seed=7)
    start = {v: 1 for v in poly.variables}
    ss = StatevectorAnnealer().sample_poly(poly, anneal_schedule=[(0, 1), (3, 1)], initial_state=start,
                                           num_reads=5, seed=0)
    assert (ss.record.sample == 1).all()
    with pytest.raises(ValueError, match="initial_state"):
        StatevectorAnnealer().sample_poly(poly, anneal_schedule=[(0, 1), (3, 0.5), (4, 1)])


def test_pause_lengthens_time_and_path_validation():
    p = AnnealPath(((0, 0), (1, 0.4), (3, 0.4), (4, 1)))
    dts, mids = p.steps(40)
    assert dts.sum() == pytest.approx(4.0) and np.allclose(mids[(mids > 0.39) & (mids < 0.41)], 0.4)
    for bad in ([(0, 0)], [(0, 0.5), (1, 1)], [(0, 0), (1, 0.5)], [(1, 0), (2, 1)], [(0, 0), (0, 1)]):
        with pytest.raises(ValueError, match="anneal_schedule"):
            AnnealPath(tuple(bad))


def test_dwave_csv_schedule(tmp_path):
    f = tmp_path / "sched.csv"
    f.write_text("s,A(s) (GHz),B(s) (GHz),C (normalized)\n0,6.0,0.1,0\n0.5,1.0,3.0,0.5\n1,0.0,10.0,1\n")
    sch = Schedule.from_csv(f)
    assert sch(0.25) == pytest.approx((3.5, 1.55)) and sch.phase_per_unit == pytest.approx(2000 * np.pi)
    poly = dimod.BinaryPolynomial({(0, 1): -1.0}, "SPIN")
    ss = StatevectorAnnealer().sample_poly(poly, schedule=str(f), annealing_time=1.0, num_steps=50, num_reads=5)
    assert ss.info["schedule"] == "sched.csv" and 0 <= ss.info["ground_state_probability"] <= 1
    with pytest.raises(ValueError, match="column"):
        (tmp_path / "bad.csv").write_text("x,y\n0,1\n1,2\n")
        Schedule.from_csv(tmp_path / "bad.csv")


def test_statevector_refuses_large_problems_before_allocating():
    poly = dimod.BinaryPolynomial({(i, i + 1): 1.0 for i in range(29)}, "BINARY")
    with pytest.raises(TooLargeError, match="GiB"):
        StatevectorAnnealer().sample_poly(poly)


@pytest.mark.parametrize("vartype", ["BINARY", "SPIN"])
def test_mps_equals_statevector_with_the_same_trotter_steps(vartype):
    poly = random_hubo(7, num_terms=16, max_degree=3, vartype=vartype, seed=11)
    kw = dict(annealing_time=4.0, num_steps=20)
    sv = StatevectorAnnealer().sample_poly(poly, method="trotter", **kw)
    mps = MPSAnnealer().sample_poly(poly, max_bond=16, num_reads=2000, seed=3, **kw)
    p = sv.info["ground_state_probability"]
    assert mps.info["ground_state_probability"] == pytest.approx(p, abs=1e-6)
    # the MPS samples agree with p within sampling error (4 sigma)
    hits = np.mean(mps.record.energy <= mps.info["ground_energy"] + 1e-9)
    assert abs(hits - p) < 4 * np.sqrt(p * (1 - p) / 2000) + 1e-3


def test_small_bond_dimension_truncates():
    poly = random_hubo(7, num_terms=16, max_degree=3, seed=11)
    ss = MPSAnnealer().sample_poly(poly, annealing_time=4.0, num_steps=10, max_bond=2, num_reads=5, seed=0)
    assert ss.info["max_bond_dimension"] <= 2 and ss.info["truncation_error"] > 1e-6


def test_mps_sampling_matches_its_amplitudes():
    rng = np.random.default_rng(0)
    mps = MPS([rng.normal(size=(1, 2, 2)) + 0j, rng.normal(size=(2, 2, 2)) + 0j, rng.normal(size=(2, 2, 1)) + 0j], 0)
    full = np.einsum("aib,bjc,ckd->kji", *mps.tensors).ravel()  # index = b0 + 2 b1 + 4 b2
    probs = np.abs(full) ** 2 / (np.abs(full) ** 2).sum()
    bits = MPS([t.copy() for t in mps.tensors], 0)
    bits.move_center(2)
    bits.tensors[2] /= np.linalg.norm(bits.tensors[2])
    draws = bits.sample(20000, np.random.default_rng(1))
    freq = np.bincount(draws @ np.array([1, 2, 4]), minlength=8) / 20000
    np.testing.assert_allclose(freq, probs, atol=0.015)
    idx = np.arange(8)
    amps = bits.amplitudes(((idx[:, None] >> np.arange(3)) & 1).astype(np.int8))
    np.testing.assert_allclose(np.abs(amps) ** 2, probs, atol=1e-10)


def test_mps_handles_a_larger_chain_quickly():
    # 40 spins, nearest-neighbour ferromagnet plus a 3-body term: the MPS stays small
    terms = {(i, i + 1): -1.0 for i in range(39)}
    terms[(0, 20, 39)] = 0.5
    poly = dimod.BinaryPolynomial(terms, "SPIN")
    ss = MPSAnnealer().sample_poly(poly, annealing_time=2.0, num_steps=4, max_bond=8, num_reads=20, seed=0)
    assert len(ss.variables) == 40 and ss.info["max_bond_dimension"] <= 8
    np.testing.assert_allclose(ss.record.energy, poly.energies((ss.record.sample, ss.variables)))


@pytest.mark.slow
def test_mps_matches_exact_schrodinger_evolution_at_n10():
    """Issue validation: same schedule, same ground-state probability (Krylov statevector vs MPS)."""
    poly = random_hubo(10, num_terms=30, max_degree=3, vartype="SPIN", seed=21)
    sv = StatevectorAnnealer().sample_poly(poly, annealing_time=10.0, num_steps=200)
    mps = MPSAnnealer().sample_poly(poly, annealing_time=10.0, num_steps=100, max_bond=32, num_reads=4000, seed=0)
    p = sv.info["ground_state_probability"]
    assert mps.info["ground_state_probability"] == pytest.approx(p, abs=0.01)
    hits = np.mean(mps.record.energy <= mps.info["ground_energy"] + 1e-9)
    assert abs(hits - p) < 4 * np.sqrt(p * (1 - p) / 4000) + 0.01
