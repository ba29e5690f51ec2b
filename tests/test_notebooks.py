"""The notebooks run top to bottom at toy size, and their key numbers are checked.

Each notebook reads ``TOY = os.environ.get("ANNEAL_BINN_TOY", "1") == "1"``; the committed copies are
executed at paper size, the test re-executes them with ``ANNEAL_BINN_TOY=1``. A notebook that writes its
results as JSON to ``$ANNEAL_BINN_RESULTS`` (its last cell) has them checked by ``CHECKS[stem]``.
"""
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _check_quantum_hypernetworks(r):
    # seed 002 Figs. 2-6 at toy size (few initializations; the committed notebook runs more)
    assert r["toy"] is True
    ga, gw = r["gaussian-activation"], r["gaussian-width"]
    # Fig. 2: N = 14, exact optimum BCE 0.0079 (paper: ~0.008), 6 optimal configurations, all ReLU
    assert ga["N"] == 14 and abs(ga["optimum"] - 0.0079) < 1e-4
    assert ga["num_optima"] == 6 and ga["optimal_activations"] == ["relu"]
    # Fig. 3: N = 15, the width bit picks 3 hidden units, the same optimum
    assert gw["N"] == 15 and gw["optimum"] == ga["optimum"] and gw["optimal_widths"] == [3]
    assert gw["optimal_activations"] == ["relu"]
    for key, eps in (("fig2", 0.03), ("fig3", 0.03), ("fig4", 5e-5)):
        f = r[key]
        assert f["epsilon"] == eps and "0" in f["success"]
        assert all(0.0 <= v <= 1.0 for v in f["success"].values())
        assert all(e >= f["c_min"] - 1e-5 for e in f["median_E"].values())  # E(theta) >= min C (rounded)
    assert abs(r["fig2"]["c_min"] - 0.0079) < 1e-4 and r["fig4"]["N"] == 17
    # even the product state reaches the optimum within 0.03 (paper: all ansatze find it)
    assert r["fig2"]["success"]["0"] > 0
    # Fig. 5: W(S) largest at S = 0, decaying fast; logistic regression has no odd S >= 3 terms
    for f in r["fig5"].values():
        W = f["W"]
        assert f["argmax"] == 0 and max(W[8:]) < 1e-2 * max(W[1:])
    Wm = r["fig5"]["mnist4x4-logistic"]["W"]
    assert len(Wm) == 18 and max(Wm[3::2]) < 1e-20 * Wm[0]
    # Fig. 6: training curves fall; the generalization gap shrinks from N_s = 2 to 1000 and is small there
    f6 = r["fig6"]
    assert all(f6["train_last"][s] < f6["train_first"][s] for s in f6["train_first"])
    assert f6["gap_last"]["2"] > f6["gap_last"]["1000"] + 0.2 and abs(f6["gap_last"]["1000"]) < 0.1


def _check_amplitude_amplification(r):
    # seed 003 section 5: 8 and 4 perfect weight sets of 256; meta-training: 24 of 16,384
    assert r["toy"] is True
    p1, p2, meta = r["fawaz-p1"], r["fawaz-p2"], r["fawaz-meta-p1"]
    assert (p1["perfect"], p1["configurations"]) == (8, 256)
    assert (p2["perfect"], p2["configurations"]) == (4, 256)
    assert (meta["perfect"], meta["configurations"]) == (24, 16384)
    # Fig. 4: first maximum of sin^2((2k+1) theta); state vector and Qiskit circuit agree with it
    assert (p1["k_star"], p2["k_star"], meta["k_star"]) == (4, 6, 20)
    assert p1["p_at_k_star"] > 0.99 and p2["p_at_k_star"] > 0.99
    for p in (p1, p2):
        assert p["statevector_max_dev"] < 1e-9 and p["circuit_max_dev"] < 1e-6
    # Fig. 5: the exact schedule crosses 90% at step 6 and 7 (the paper's n = 5 and 6)
    assert (p1["bbht_steps_90_exact"], p2["bbht_steps_90_exact"]) == (6, 7)
    # classical: the paper's 28 and 57 are floor(0.9/p); 90% confidence needs 73/147 (64/112 without replacement)
    assert (p1["paper_formula"], p2["paper_formula"]) == (28, 57)
    assert (p1["classical_with_replacement"], p2["classical_with_replacement"]) == (73, 147)
    assert (p1["classical_without_replacement"], p2["classical_without_replacement"]) == (64, 112)
    # section 5.1: "between 16 and 20 amplifications were found to be sufficient"
    assert meta["p_at_16"] > 0.9 and meta["p_at_20"] > 0.99
    assert meta["k_with_p_above_0.9"][0] == 16


