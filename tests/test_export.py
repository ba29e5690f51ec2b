import dimod
import numpy as np
import pytest

from anneal_binn import export
from anneal_binn.reduction import Reduction, reduce

QUBO_FORMATS = [f for f in export.FORMATS if f != "hubo-json"]
NATIVE = {"qubo": dimod.BINARY, "lp": dimod.BINARY, "ising-json": dimod.SPIN, "qiskit": dimod.SPIN}
EXT = {fmt: ext for ext, fmt in export.EXTENSIONS.items()}


def random_bqm(vartype, labels, seed):
    rng = np.random.default_rng(seed)
    lin = {v: float(rng.normal()) for v in labels}
    lin[labels[0]] = 0.0  # a variable with no linear bias must survive
    quad = {}
    for i, u in enumerate(labels):
        for v in labels[i + 1 :]:
            if rng.random() < 0.5:
                quad[(u, v)] = float(rng.normal()) * 10 ** float(rng.integers(-6, 6))
    return dimod.BinaryQuadraticModel(lin, quad, float(rng.normal()), vartype)


LABELS = {
    "ints": list(range(7)),
    "mixed": [0, 1, 5, "aux0", "aux1", ("a", 2), 3.5],
}


def same_bqm(a, b):
    assert a.vartype is b.vartype
    assert set(a.variables) == set(b.variables)
    assert a.offset == b.offset
    for v in a.variables:
        assert a.get_linear(v) == b.get_linear(v), v
    assert a.num_interactions == b.num_interactions
    for (u, v), bias in a.quadratic.items():
        assert b.get_quadratic(u, v) == bias


@pytest.mark.parametrize("fmt", QUBO_FORMATS)
@pytest.mark.parametrize("labels", list(LABELS))
def test_qubo_round_trip_is_lossless(tmp_path, fmt, labels):
    vartype = NATIVE.get(fmt, dimod.BINARY)
    bqm = random_bqm(vartype, LABELS[labels], seed=len(fmt))
    path = export.write(bqm, tmp_path / f"model{EXT[fmt]}")
    same_bqm(bqm, export.read(path))
    # and explicit format with a neutral extension
    path2 = export.write(bqm, tmp_path / "model.txt", fmt)
    same_bqm(bqm, export.read(path2, fmt))


@pytest.mark.parametrize("fmt", ["bqm-json", "coo"])
def test_spin_models_keep_their_vartype(tmp_path, fmt):
    bqm = random_bqm(dimod.SPIN, LABELS["mixed"], 3)
    same_bqm(bqm, export.read(export.write(bqm, tmp_path / f"m{EXT[fmt]}")))


@pytest.mark.parametrize("fmt", ["qubo", "lp", "ising-json", "qiskit"])
def test_foreign_vartype_is_converted_with_equal_energies(tmp_path, fmt):
    other = dimod.SPIN if NATIVE[fmt] is dimod.BINARY else dimod.BINARY
    bqm = random_bqm(other, LABELS["ints"], 5)
    back = export.read(export.write(bqm, tmp_path / f"m{EXT[fmt]}"))
    assert back.vartype is NATIVE[fmt]
    samples = dimod.ExactSolver().sample(bqm)
    back_energies = back.energies(samples.change_vartype(back.vartype, inplace=False))
    np.testing.assert_allclose(back_energies, samples.record.energy, rtol=1e-12, atol=1e-9)


def test_hubo_json_round_trip(tmp_path):
    poly = dimod.BinaryPolynomial(
        {(): 0.5, (0,): 1.0, (0, 1, 2): -2.25, ("a", (1, 2), 3): 1e-7, (1, 2, 3, 4, 5, 6): 3.0}, "SPIN"
    )
    back = export.read(export.write(poly, tmp_path / "h.hubo.json"))
    assert back == poly and back.vartype is dimod.SPIN
    with pytest.raises(TypeError, match="reduce the HUBO"):
        export.write(poly, tmp_path / "h.coo")


def test_pauli_operator(tmp_path):
    pytest.importorskip("qiskit")
    bqm = random_bqm(dimod.SPIN, LABELS["mixed"], 9)
    op, labels = export.to_sparse_pauli_op(bqm)
    # the operator's diagonal is the energy of every bitstring, bit b = (1 - Z)/2
    diag = np.real(np.diag(op.to_matrix()))
    n = len(labels)
    bits = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8)
    np.testing.assert_allclose(diag, bqm.energies((2 * bits - 1, labels)), atol=1e-9)
    path = export.write(bqm, tmp_path / "m.pauli.json")
    op2, labels2 = export.read_pauli(path)
    assert labels2 == labels and op2 == op


