"""The spin (Walsh) route of reduce(): parity gadgets, shared spin products, spin-hybrid."""
import dimod
import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.errors import TooLargeError
from anneal_binn.hubo import Hubo
from anneal_binn.reduction import Reduction, reduce
from anneal_binn.reduction.cover import parity_cost

from .test_reduce import brute_hubo, min_over_ancillas

SPIN_METHODS = ("spin-hybrid", "spin-substitution", "parity")


@pytest.mark.parametrize("d", range(3, 10))
def test_parity_gadget_reproduces_the_spin_monomial_exactly(d):
    """c * s_1...s_d with (d - r) // 2 counter bits, r = [c (-1)^d > 0], no penalty; the minimum
    over the ancillas is the monomial on every assignment and expand() reaches it."""
    for c in (1.5, -0.75):
        r = int(c * (-1) ** d > 0)
        poly = dimod.BinaryPolynomial({tuple(range(d)): c}, "SPIN")
        bqm, red = reduce(poly, "parity")
        assert red.num_ancillas == parity_cost(d, c) == ((d - r) // 2).bit_length()
        assert red.max_penalty == 0.0 and {a.gadget for a in red.ancillas} == {"parity"}
        xs, want = brute_hubo(poly, red.variables)
        np.testing.assert_allclose(min_over_ancillas(bqm, red.variables, red.ancilla_labels), want, atol=1e-9)
        full = red.expand(xs)
        np.testing.assert_allclose(bqm.energies((full, list(red.variables) + list(red.ancilla_labels))), want)
    # its BINARY form has 2^d - 1 terms: the BINARY route needs more from d = 4 on (d = 8: 22 vs 2)
    if d >= 4:
        poly = dimod.BinaryPolynomial({tuple(range(d)): 1.5}, "SPIN")
        assert reduce(poly, "hybrid")[1].num_ancillas > reduce(poly, "parity")[1].num_ancillas


def test_spin_product_penalty_is_twice_the_weight_it_carries():
    # s0*s1 is shared by two cubic spin terms: one product (2 variables), penalty 2*(1 + 0.5)
    poly = dimod.BinaryPolynomial({(0, 1, 2): 1.0, (0, 1, 3): -0.5}, "SPIN")
    bqm, red = reduce(poly, "spin-substitution")
    prod, carry = red.ancillas
    assert prod.gadget == "spin-product" and prod.factors == (0, 1) and prod.penalty == (3.0, 3.0)
    assert carry.gadget == "parity" and carry.factors == (0, 1, prod.label) and carry.coefficient == -1.5
    _, want = brute_hubo(poly, red.variables)
    np.testing.assert_allclose(min_over_ancillas(bqm, red.variables, red.ancilla_labels), want, atol=1e-9)
    # spin-hybrid undoes it (a tie: two parity gadgets of one bit each, penalty-free) ...
    _, hyb = reduce(poly, "spin-hybrid")
    assert [a.gadget for a in hyb.ancillas] == ["parity", "parity"] and hyb.max_penalty == 0.0
    # ... but a product serving one term costs two ancillas where the term's parity gadget costs one
    single = dimod.BinaryPolynomial({(0, 1, 2): 1.0}, "SPIN")
    assert reduce(single, "spin-substitution")[1].num_ancillas == 2
    assert reduce(single, "spin-hybrid")[1].num_ancillas == 1


def test_project_flags_a_broken_spin_product():
    poly = dimod.BinaryPolynomial({(0, 1, 2): 1.0, (0, 1, 3): -0.5}, "SPIN")
    bqm, red = reduce(poly, "spin-substitution")
    good = red.expand({0: 1, 1: -1, 2: 1, 3: 1})
    assert good[red.ancillas[0].label] == -1  # the product of s0 = 1 and s1 = -1
    bad = dict(good)
    bad[red.ancillas[0].label] = 1
    proj = red.project(dimod.SampleSet.from_samples_bqm([good, bad], bqm))
    assert proj.record.num_broken.tolist() == [0, 1]


def test_walsh_sparse_catalogue_hubo_takes_the_spin_route():
    """fawaz-p1: 174 BINARY terms up to degree 8, 12 SPIN terms. The BINARY route needs 22
    ancillas and 223 couplers; the spin route 15-16 ancillas and 74-109 couplers."""
    pr = ab.build(ab.load_spec("fawaz-p1"))
    h = pr.to_hubo(method="fourier")
    assert Hubo.from_polynomial(h).to_spin().num_terms == 12
    _, hyb = reduce(h, "hybrid")
    _, sh = reduce(h, "spin-hybrid")
    _, par = reduce(h, "parity")
    assert (hyb.num_ancillas, sh.num_ancillas, par.num_ancillas) == (22, 16, 15)
    assert sh.qubo["values"].size < hyb.qubo["values"].size / 2
    bqm, auto = reduce(h, "auto")
    assert auto.method == "parity" and auto.num_ancillas == 15
    for red in (sh, par, auto):
        check = red.verify()
        assert check.ok and check.exact, check
    # the same from the SPIN form, returned in SPIN
    bqm_s, auto_s = reduce(pr.to_hubo(method="fourier", vartype="SPIN"), "auto")
    assert bqm_s.vartype is dimod.SPIN and auto_s.num_ancillas == 15 and auto_s.verify().ok


def test_auto_skips_the_spin_route_when_the_spin_form_is_large():
    poly = dimod.BinaryPolynomial({tuple(range(20)): 1.0, (0, 1, 2): -1.0}, "BINARY")  # 2^20 SPIN terms
    _, red = reduce(poly, "auto")
    assert not {name for name, _, _ in red.candidates} & set(SPIN_METHODS)
    assert red.verify().ok
    # a random BINARY HUBO is denser in SPIN form: auto does not build the spin route ...
    rand = dimod.BinaryPolynomial({(0, 1, 2, 3): 1.0, (1, 2, 4): -2.0, (0, 3, 4, 5): 0.5}, "BINARY")
    assert Hubo.from_polynomial(rand).to_spin().num_terms > len(rand)
    _, red = reduce(rand, "auto")
    assert not {name for name, _, _ in red.candidates} & set(SPIN_METHODS)
    # ... but does for the function that has those three terms in SPIN form, whatever the input vartype
    sparse = dimod.BinaryPolynomial(dict(rand), "SPIN")
    _, red = reduce(sparse, "auto")
    assert {name for name, _, _ in red.candidates} >= set(SPIN_METHODS)
    _, red = reduce(sparse.to_binary(), "auto")
    assert {name for name, _, _ in red.candidates} >= set(SPIN_METHODS)
    huge = dimod.BinaryPolynomial({tuple(range(48)): 1.0}, "BINARY")  # 2^48 SPIN terms
    with pytest.raises(TooLargeError, match="parity"):
        reduce(huge, "parity")


@pytest.mark.parametrize("method", SPIN_METHODS)
def test_spin_route_records_save_and_load(tmp_path, method):
    poly = dimod.BinaryPolynomial({("a", 1, "b"): 1.0, ("a", "b", (2, 3)): -2.0, ((2, 3), "b", 7, "a"): 0.5,
                                   (1, 7, "a", "b", (2, 3)): 0.25}, "SPIN")
    bqm, red = reduce(poly, method)
    back = Reduction.load(red.save(tmp_path / "r.json"))
    assert back == red and back.bqm == bqm
    assert all(a.definition.startswith(a.label + ":") for a in back.ancillas)
    check = back.verify()
    assert check.ok and check.exact