def _check_annealing_at_scale(r):
    # toy: N = 51, 2 instances per load, no catalogue nets
    assert r["toy"] is True and r["N"] == 51 and r["instances"] == 2 and r["routes"] == []
    solvers = {"SA 2k", "SA 10k", "SA 32k", "SQA 2k", "replicated 2k", "QUBO-SA", "SBPI"}
    assert set(r["solved"]) == solvers
    for c in solvers:
        assert set(r["solved"][c]) == {"0.5", "0.6", "0.7", "0.75"}
        assert all(0 <= v <= 2 for v in r["solved"][c].values())
        # zero errors <=> solved
        for a, v in r["solved"][c].items():
            assert (v == 2) == (r["mean_errors"][c][a] == 0)
    # at the lowest load the annealers that Baldassi & Zecchina favour, and SBPI, solve every instance
    for c in ("SQA 2k", "replicated 2k", "SBPI"):
        assert r["solved"][c]["0.5"] == 2
    # SQA at 2k sweeps solves at least as many instances as plain SA at 2k sweeps
    assert sum(r["solved"]["SQA 2k"].values()) >= sum(r["solved"]["SA 2k"].values())


def _check_vqa_mps(r):
    # seed 004 at toy size: still 66 qubits and P = 2, but 100 shots, 4 iterations, 500 measured nets
    assert r["toy"] is True and r["layers"] == 2 and r["accuracy_cut"] == 0.9
    assert r["chi_max"] == {"spsa": 4, "qnspsa": 4}   # exact MPS: chi = 2**P at P = 2
    ref = r["reference"]  # the spec's classical route on the same 66 bits
    assert abs(ref["loss"] - 0.00537) < 1e-4 and ref["test_accuracy"] >= 0.97
    tr = r["training"]
    for k in ("spsa", "qnspsa"):
        t = tr[k]
        assert t["cost_length"] == r["maxiter"] + 1 and t["energy_calls_first"] == 51  # theta0 + calibration
        assert t["cost_last"] < t["cost_first"]         # both optimizers lower the shot-estimated cost
        assert t["cost_min"] > ref["loss"]              # no shot estimate beats the classical optimum's loss
    assert tr["spsa"]["cost_first"] == tr["qnspsa"]["cost_first"]   # same start, same seed
    assert tr["spsa"]["fidelity_calls"] == 0 and tr["qnspsa"]["fidelity_calls"] == 4 * r["maxiter"]
    sa = r["sampling"]
    for k in ("initial", "spsa", "qnspsa"):
        s = sa[k]
        assert s["samples"] == r["samples"] and 0.0 <= s["test_accuracy_mean"] <= s["test_accuracy_max"] <= 1.0
        assert s["good"] == round(s["good_fraction"] * s["samples"])
    # SPSA moves probability onto better nets than the initial state measures
    assert sa["spsa"]["test_accuracy_mean"] > sa["initial"]["test_accuracy_mean"] + 0.05
    assert sa["spsa"]["good_fraction"] > sa["initial"]["good_fraction"]
    # the good nets are closer to each other than random 66-bit strings (33 bits apart on average)
    hm = r["hamming"]["spsa"]
    assert hm["pairs"] > 10 and 10 < hm["mean"] < 33
    # the figures: cost vs iterations (2 optimizers + reference), accuracy histograms, Hamming, weight images
    f = r["figures"]
    assert [p["lines"] for p in f["cost"]] == [3, 3] and f["cost"][0]["xlabel"] == "iteration"
    assert f["accuracy"][0]["patches"] == 3
    assert f["hamming"][0]["patches"] >= 1 and f["hamming"][1]["patches"] >= 1
    assert f["best_weights"][0]["images"] == 1 and f["reference_weights"][0]["images"] == 1
    assert len(f["bce"]) == 2
    # the paper's loss without the activation bit: 65 qubits
    assert r["bce"]["N"] == 65 and r["bce"]["reference_test_accuracy"] >= 0.95