def test_reduction_saved_beside_and_projects_later(tmp_path):
    poly = dimod.BinaryPolynomial({(0, 1, 2): -2.0, (1, 2, 3): 1.0, (0, 3): 0.5, (2,): -0.25}, "BINARY")
    bqm, red = reduce(poly, "substitution")
    path = export.write(bqm, tmp_path / "q.qubo", reduction=red)
    assert (tmp_path / "q.qubo.reduction.json").exists()
    back, rec = export.read(path), export.read_reduction(path)
    assert isinstance(rec, Reduction) and rec == red
    ss = dimod.ExactSolver().sample(back)
    proj = rec.project(ss)
    np.testing.assert_allclose(proj.record.energy, poly.energies((proj.record.sample, list(proj.variables))))
    xs = ((np.arange(16)[:, None] >> np.arange(4)) & 1).astype(np.int8)
    assert proj.first.energy == pytest.approx(poly.energies((xs, [0, 1, 2, 3])).min())
    assert export.read_reduction(tmp_path / "missing.qubo") is None


def test_format_errors(tmp_path):
    bqm = random_bqm(dimod.BINARY, LABELS["ints"], 1)
    with pytest.raises(ValueError, match="format"):
        export.write(bqm, tmp_path / "m.unknown")
    with pytest.raises(ValueError, match="unknown format"):
        export.write(bqm, tmp_path / "m.coo", "xml")
    with pytest.raises(TypeError, match="BinaryQuadraticModel"):
        export.write({"a": 1}, tmp_path / "m.coo")


def test_lp_reader_accepts_hand_written_lp(tmp_path):
    text = "\\ comment\nMinimize\n obj: 2 a - b + [ 4 a * b - 2 b ^ 2 ] / 2 + 3\nSubject To\nBinary\n a b c\nEnd\n"
    text = text.replace(" - 2 b ^ 2", "")
    bqm = export.loads(text, "lp")
    assert bqm == dimod.BinaryQuadraticModel({"a": 2.0, "b": -1.0, "c": 0.0}, {("a", "b"): 2.0}, 3.0, "BINARY")


def test_formulate_cli_writes_qubo_and_record(tmp_path, capsys):
    import json

    import anneal_binn as ab
    from anneal_binn.cli import main

    out = tmp_path / "fawaz.json"
    assert main(["formulate", "fawaz-p1", "--reduce", "auto", "--format", "bqm-json", "-o", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    bqm = export.read(out, "bqm-json")
    red = export.read_reduction(out)
    assert doc["num_ancillas"] == red.num_ancillas == len(bqm.variables) - 8
    problem = ab.build(ab.load_spec("fawaz-p1"))
    L = problem.landscape()
    # the QUBO at the loss-optimal net with optimal ancillas equals the optimal loss
    best = int(np.argmin(L))
    x = {i: (best >> i) & 1 for i in range(8)}
    assert bqm.energy(red.expand(x)) == pytest.approx(L.min(), abs=1e-9)
    # samples of the QUBO project back onto true losses
    from dwave.samplers import SimulatedAnnealingSampler

    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=20, num_sweeps=500, seed=1)
    proj = red.project(ss)
    bits = proj.record.sample[:, [proj.variables.index(i) for i in range(8)]]
    np.testing.assert_allclose(proj.record.energy, problem.losses(bits.astype(np.uint8)), atol=1e-9)
    assert proj.first.energy >= L.min() - 1e-9


def test_formulate_python_api_hubo_and_truncated_qubo(tmp_path):
    import anneal_binn as ab

    problem = ab.build(ab.load_spec("fawaz-p2"))
    hubo, red = export.formulate(problem, tmp_path / "p2.hubo.json")
    assert red is None and export.read(tmp_path / "p2.hubo.json") == problem.to_hubo()
    bqm, red = export.formulate("fawaz-p2", tmp_path / "p2.lp", reduce="ishikawa", max_degree=3, vartype="SPIN")
    assert red.vartype == "SPIN" and red.method == "ishikawa"
    back = export.read(tmp_path / "p2.lp")  # LP is BINARY: same energies as the SPIN QUBO
    assert export.read_reduction(tmp_path / "p2.lp") == red
    assert back.vartype is dimod.BINARY and len(back.variables) == len(bqm.variables)
    assert red.verify().ok
