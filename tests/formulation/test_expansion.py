"""The numeric expansion engine is exact: against sympy's expansion and against brute force."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

from anneal_binn.errors import TooLargeError
from anneal_binn.formulation.expansion import (
    BatchPoly, SparsePoly, _unique_rows, contract, keys_to_tuples, monomial_bound, sum_loss, tuples_to_keys,
)
from anneal_binn.formulation.symbolic import sympy_reduce


def all_bits(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=np.uint8)


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_cubic_activation_mse_equals_sympy_expand(vartype):
    # small integer/rational data so sympy's arithmetic is exact
    rng = np.random.default_rng(1)
    N, P = 4, 3
    X = rng.integers(-2, 3, size=(P, N)).astype(float)
    b = rng.integers(-1, 2, size=P).astype(float)
    y = rng.choice([-1.0, 1.0], size=P)
    act = [0.5, 1.0, 0.25, -0.125]
    z = BatchPoly.linear(X, b, range(N), N, vartype)
    ours = sum_loss(z.apply(act), np.stack([y**2, -2 * y, np.ones(P)], axis=1)).to_dict()

    v = sympy.symbols(f"v0:{N}")
    spin = list(v) if vartype == "SPIN" else [2 * vi - 1 for vi in v]
    r = sympy.Rational
    expr = 0
    for mu in range(P):
        zz = sum(int(X[mu, i]) * spin[i] for i in range(N)) + int(b[mu])
        f = r(1, 2) + zz + r(1, 4) * zz**2 - r(1, 8) * zz**3
        expr += (f - int(y[mu])) ** 2
    ref = sympy_reduce(expr, v, vartype)
    assert set(ref) == {k for k, c in ours.items() if abs(c) > 1e-9}
    for k, c in ref.items():
        assert ours[k] == pytest.approx(float(c), rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
@pytest.mark.parametrize("loss", ["mse", "quartic"])
def test_polynomial_of_linear_forms_equals_brute_force(vartype, loss):
    rng = np.random.default_rng(2)
    N, P = 8, 11
    X = rng.normal(size=(P, N))
    b = rng.normal(size=P)
    y = rng.choice([-1.0, 1.0], size=P)
    w = rng.random(P)
    act = [0.1, 0.7, 0.2, -0.3]
    if loss == "mse":
        c = np.stack([y**2, -2 * y, np.ones(P)], axis=1)
    else:
        c = np.stack([y, -y, 0.3 * y, np.ones(P), 0.5 * np.ones(P)], axis=1)
    poly = sum_loss(BatchPoly.linear(X, b, range(N), N, vartype).apply(act), c, w)
    bits = all_bits(N)
    z = (2.0 * bits - 1) @ X.T + b
    f = np.polynomial.polynomial.polyval(z, act)
    ref = (sum(c[:, k] * f**k for k in range(c.shape[1])) * w).sum(axis=1)
    # degree 12 with values up to ~1e7: float cancellation is relative to the largest value
    np.testing.assert_allclose(poly.evaluate(bits), ref, rtol=1e-10, atol=1e-11 * np.abs(ref).max())


def test_multiword_bitsets_and_sparse_support():
    # 130 variables (3 words); the loss touches 6 of them, spread over the words
    rng = np.random.default_rng(3)
    N, used = 130, [0, 5, 63, 64, 100, 129]
    X = rng.normal(size=(7, len(used)))
    y = rng.normal(size=7)
    poly = sum_loss(BatchPoly.linear(X, 0.0, used, N, "SPIN").apply([0, 1, 0, 1]),
                    np.stack([y**2, -2 * y, np.ones(7)], axis=1))
    assert {v for t in poly.terms() for v in t} <= set(used)
    sub = all_bits(len(used))
    bits = np.zeros((len(sub), N), dtype=np.uint8)
    bits[:, used] = sub
    z = (2.0 * sub - 1) @ X.T
    ref = (((z + z**3) - y) ** 2).sum(axis=1)
    np.testing.assert_allclose(poly.evaluate(bits), ref, rtol=1e-10)


def test_symmetric_and_general_contraction_agree():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(9, 6))
    z = BatchPoly.linear(X, rng.normal(size=9), range(6), 6, "BINARY").apply([0.0, 1.0, 0.5])
    w = rng.normal(size=9)
    copy = BatchPoly(z.keys.copy(), z.coef.copy(), z.num_variables, z.vartype)
    sym, gen = contract(z, z, w), contract(z, copy, w)
    assert sym.to_dict().keys() == gen.to_dict().keys()
    np.testing.assert_allclose(sym.coef, gen.coef, rtol=1e-11, atol=1e-12)


def test_choice_bit_product_is_exact():
    # f = p0(z) (1 - a) + p1(z) a with a the bit of variable 3
    rng = np.random.default_rng(5)
    N, P = 4, 6
    X = rng.normal(size=(P, 3))
    y = rng.normal(size=P)
    for vt in ("SPIN", "BINARY"):
        z = BatchPoly.linear(X, 0.0, [0, 1, 2], N, vt)
        a = BatchPoly.bit(3, N, vt)
        f = z.apply([0.0, 1.0, 0.5]) * (1.0 - a) + z.apply([1.0, -1.0]) * a
        poly = sum_loss(f, np.stack([y**2, -2 * y, np.ones(P)], axis=1))
        bits = all_bits(N)
        zz = (2.0 * bits[:, :3] - 1) @ X.T
        ff = np.where(bits[:, 3:4] == 1, 1 - zz, zz + 0.5 * zz**2)
        np.testing.assert_allclose(poly.evaluate(bits), ((ff - y) ** 2).sum(axis=1), rtol=1e-10)


def test_to_binary_polynomial_energies_match():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(5, 5))
    poly = sum_loss(BatchPoly.linear(X, 0.0, range(5), 5, "SPIN").apply([0, 1, 1]), [0.0, 0.0, 1.0])
    hubo = poly.to_binary_polynomial()
    bits = all_bits(5)
    spins = 2 * bits.astype(int) - 1
    energies = [hubo.energy(dict(enumerate(s))) for s in spins.tolist()]
    np.testing.assert_allclose(energies, poly.evaluate(bits), rtol=1e-12)
    assert hubo.vartype.name == "SPIN"


def test_refuses_before_expanding_with_the_term_count():
    X = np.ones((3, 40))
    z = BatchPoly.linear(X, 0.0, range(40), 40, "SPIN", max_terms=10_000)
    with pytest.raises(TooLargeError, match=r"up to [\d,]+ terms"):
        z.power(4)


def test_bitset_helpers_round_trip_and_unique():
    terms = [(0, 3, 70), (), (64,), (1, 2)]
    keys = tuples_to_keys(terms, 71)
    assert keys_to_tuples(keys) == terms
    rng = np.random.default_rng(7)
    many = rng.integers(0, 2**63, size=(5000, 2), dtype=np.uint64) & np.uint64(0xFF)
    uniq, inv = _unique_rows(many)
    assert np.array_equal(uniq[inv], many)
    assert len(uniq) == len({tuple(r) for r in many.tolist()})
    assert monomial_bound(20, 6) == 60460


def test_sparse_poly_from_dict_and_evaluate_binary():
    p = SparsePoly.from_dict({(0, 1): 2.0, (1,): -1.0, (): 0.5}, 2, "BINARY")
    np.testing.assert_allclose(p.evaluate(all_bits(2)), [0.5, -0.5, 0.5, 1.5])
