"""Hardening of the formulation layer: round-off dropping with a proven bound, external
landscapes, memory refusals, one evaluator and variable order, lazy numba, library routines."""
from __future__ import annotations

import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn import landscape as lsc
from anneal_binn.polynomial import dense_energies


def _smooth_landscape(n: int, seed: int = 0) -> np.ndarray:
    """A logistic-regression-like loss over n binary weights: every Fourier coefficient nonzero."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, n))
    y = rng.choice([-1.0, 1.0], size=40)
    idx = np.arange(2**n)
    w = 2.0 * ((idx[:, None] >> np.arange(n)) & 1) - 1.0
    z = (w @ X.T) * y / np.sqrt(n)
    return np.logaddexp(0.0, -z).mean(axis=1)


# ---- item 2: drop round-off terms, bound the error ---------------------------------------------
@pytest.mark.parametrize("vartype", ["BINARY", "SPIN"])
def test_dropped_terms_bound_the_error_over_every_configuration(vartype):
    L = _smooth_landscape(12)
    full, info0 = lsc.fourier_hubo(L, vartype, rtol=0.0)
    assert info0.dropped_terms == 0 and info0.error_bound == 0.0
    scale = float(np.abs(L).max())
    for rtol in (1e-6, 1e-3, 1e-1):
        poly, info = lsc.fourier_hubo(L, vartype, rtol=rtol)
        assert info.dropped_terms > 0 and len(poly) == info.kept_terms == len(full) - info.dropped_terms
        assert info.error_bound <= rtol * scale
        err = np.abs(dense_energies(poly, range(12)) - L).max()
        assert err <= info.error_bound + 1e-12 * scale


def test_default_drops_roundoff_of_a_real_landscape_and_keeps_its_ground_state():
    L = ab.build(ab.load_spec("mnist4x4-logistic")).landscape()
    n = L.size.bit_length() - 1
    everything = lsc.hubo_from_landscape(L, rtol=0.0)
    poly, info = lsc.fourier_hubo(L)  # the default rtol
    assert info.rtol == lsc.DEFAULT_RTOL and len(lsc.hubo_from_landscape(L)) == len(poly)
    assert len(poly) < 0.7 * len(everything)  # 82,580 of 129,890 terms
    E = dense_energies(poly, range(n))
    assert np.abs(E - L).max() <= info.error_bound + 1e-12 <= 1e-10 * np.abs(L).max() + 1e-12
    assert int(np.argmin(E)) == int(np.argmin(L))


def test_truncation_reports_roundoff_and_keeps_everything_at_rtol_zero():
    L = _smooth_landscape(10)
    poly, t = lsc.truncate(L, max_degree=3, vartype="BINARY")
    assert t.roundoff_terms > 0 and t.roundoff_bound <= 1e-10 * np.abs(L).max()
    np.testing.assert_allclose(t.max_error, np.abs(dense_energies(poly, range(10)) - L).max(), rtol=1e-9)
    poly0, t0 = lsc.truncate(L, max_degree=3, vartype="BINARY", rtol=0.0)
    assert t0.roundoff_terms == 0 and len(poly0) > len(poly)


def test_rtol_must_be_a_nonnegative_number():
    with pytest.raises(ValueError, match="rtol"):
        lsc.fourier_hubo(np.zeros(4), rtol=-1.0)


# ---- item 3: external landscapes ---------------------------------------------------------------
@pytest.mark.parametrize("vartype", ["BINARY", "SPIN"])
@pytest.mark.parametrize("bit_order", ["lsb", "msb"])
def test_hubo_from_values_round_trips_in_the_stated_bit_order(bit_order, vartype):
    n = 7
    values = np.random.default_rng(3).normal(size=2**n)
    poly = lsc.hubo_from_values(values, bit_order=bit_order, vartype=vartype, rtol=0.0)
    assert sorted(poly.variables) == list(range(n))
    for k in range(2**n):
        bits = [(k >> (n - 1 - i)) & 1 if bit_order == "msb" else (k >> i) & 1 for i in range(n)]
        sample = {i: (2 * b - 1 if vartype == "SPIN" else b) for i, b in enumerate(bits)}
        assert poly.energy(sample) == pytest.approx(values[k], abs=1e-12)


def test_hubo_from_values_msb_puts_variable_zero_on_the_high_bit():
    # index = 2*x0 + x1 in msb order: loss 1 exactly when x0 = 1 and x1 = 0 (index 2)
    poly = lsc.hubo_from_values([0.0, 0.0, 1.0, 0.0], bit_order="msb")
    assert dict(poly) == {frozenset({0}): 1.0, frozenset({0, 1}): -1.0}
    poly, info = lsc.hubo_from_values([0.0, 0.0, 1.0, 0.0], return_info=True)
    assert dict(poly) == {frozenset({1}): 1.0, frozenset({0, 1}): -1.0} and info.error_bound == 0.0


@pytest.mark.parametrize("values, match", [
    (np.zeros(6), "length 6 is not a power of two.*4 or 8"),
    (np.array([0.0, np.nan]), "not finite"),
    (np.zeros((2, 2)), "1-D"),
    ([], "length 0"),
])
def test_hubo_from_values_refuses_bad_vectors_in_one_line(values, match):
    with pytest.raises(ValueError, match=match) as err:
        lsc.hubo_from_values(values)
    assert "\n" not in str(err.value)


def test_hubo_from_values_refuses_an_unknown_bit_order():
    with pytest.raises(ValueError, match="bit_order.*'lsb'.*'msb'"):
        lsc.hubo_from_values(np.zeros(4), bit_order="big")


# ---- item 1: estimate memory before allocating, refuse or fall back ----------------------------
def _dense_hubo(n=16, T=600, degree=(6, 12), seed=0):
    import dimod

    rng = np.random.default_rng(seed)
    terms = {}
    while len(terms) < T:
        d = int(rng.integers(degree[0], degree[1] + 1))
        terms[tuple(sorted(rng.choice(n, d, replace=False).tolist()))] = float(rng.normal())
    return dimod.BinaryPolynomial(terms, "BINARY")


def test_reduce_refuses_over_budget_before_allocating(monkeypatch):
    import tracemalloc

    from anneal_binn.reduction import reduce

    hubo = _dense_hubo()
    monkeypatch.setenv("ANNEAL_BINN_MEMORY_LIMIT", "100K")
    tracemalloc.start()
    with pytest.raises(ab.TooLargeError) as err:
        reduce(hubo, "substitution")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    msg = str(err.value)
    assert "reducing 600 terms of degree up to 12 over 16 variables (method 'substitution') needs ~" in msg
    assert "memory budget of 102.4 kB" in msg and "max_degree" in msg and "hubo-sa" in msg
    assert peak < 100_000  # refused on its size features alone, nothing per term built


def test_auto_leaves_out_what_does_not_fit_with_a_warning(monkeypatch):
    from anneal_binn.memory import MemoryBudgetWarning
    from anneal_binn.reduction import reduce
    from anneal_binn.reduction.core import Footprint, estimate_memory

    hubo = _dense_hubo(n=12, T=40, degree=(7, 8))  # 763 matchings per positive degree-8 term
    fp = Footprint.of(hubo)
    without_cover = estimate_memory(fp, "auto", ["hybrid", "substitution", "ishikawa", "freedman-drineas"])
    assert estimate_memory(fp, "auto") > without_cover
    monkeypatch.setenv("ANNEAL_BINN_MEMORY_LIMIT", str(int(without_cover) + 1))
    with pytest.warns(MemoryBudgetWarning, match="skipped cover.*cover needs ~"):
        bqm, red = reduce(hubo)
    monkeypatch.delenv("ANNEAL_BINN_MEMORY_LIMIT")
    assert red.method != "cover" and red.verify().ok
    monkeypatch.setenv("ANNEAL_BINN_MEMORY_LIMIT", "1K")
    with pytest.raises(ab.TooLargeError, match="even its cheapest method '(substitution|freedman-drineas)'"):
        reduce(hubo)


def test_verify_falls_back_to_sampling_then_refuses(monkeypatch):
    from anneal_binn.memory import MemoryBudgetWarning
    from anneal_binn.reduction import reduce

    bqm, red = reduce(_dense_hubo(n=14, T=40, degree=(3, 5)), "freedman-drineas")
    assert red.verify().exact
    monkeypatch.setenv("ANNEAL_BINN_MEMORY_LIMIT", "180M")  # the exact check needs ~220 MB
    with pytest.warns(MemoryBudgetWarning, match="exact check would need"):
        check = red.verify(num_samples=200)
    assert check.ok and not check.exact
    monkeypatch.setenv("ANNEAL_BINN_MEMORY_LIMIT", "1M")
    with pytest.raises(ab.TooLargeError, match="verifying a reduction of 14 variables"):
        red.verify()


def test_a_landscape_hubo_over_budget_is_refused(monkeypatch):
    monkeypatch.setenv("ANNEAL_BINN_MEMORY_LIMIT", "1M")
    with pytest.raises(ab.TooLargeError, match="a HUBO of 4,096 terms over 12 variables needs ~"):
        lsc.hubo_from_landscape(_smooth_landscape(12))


def test_term_evaluation_in_row_blocks_matches_one_block(monkeypatch):
    import dimod

    from anneal_binn import polynomial

    poly = dimod.BinaryPolynomial({(0, 1, 2): 1.5, (1,): -2.0, (0, 3): 0.25, (2, 3): 4.0, (): 0.5}, "BINARY")
    X = ((np.arange(16)[:, None] >> np.arange(4)) & 1).astype(np.int8)
    cp = polynomial.CompiledPolynomial.from_polynomial(poly)
    whole = cp.energies(X)
    monkeypatch.setattr(polynomial, "EVAL_CHUNK_BYTES", 1)  # one row per block
    np.testing.assert_array_equal(cp.energies(X), whole)
    np.testing.assert_allclose(whole, poly.energies((X, [0, 1, 2, 3])))


# ---- item 4: one evaluator, one variable order -------------------------------------------------
def test_one_compiled_polynomial_serves_every_component():
    from anneal_binn import polynomial
    from anneal_binn.reduction import reduce
    from anneal_binn.solvers import _common, hubo_sa

    assert _common.CompiledPolynomial is polynomial.CompiledPolynomial
    assert hubo_sa.CompiledPolynomial is polynomial.CompiledPolynomial
    import dimod

    _, red = reduce(dimod.BinaryPolynomial({(0, 1, 2): -1.0, (1, 3): 2.0}, "BINARY"))
    assert isinstance(red._compiled_hubo, polynomial.CompiledPolynomial)


@pytest.mark.parametrize("labels, order", [
    ([10, "a", 9], [9, 10, "a"]),
    ([(10, "a"), (2, "b"), (2, "a")], [(2, "a"), (2, "b"), (10, "a")]),
])
def test_every_component_numbers_variables_in_the_same_order(labels, order, tmp_path):
    import json

    import dimod

    from anneal_binn import export
    from anneal_binn.polynomial import CompiledPolynomial, variable_order
    from anneal_binn.reduction import reduce
    from anneal_binn.solvers.exact import ExactHuboSolver
    from anneal_binn.solvers.hubo_sa import HuboSimulatedAnnealingSampler

    a, b, c = labels
    poly = dimod.BinaryPolynomial({(a, b, c): -1.0, (a,): 0.5, (b, c): 0.25}, "BINARY")
    assert variable_order(poly.variables) == order
    assert list(CompiledPolynomial.from_polynomial(poly).variables) == order
    assert list(reduce(poly)[1].variables) == order
    assert list(ExactHuboSolver().sample_poly(poly).variables) == order
    assert list(HuboSimulatedAnnealingSampler(backend="numpy").sample_poly(poly, num_sweeps=5, seed=0).variables) == order
    doc = json.loads(export.dumps(poly, "hubo-json"))
    assert [export._decode(v) for v in doc["variables"]] == order


_HASH_SCRIPT = """
import json, dimod
from anneal_binn.polynomial import CompiledPolynomial, variable_order
from anneal_binn.reduction import reduce
words = set("alpha beta gamma delta epsilon zeta eta theta".split())
tuples = {(w, i % 3) for i, w in enumerate(sorted(words))} | {("x", (1, "y")), ("x", (1, "a"))}
out = []
for labels in (list(words), list(tuples)):  # set iteration order changes with the hash seed
    terms = {tuple(labels[i:i + 3]): float(i + 1) for i in range(len(labels) - 2)}
    poly = dimod.BinaryPolynomial(terms, "BINARY")
    out.append([repr(v) for v in variable_order(labels)])
    out.append([repr(v) for v in CompiledPolynomial.from_polynomial(poly).variables])
    out.append([repr(v) for v in reduce(poly)[1].variables])
