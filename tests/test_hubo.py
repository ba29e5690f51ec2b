"""The array HUBO: round trips, canonical form, SPIN -> BINARY, and the routes into it agree."""
import itertools
import os
import subprocess
import sys
from pathlib import Path

import dimod
import numpy as np
import pytest

from anneal_binn.errors import AnnealBinnError
from anneal_binn.formulation.expansion import SparsePoly
from anneal_binn.hubo import Hubo, as_hubo
from anneal_binn.polynomial import CompiledPolynomial, mobius, zeta

from .reduction._random import random_hubo

ROOT = Path(__file__).resolve().parents[1]


def all_bits(n):
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8)


@pytest.mark.parametrize("vartype", ["BINARY", "SPIN"])
def test_polynomial_round_trip_is_lossless(vartype):
    for seed in range(20):
        p = random_hubo(9, 25, 6, seed)
        named = {frozenset(("v", i) if i % 2 else f"s{i}" for i in t): c for t, c in p.items()}
        poly = dimod.BinaryPolynomial(named, vartype)
        h = Hubo.from_polynomial(poly)
        assert h.to_polynomial() == poly
        assert Hubo.from_polynomial(h.to_polynomial()) == h


def test_canonical_form_does_not_depend_on_term_order():
    p = random_hubo(10, 40, 5, 3)
    items = list(p.items())
    rng = np.random.default_rng(0)
    a = Hubo.from_polynomial(dimod.BinaryPolynomial(dict(items), "SPIN"))
    for _ in range(5):
        rng.shuffle(items)
        assert Hubo.from_polynomial(dimod.BinaryPolynomial(dict(items), "SPIN")) == a
    for rows, coef in a.blocks:  # rows strictly increasing, sorted, unique, coefficients nonzero
        assert (np.diff(rows, axis=1) > 0).all()
        assert (coef != 0).all()
        assert len({tuple(r) for r in rows.tolist()}) == len(rows)
        assert [tuple(r) for r in rows.tolist()] == sorted(tuple(r) for r in rows.tolist())


def test_to_binary_matches_dimod_on_every_assignment():
    for seed in range(25):
        p = random_hubo(8, 20, 6, seed).to_spin()
        h = Hubo.from_polynomial(p)
        hb = h.to_binary()
        assert hb.vartype == "BINARY"
        xs = all_bits(8)
        want = p.to_binary().energies((xs, list(h.variables)))
        np.testing.assert_allclose(hb.energies(xs), want, atol=1e-9)
        np.testing.assert_allclose(h.energies(2 * xs - 1), want, atol=1e-9)
        # the int64-key merge and the row merge (used past 2^62 keys) give the same polynomial
        # (summation order differs, so a cancelling term may be 0 in one and 1e-16 in the other)
        ref, got = h._convert_rows("BINARY").to_dict(), hb.to_dict()
        assert max(abs(ref.get(k, 0.0) - got.get(k, 0.0)) for k in set(ref) | set(got)) < 1e-12


def test_to_spin_matches_dimod_and_round_trips():
    for seed in range(25):
        p = random_hubo(8, 20, 6, seed)  # BINARY
        h = Hubo.from_polynomial(p)
        hs = h.to_spin()
        assert hs.vartype == "SPIN"
        xs = all_bits(8)
        want = p.energies((xs, list(h.variables)))
        np.testing.assert_allclose(hs.energies(2 * xs - 1), want, atol=1e-9)
        ref = p.to_spin()
        got = hs.to_dict()
        assert max(abs(ref.get(frozenset(h.variables[i] for i in k), 0.0) - c) for k, c in got.items() if k) < 1e-12
        assert sum(1 for k in ref if k and abs(ref[k]) > 1e-12) == hs.num_terms
        back = hs.to_binary().to_dict()
        assert max(abs(back.get(k, 0.0) - c) for k, c in h.to_dict().items()) < 1e-12
        ref_rows = h._convert_rows("SPIN").to_dict()
        assert max(abs(ref_rows.get(k, 0.0) - got.get(k, 0.0)) for k in set(ref_rows) | set(got)) < 1e-12