def _check_digitized_annealing(r):
    # Lami et al. Fig. 7(a) at toy size: N = 10, 8 patterns, P = 30, chi = 10, dt = 0.2, 1.0, 2.0
    assert r["toy"] is True and (r["N"], r["patterns"], r["P"], r["chi"]) == (10, 8, 30, 10)
    # the counter MPO is the exact phase, with bond ~ min(j, N - j) + 1 (not the Fourier form's N + 1)
    assert r["mpo_phase_error"] < 1e-12 and r["mpo_bond_max"] <= r["N"] // 2 + 1
    mps, exact = r["eps_mps"], r["eps_exact"]
    assert all(v >= -1e-9 for v in list(mps.values()) + list(exact.values()))
    assert all(0.0 <= v <= 1.0 for v in r["truncation_error"].values())
    # small dt: the truncated MPS follows exact dQA; dt = O(1): exact dQA degrades (Trotter errors) and the
    # chi = 10 MPS lands far lower, the paper's observation
    assert abs(mps["0.2"] - exact["0.2"]) < 0.1 * exact["0.2"]
    assert exact["1.0"] > 3 * mps["1.0"] and exact["2.0"] > exact["1.0"] > exact["0.2"] / 2
    assert r["figure_axes"] == 2


def _check_neuron_selection(r):
    # toy: a 256-unit digits net, blocks of 1, 2, 4, 8 bits, 2 sweeps each
    assert r["toy"] is True and r["blocks"] == [1, 2, 4, 8]
    t = r["tiny"]
    rows = {(x["method"], x["block"]): x for x in t["rows"]}
    # the enumerated reference: global is the optimum, local never below it, and blocks >= 4 reach it
    assert rows[("global", 16)]["gap"] == 0 or abs(rows[("global", 16)]["gap"]) < 1e-12
    assert all(x["gap"] > -1e-12 for x in t["rows"])
    for k in (4, 8, 16):
        assert abs(rows[("local", k)]["gap"]) < 1e-12 and rows[("local", k)]["qubits"] == k
    assert rows[("local", 1)]["subproblems"] >= 16
    d = r["digits"]
    assert d["n"] == 2560 and d["global"]["qubits"] == 2560
    for k, v in d["local"].items():
        assert v["qubits"] == int(k) and v["subproblems"] == v["sweeps"] * d["n"] // int(k)
        objectives = [h["objective"] for h in v["history"]]
        assert all(b <= a + 1e-12 for a, b in zip(objectives, objectives[1:]))  # descent never rises
        assert v["train"] > 0.9 and v["test"] > 0.7
    assert d["edge_popup"]["test"] > 0.7
    # gate-model and annealing-schedule answers to 8-qubit blocks equal the blocks' exact optima
    q = r["quantum_subproblems"]
    for name in ("grover", "hypernet", "statevector-qa"):
        hits = [c["equal"] for c in q if c["solver"] == name]
        assert hits and all(hits)


CHECKS = {
    "02_quantum_hypernetworks": _check_quantum_hypernetworks,
    "03_amplitude_amplification": _check_amplitude_amplification,
    "04_vqa_mps": _check_vqa_mps,
    "05_annealing_at_scale": _check_annealing_at_scale,
    "07_digitized_annealing": _check_digitized_annealing,
    "06_neuron_selection": _check_neuron_selection,
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    results = tmp_path / "results.json"
    monkeypatch.setenv("ANNEAL_BINN_TOY", "1")
    monkeypatch.setenv("ANNEAL_BINN_RESULTS", str(results))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    if path.stem in CHECKS:
        assert results.exists(), f"{path.name} wrote no results to $ANNEAL_BINN_RESULTS"
        CHECKS[path.stem](json.loads(results.read_text()))
