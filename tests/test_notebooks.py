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


CHECKS = {
    "03_amplitude_amplification": _check_amplitude_amplification,
    "05_annealing_at_scale": _check_annealing_at_scale,
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
