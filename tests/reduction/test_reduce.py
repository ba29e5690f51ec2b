import json
import os
import subprocess
import sys
from pathlib import Path

import dimod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anneal_binn as ab
from anneal_binn.reduction import METHODS, Reduction, reduce

from ._random import random_hubo

ROOT = Path(__file__).resolve().parents[2]
EXPLICIT = [m for m in METHODS if m != "auto"]


def brute_hubo(poly: dimod.BinaryPolynomial, variables) -> np.ndarray:
    n = len(variables)
    xs = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8)
    if poly.vartype is dimod.SPIN:
        xs = 2 * xs - 1
    return xs, poly.energies((xs, list(variables)))


def min_over_ancillas(bqm: dimod.BinaryQuadraticModel, variables, ancillas) -> np.ndarray:
    """Brute force over every assignment of originals and ancillas (small cases only)."""
    n, m = len(variables), len(ancillas)
    k = np.arange(2 ** (n + m))
    Z = ((k[:, None] >> np.arange(n + m)) & 1).astype(np.int8)
    if bqm.vartype is dimod.SPIN:
        Z = 2 * Z - 1
    e = bqm.energies((Z, list(variables) + list(ancillas)))
    return e.reshape(2**m, 2**n).min(axis=0)


@pytest.mark.parametrize("method", METHODS)
def test_exact_on_hundreds_of_random_hubos(method):
    """min over ancillas == HUBO for every assignment; 200 HUBOs per method, <= 12 variables."""
    for seed in range(200):
        n = 3 + seed % 10
        sign = ("mixed", "positive", "negative")[seed % 3]
        poly = random_hubo(n, 2 + seed % 9, 2 + seed % 5, seed, sign)
        bqm, red = reduce(poly, method)
        check = red.verify()
        assert check.exact and check.ok, (seed, method, check)
        assert check.assignments == 2 ** len(red.variables)
        # the energy at expand(x) is the HUBO energy for every x
        xs, want = brute_hubo(poly, red.variables)
        full = red.expand(xs)
        got = bqm.energies((full, list(red.variables) + list(red.ancilla_labels)))
        np.testing.assert_allclose(got, want, atol=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_exact_by_full_brute_force(method):
    """Independent of verify(): enumerate originals AND ancillas with dimod's own energies."""
    checked = 0
    for seed in range(200, 260):
        poly = random_hubo(3 + seed % 4, 2 + seed % 3, 3 + seed % 4, seed)
        if seed % 4 == 0:
            poly = poly.to_spin()
        bqm, red = reduce(poly, method)
        if len(red.variables) + red.num_ancillas > 16:
            continue
        _, want = brute_hubo(poly, red.variables)
        np.testing.assert_allclose(min_over_ancillas(bqm, red.variables, red.ancilla_labels), want, atol=1e-9)
        checked += 1
    assert checked >= 30


terms_strategy = st.dictionaries(
    st.frozensets(st.integers(0, 7), min_size=1, max_size=6),
    st.floats(-5, 5, allow_nan=False).filter(lambda c: abs(c) > 1e-3),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(terms=terms_strategy, method=st.sampled_from(METHODS), spin=st.booleans())
def test_exact_property(terms, method, spin):
    poly = dimod.BinaryPolynomial(terms, "SPIN" if spin else "BINARY")
    bqm, red = reduce(poly, method)
    assert bqm.vartype is poly.vartype
    check = red.verify()
    assert check.ok and check.exact, check


def test_gadget_ancilla_counts_and_no_penalties():

    for k in range(3, 8):
        pos = dimod.BinaryPolynomial({tuple(range(k)): 1.5}, "BINARY")
        neg = dimod.BinaryPolynomial({tuple(range(k)): -1.5}, "BINARY")
        _, r = reduce(pos, "ishikawa")
        assert r.num_ancillas == (k - 1) // 2
        _, r = reduce(neg, "ishikawa")
        assert r.num_ancillas == 1
        _, r = reduce(neg, "freedman-drineas")
        assert r.num_ancillas == 1 and r.max_penalty == 0.0
        _, r = reduce(pos, "freedman-drineas")
        assert r.num_ancillas == k - 2 and r.max_penalty == 0.0
        _, r = reduce(pos, "substitution")
        assert r.num_ancillas == k - 2 and r.max_penalty > 0


def test_substitution_shares_pairs():
    # three cubic terms share x0*x1: one ancilla covers them all
    poly = dimod.BinaryPolynomial({(0, 1, 2): 1.0, (0, 1, 3): -2.0, (0, 1, 4): 0.5}, "BINARY")
    _, red = reduce(poly, "substitution")
    assert [a.factors for a in red.ancillas] == [(0, 1)]
    alpha, beta = red.ancillas[0].penalty
    assert (alpha, beta) == (2.0, 1.5)  # sum of |negative| and of positive coefficients using it


@pytest.mark.parametrize("which", [0, 1])
def test_penalty_is_minimal_for_isolated_ancillas(which):
    """Lowering alpha or beta of an isolated ancilla by any amount breaks a ground state."""
    poly = dimod.BinaryPolynomial({(0, 1, 2): -1.25, (0, 1, 3): 0.75, (0, 1, 4): 0.5}, "BINARY")
    _, red = reduce(poly, "substitution")
    (anc,) = red.ancillas
    alpha, beta = anc.penalty
    assert (alpha, beta) == (1.25, 1.25)
    eps = 0.01
    new_pen = (alpha - eps, beta) if which == 0 else (alpha, beta - eps)
    # rebuild the penalty part of the QUBO with the smaller values
    u, v, y = anc.factors[0], anc.factors[1], anc.label
    lin = dict(red.linear)
    quad = dict(red.quadratic)

    def qkey(a, b):
        return (a, b) if (a, b) in quad else (b, a)

    da, db = new_pen[0] - alpha, new_pen[1] - beta
    quad[qkey(u, v)] = quad.get(qkey(u, v), 0.0) + db
    quad[qkey(u, y)] -= da + db
    quad[qkey(v, y)] -= da + db
    lin[y] += 2 * da + db
    weaker = red.replace(linear=tuple(lin.items()), quadratic=tuple(quad.items()))
    assert red.verify().ok
    check = weaker.verify()
    assert check.exact and not check.ok
    assert check.max_error == pytest.approx(eps)


def test_nested_substitution_penalty_covers_descendants():
    # a single degree-6 negative term: a chain of nested ancillas, each penalty large enough
    poly = dimod.BinaryPolynomial({tuple(range(6)): -3.0, (0, 1, 2): 1.0}, "BINARY")
    _, red = reduce(poly, "substitution")
    assert red.num_ancillas >= 3
    assert red.verify().ok


def test_spin_input_is_not_doubled():
    poly = random_hubo(10, 12, 4, 3).to_spin()
    bqm, red = reduce(poly, "substitution")
    assert bqm.vartype is dimod.SPIN and red.vartype == "SPIN"
    _, red_b = reduce(poly.to_binary(), "substitution")
    assert red.num_ancillas == red_b.num_ancillas
    peer = dimod.make_quadratic(poly, 100.0, dimod.SPIN)
    assert red.num_ancillas < len(peer.variables) - len(red.variables)
    assert red.verify().ok


def test_auto_is_never_worse_than_the_candidates():
    poly = random_hubo(12, 40, 5, 11)
    counts = {m: reduce(poly, m)[1].num_ancillas for m in EXPLICIT}
    bqm, red = reduce(poly, "auto")
    assert red.requested == "auto" and red.method in EXPLICIT
    assert red.num_ancillas == min(counts.values())
    assert red.verify().ok


@pytest.mark.parametrize("seed", range(6))
def test_cover_lower_bound_is_a_lower_bound(seed):
    from anneal_binn.reduction._terms import to_int_terms
    from anneal_binn.reduction.cover import cover_lower_bound

    poly = random_hubo(14, 60, 10, 100 + seed)  # degrees up to 10: above COVER_MAX_DEGREE too
    _, terms, _ = to_int_terms(poly)
    _, red = reduce(poly, "cover")
    assert cover_lower_bound(terms) <= red.num_ancillas


def test_auto_on_a_dense_high_degree_hubo_equals_the_best_candidate():
    # every term of degree 9..12: the cover's bound exceeds substitution's count, so auto skips it
    rng = np.random.default_rng(3)
    terms = {tuple(sorted(rng.choice(14, size=int(rng.integers(9, 13)), replace=False).tolist())): float(rng.normal())
             for _ in range(60)}
    poly = dimod.BinaryPolynomial(terms, "BINARY")
    counts = {m: reduce(poly, m)[1].num_ancillas for m in EXPLICIT}
    _, red = reduce(poly, "auto")
    assert red.method != "cover" and red.num_ancillas == min(counts.values()) < counts["cover"]


def test_auto_beats_dimod_on_dense_random_hubo():
    poly = random_hubo(20, 300, 4, 5)
    _, red = reduce(poly, "auto")
    peer = dimod.make_quadratic(poly, sum(abs(c) for c in poly.values()), dimod.BINARY)
    assert red.num_ancillas < len(peer.variables) - len(red.variables)


def test_expand_and_project_roundtrip():
    poly = random_hubo(8, 10, 5, 21)
    bqm, red = reduce(poly, "auto")
    ss = dimod.ExactSolver().sample(bqm) if len(bqm) <= 18 else dimod.SimulatedAnnealingSampler().sample(bqm)
    proj = red.project(ss)
    assert list(proj.variables) == list(red.variables)
    want = poly.energies((proj.record.sample, list(red.variables)))
    np.testing.assert_allclose(proj.record.energy, want)
    # the QUBO ground state projects to the HUBO ground state
    _, hub = brute_hubo(poly, red.variables)
    assert proj.first.energy == pytest.approx(hub.min())
    # the QUBO never undercuts the HUBO; samples whose ancillas are expand()'s have none broken
    assert (proj.record.qubo_energy >= proj.record.energy - 1e-9).all()
    labels = list(red.variables) + list(red.ancilla_labels)
    full = ss.record.sample[:, [ss.variables.index(v) for v in labels]]
    n = len(red.variables)
    optimal = (red.expand(full[:, :n]) == full).all(axis=1)
    assert optimal.sum() >= 2**n
    assert (proj.record.num_broken[optimal] == 0).all()
    # mapping form of expand
    x = {v: 1 for v in red.variables}
    full = red.expand(x)
    assert bqm.energy(full) == pytest.approx(poly.energy(x))


def test_project_flags_broken_substitution_ancilla():
    poly = dimod.BinaryPolynomial({(0, 1, 2): -1.0, (0, 1, 3): 1.0}, "BINARY")
    bqm, red = reduce(poly, "substitution")
    good = red.expand({0: 1, 1: 1, 2: 1, 3: 0})
    bad = dict(good)
    bad["aux0"] = 0
    ss = dimod.SampleSet.from_samples_bqm([good, bad], bqm)
    proj = red.project(ss)
    assert proj.record.num_broken.tolist() == [0, 1]
    assert proj.record.energy.tolist() == [-1.0, -1.0]  # true HUBO energy either way


def test_record_save_load(tmp_path):
    poly = dimod.BinaryPolynomial({("a", 1): 1.0, ("a", "b", (2, 3)): -2.0, ((2, 3), "b", 7, "a"): 0.5}, "SPIN")
    bqm, red = reduce(poly, "substitution")
    path = red.save(tmp_path / "r.json")
    back = Reduction.load(path)
    assert back == red
    assert back.bqm == bqm
    assert back.ancillas[0].definition.startswith("aux0 =")
    assert json.loads(path.read_text())["version"] == 2


def test_version_1_records_still_load():
    """A record saved by the tuple-based version 1 reads back to the same reduction."""
    from anneal_binn.reduction.record import _encode

    poly = dimod.BinaryPolynomial({("a", 1): 1.0, ("a", "b", (2, 3)): -2.0, ((2, 3), "b", 7, "a"): 0.5}, "SPIN")
    _, red = reduce(poly, "substitution")
    v1 = {
        "format": "anneal-binn.reduction", "version": 1, "method": red.method, "requested": red.requested,
        "vartype": red.vartype, "variables": [_encode(v) for v in red.variables],
        "ancillas": [{"label": a.label, "gadget": a.gadget, "factors": [_encode(f) for f in a.factors],
                      "negated": list(a.negated), "coefficient": a.coefficient, "index": a.index,
                      "penalty": list(a.penalty)} for a in red.ancillas],
        "hubo": [[[_encode(v) for v in t], c] for t, c in red.hubo], "hubo_offset": red.hubo_offset,
        "linear": [[_encode(v), b] for v, b in red.linear],
        "quadratic": [[_encode(u), _encode(v), b] for (u, v), b in red.quadratic], "offset": red.offset,
    }
    back = Reduction.from_dict(json.loads(json.dumps(v1)))
    assert back == red


def test_errors():
    poly = dimod.BinaryPolynomial({(0, 1, 2): 1.0}, "BINARY")
    with pytest.raises(ValueError, match="method"):
        reduce(poly, "magic")
    with pytest.raises(TypeError, match="BinaryPolynomial"):
        reduce({(0, 1, 2): 1.0})
    with pytest.raises(ValueError, match="ancilla_prefix"):
        reduce(dimod.BinaryPolynomial({("aux0", 1, 2): 1.0}, "BINARY"))
    _, red = reduce(poly, "ishikawa")
    with pytest.raises(ValueError, match="BINARY values"):
        red.expand(np.array([[2, 0, 1]]))


def test_lazy_public_names():
    assert ab.reduce is reduce and ab.Reduction is Reduction


def test_output_identical_across_hash_seeds():
    script = (
        "import dimod, json\n"
        "from anneal_binn.reduction import reduce\n"
        "from tests.reduction._random import random_hubo\n"
        "p = random_hubo(12, 40, 5, 7)\n"
        "named = {frozenset(('s%d' % i for i in t)): c for t, c in p.items()}\n"
        "q = dimod.BinaryPolynomial(named, 'BINARY')\n"
        "out = []\n"
        "for m in ('auto', 'substitution', 'cover', 'ishikawa', 'freedman-drineas', 'spin-hybrid', 'parity'):\n"
        "    for poly in (p, q, dimod.BinaryPolynomial(named, 'SPIN')):\n"
        "        bqm, red = reduce(poly, m)\n"
        "        out.append(red.to_dict())\n"
        "print(json.dumps(out))\n"
    )
    outs = []
    for seed in ("0", "1"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        res = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
        outs.append(res.stdout)
    assert outs[0] == outs[1] and len(outs[0]) > 1000


def test_hybrid_never_needs_more_ancillas_than_substitution():
    for seed in range(20):
        poly = random_hubo(10 + seed % 10, 30, 6, 500 + seed, ("mixed", "negative", "positive")[seed % 3])
        sub = reduce(poly, "substitution")[1].num_ancillas
        _, hyb = reduce(poly, "hybrid")
        assert hyb.num_ancillas <= sub
    # two negative quartics sharing x0*x1: two Freedman-Drineas ancillas beat three substitutions
    poly = dimod.BinaryPolynomial({(0, 1, 2, 3): -1.0, (0, 1, 4, 5): -1.0}, "BINARY")
    assert reduce(poly, "substitution")[1].num_ancillas == 3
    _, red = reduce(poly, "hybrid")
    assert red.num_ancillas == 2 and {a.gadget for a in red.ancillas} == {"freedman-drineas"}


@pytest.mark.parametrize("d", range(3, 10))
def test_bcr_gadget_reproduces_the_monomial_exactly(d):
    """Boros-Crama-Rodriguez-Heck: ceil(log2 d) - 1 ancillas, no penalty, and the minimum over the
    ancillas equals c * x_1...x_d on every assignment (brute force over originals and ancillas)."""
    want_anc = (d - 1).bit_length() - 1
    for c in (1.0, 2.75):
        poly = dimod.BinaryPolynomial({tuple(range(d)): c}, "BINARY")
        bqm, red = reduce(poly, "bcr")
        assert red.num_ancillas == want_anc and red.max_penalty == 0.0
        assert {a.gadget for a in red.ancillas} == {"bcr"}
        _, want = brute_hubo(poly, red.variables)
        np.testing.assert_allclose(min_over_ancillas(bqm, red.variables, red.ancilla_labels), want, atol=1e-9)
        # expand() puts every ancilla at a minimising value
        xs = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(np.int8)
        full = red.expand(xs)
        np.testing.assert_allclose(bqm.energies((full, list(red.variables) + list(red.ancilla_labels))), want)
    if d >= 7:  # fewer ancillas than Ishikawa's floor((d-1)/2), and auto takes the saving
        assert want_anc < (d - 1) // 2
        _, red = reduce(dimod.BinaryPolynomial({tuple(range(d)): 1.0}, "BINARY"), "auto")
        assert red.num_ancillas == want_anc


def test_bcr_on_mixed_hubos_is_exact():
    for seed in range(10):
        poly = random_hubo(8, 6, 8, 700 + seed, ("mixed", "positive")[seed % 2])
        if seed % 3 == 0:
            poly = random_hubo(6, 5, 4, 700 + seed).to_spin()
        bqm, red = reduce(poly, "bcr")
        assert bqm.vartype is poly.vartype
        check = red.verify()
        assert check.exact and check.ok, (seed, check)


def test_auto_objectives_pick_the_best_candidate_by_their_measure():
    poly = random_hubo(12, 40, 6, 13)
    _, by_anc = reduce(poly, "auto")
    _, by_range = reduce(poly, "auto", objective="coefficient_range")
    names = [m for m, _, _ in by_range.candidates]
    assert set(names) >= {"substitution", "ishikawa", "bcr", "freedman-drineas"}
    ranges = {m: sc[0] for m, _, sc in by_range.candidates}
    assert ranges[by_range.method] == min(ranges.values())
    ancillas = {m: a for m, a, _ in by_anc.candidates}
    assert by_anc.num_ancillas == min(ancillas.values())
    assert by_range.objective == "coefficient_range" and by_anc.objective == "ancillas"
    for red in (by_anc, by_range):
        assert red.verify().ok
    with pytest.raises(ValueError, match="objective"):
        reduce(poly, "auto", objective="qubits")


def test_auto_physical_qubits_counts_an_embedding_on_the_target():
    import networkx as nx

    from anneal_binn.reduction.hardware import _dnx, embed

    poly = random_hubo(8, 14, 4, 5)
    target = _dnx().chimera_graph(4)  # 128 qubits of degree <= 6: chains are needed, minorminer is quick
    _, red = reduce(poly, "auto", objective="physical_qubits", target=target, embed_timeout=5.0)
    scores = {m: sc[0] for m, _, sc in red.candidates}
    assert scores[red.method] == min(scores.values()) < float("inf")
    emb = embed(red.to_bqm(), target, seed=0, timeout=5.0)
    assert emb.ok and emb.qubits == scores[red.method] and emb.qubits >= len(red.to_bqm().variables)
    # a valid minor embedding: chains are disjoint connected sets, every coupler has an edge
    used = [q for chain in emb.embedding.values() for q in chain]
    assert len(used) == len(set(used))
    for chain in emb.embedding.values():
        assert nx.is_connected(target.subgraph(chain))
    for u, v in red.to_bqm().quadratic:
        assert any(target.has_edge(a, b) for a in emb.embedding[u] for b in emb.embedding[v])


def test_embed_passes_minorminer_options_through():
    from anneal_binn.reduction.hardware import _dnx, embed

    bqm = dimod.BinaryQuadraticModel({}, {(i, j): 1.0 for i in range(7) for j in range(i + 1, 7)}, 0.0, "BINARY")
    target = _dnx().chimera_graph(3)  # K7 needs chains on a degree-6 graph
    hard = embed(bqm, target, seed=1, timeout=5.0, max_no_improvement=40, chainlength_patience=40)
    assert hard.ok and hard.qubits > 7 and sorted(hard.embedding) == list(range(7))
    with pytest.raises((TypeError, ValueError)):
        embed(bqm, target, seed=1, timeout=5.0, chainlength_patiense=40)