print(json.dumps(out))
"""


def test_variable_order_is_the_same_under_every_hash_seed():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    outs = set()
    for seed in ("0", "1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": root}
        res = subprocess.run([sys.executable, "-c", _HASH_SCRIPT], env=env, capture_output=True, text=True, check=True)
        outs.add(res.stdout)
    assert len(outs) == 1


# ---- item 5: numba kernels compile on first use -------------------------------------------------
def test_hubo_sa_compiles_its_kernels_on_first_use_not_in_the_constructor(monkeypatch):
    pytest.importorskip("numba")
    import dimod

    from anneal_binn.solvers import _hubo_sa_numba
    from anneal_binn.solvers.hubo_sa import HuboSimulatedAnnealingSampler

    calls = []
    real = _hubo_sa_numba.warm_up
    monkeypatch.setattr(_hubo_sa_numba, "warm_up", lambda: calls.append(1) or real())
    sampler = HuboSimulatedAnnealingSampler(backend="numba")
    assert calls == []
    ss = sampler.sample_poly(dimod.BinaryPolynomial({(0, 1, 2): -1.0}, "BINARY"), num_sweeps=10, seed=0)
    assert calls == [1] and ss.info["backend"] == "numba" and ss.first.energy == -1.0


# ---- item 6: library routines: scipy's expm_multiply, dimod's LP writer/reader -----------------
def test_statevector_steps_with_scipy_expm_multiply_and_agrees_with_lanczos():
    import dimod
    from scipy.linalg import expm

    from anneal_binn.solvers.statevector_qa import StatevectorAnnealer, apply_x_sum, expm_krylov, expm_step, x_sum_matrix

    n = 4
    diag = np.random.default_rng(1).normal(size=16)
    H = np.diag(0.7 * diag) - 0.3 * x_sum_matrix(n).toarray()
    v = np.random.default_rng(2).normal(size=16) + 0j
    v /= np.linalg.norm(v)
    np.testing.assert_allclose(expm_step(x_sum_matrix(n), diag, 0.6, 1.4, 2.5, v), expm(-2.5j * H) @ v, atol=1e-12)
    lanczos = expm_krylov(lambda x: 0.7 * diag * x - 0.3 * apply_x_sum(x, n), v, 2.5)
    np.testing.assert_allclose(expm_step(x_sum_matrix(n), diag, 0.6, 1.4, 2.5, v), lanczos, atol=1e-9)
    poly = dimod.BinaryPolynomial({(0, 1): -1.0, (1, 2, 3): 0.5, (2,): 0.25}, "SPIN")
    default = StatevectorAnnealer().sample_poly(poly, annealing_time=8.0, num_steps=60, seed=0)
    krylov = StatevectorAnnealer().sample_poly(poly, annealing_time=8.0, num_steps=60, seed=0, method="krylov")
    assert default.info["method"] == "expm"
    assert default.info["ground_state_probability"] == pytest.approx(krylov.info["ground_state_probability"], abs=1e-8)


def test_lp_files_are_written_and_read_by_dimod_lp_losslessly(tmp_path):
    import dimod
    from dimod import lp

    from anneal_binn import export

    # labels that collide with the written names, floats that %f-style writers would round
    bqm = dimod.BinaryQuadraticModel({"x1": 0.1 + 2**-50, "x0": -1e-300, (1, "a"): 1 / 3},
                                     {("x1", "x0"): 2.0 / 3, ("x0", (1, "a")): -7e-17}, 1 / 7, "BINARY")
    text = export.dumps(bqm, "lp")
    cqm = dimod.ConstrainedQuadraticModel()
    cqm.set_objective(bqm.relabel_variables({"x1": "x0", "x0": "x1", (1, "a"): "x2"}, inplace=False))
    assert text.split("\n", 4)[-1] == lp.dumps(cqm).rstrip("\n") + "\n"  # dimod's writer, after our 4 comment lines
    back = export.loads(text, "lp")
    assert back == bqm and back.offset == bqm.offset
    assert all(back.get_linear(v) == b for v, b in bqm.linear.items())


def test_lp_reader_handles_squares_and_refuses_what_a_qubo_cannot_hold():
    import dimod

    from anneal_binn import export

    text = "\\ comment\nMinimize\n obj: 2 a - b + [ 4 a * b - 2 b ^ 2 ] / 2 + 3\nSubject To\nBinary\n a b c\nEnd\n"
    assert export.loads(text, "lp") == dimod.BinaryQuadraticModel(
        {"a": 2.0, "b": -2.0, "c": 0.0}, {("a", "b"): 2.0}, 3.0, "BINARY")  # b^2 = b for binary b
    with pytest.raises(ValueError, match="1 constraint"):
        export.loads("Minimize\n obj: a + b\nSubject To\n c1: a + b <= 1\nBinary\n a b\nEnd\n", "lp")
    with pytest.raises(ValueError, match="not binary"):
        export.loads("Minimize\n obj: a + b\nEnd\n", "lp")


def test_coo_stays_hand_written_because_dimods_coo_rounds_biases():
    import dimod
    from dimod.serialization import coo

    from anneal_binn import export

    bqm = dimod.BinaryQuadraticModel({0: 0.1 + 2**-50, 1: 2.5e-7}, {(0, 1): 1 / 3}, 0.0, "BINARY")
    assert coo.loads(coo.dumps(bqm, vartype_header=True)) != bqm  # '%f': 6 decimals, and no offset
    assert export.loads(export.dumps(bqm, "coo"), "coo") == bqm