def test_conversion_drops_rounding_residue_but_no_real_term():
    # A Walsh polynomial taken to 0/1 form and back: exact arithmetic gives back its own support;
    # float sums leave ~1e-17 residue on the other monomials, which must not come back as terms.
    rng = np.random.default_rng(3)
    terms = {t: float(rng.normal()) for t in itertools.combinations(range(10), 4)}
    terms.update({(0, 1): 1e-9, (2,): -3e-10})  # small but real: kept
    h = Hubo.from_terms(terms, vartype="SPIN")
    back = h.to_binary().to_spin()
    assert set(back.to_dict()) - {()} == set(h.to_dict())
    assert max(abs(back.to_dict()[k] - c) for k, c in h.to_dict().items()) < 1e-12
    assert abs(back.offset) < 1e-12


def test_spin_to_binary_is_identical_across_hash_seeds():
    script = (
        "import dimod\n"
        "from anneal_binn.hubo import Hubo\n"
        "from tests.reduction._random import random_hubo\n"
        "p = random_hubo(12, 60, 6, 9)\n"
        "named = {frozenset('x%d' % i for i in t): c for t, c in p.items()}\n"
        "h = Hubo.from_polynomial(dimod.BinaryPolynomial(named, 'SPIN')).to_binary()\n"
        "print(h.variables, h.offset, [(r.tolist(), c.tolist()) for r, c in h.blocks])\n"
    )
    outs = []
    for seed in ("0", "1"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        outs.append(subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True,
                                   text=True, check=True).stdout)
    assert outs[0] == outs[1] and len(outs[0]) > 500


def test_dense_and_bitset_routes_agree_with_the_dicts():
    rng = np.random.default_rng(1)
    values = rng.normal(size=2**7)
    dense = mobius(values)
    h = Hubo.from_dense(dense)
    np.testing.assert_allclose(h.energies(all_bits(7)), zeta(dense), atol=1e-9)
    sp = SparsePoly.from_dict({(0, 3, 70): 1.5, (2,): -1.0, (): 0.25, (5, 64, 65, 127): 2.0}, 128, "SPIN")
    assert sp.to_hubo().to_dict() == sp.to_dict()


def test_compiled_from_arrays_equals_compiled_from_dicts():
    p = random_hubo(11, 50, 6, 4).to_spin()
    variables = sorted(p.variables)
    index = {v: i for i, v in enumerate(variables)}
    terms = [(tuple(sorted(index[v] for v in t)), c) for t, c in p.items() if t and c]
    a = CompiledPolynomial.from_terms(terms, p.get(frozenset(), 0.0), variables, spin=True)
    b = Hubo.from_polynomial(p).compiled()
    for name in ("coef", "term_ptr", "term_vars", "var_ptr", "var_terms"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.variables, a.spin, a.offset) == (b.variables, b.spin, b.offset)


def test_from_terms_reduces_repeated_variables():
    assert Hubo.from_terms({(0, 0, 1): 2.0}, vartype="BINARY").to_dict() == {(0, 1): 2.0}
    assert Hubo.from_terms({(0, 0, 1): 2.0}, vartype="SPIN").to_dict() == {(1,): 2.0}
    assert Hubo.from_terms({("b", "a"): 1.0, ("a", "b"): -1.0}).num_terms == 0


def test_bad_input_raises_one_clear_error():
    with pytest.raises(AnnealBinnError, match="must be finite"):
        Hubo.from_terms({(0, 1): float("nan")})
    with pytest.raises(AnnealBinnError, match="repeats a variable"):
        Hubo.from_arrays([(np.array([[1, 1]]), np.array([1.0]))], 3)
    with pytest.raises(AnnealBinnError, match="out of range"):
        Hubo.from_arrays([(np.array([[0, 5]]), np.array([1.0]))], 3)
    with pytest.raises(AnnealBinnError, match="vartype"):
        Hubo.from_terms({(0,): 1.0}, vartype="TERNARY")
    with pytest.raises(TypeError, match="BinaryPolynomial"):
        as_hubo({(0, 1): 1.0})
