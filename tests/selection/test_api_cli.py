"""ab.select, the [select] table and `anneal-binn run` on the selection specs."""
import json

import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn.cli import main
from anneal_binn.spec import load_spec, spec_from_dict


def test_select_tiny_global_and_local_reach_the_exact_optimum():
    g = ab.select("select-tiny", method="global")
    loc = ab.select("select-tiny")   # the spec's method: local, blocks of 4
    assert g.gap == pytest.approx(0.0, abs=1e-12) and g.largest_subproblem == 16
    assert loc.method == "local" and loc.largest_subproblem == 4
    assert loc.objective == pytest.approx(g.optimum, abs=1e-12)
    # options override the spec's table; another solver drops the table's own reads and parameters
    one = ab.select("select-tiny", method="local", block_size=1)
    assert one.largest_subproblem == 1 and one.num_subproblems >= 16


def test_spec_select_table_round_trips_and_defaults():
    spec = load_spec("select-digits")
    assert spec.select["local"]["block_size"] == 8 and spec.select["compare"] == ("edge-popup", "global")
    again = spec_from_dict(spec.to_dict())
    assert again.select == spec.select
    plain = load_spec("fawaz-p1").to_dict()
    assert "select" not in plain  # specs without selection keep their documents unchanged


def test_cli_run_on_the_enumerable_spec(capsys, tmp_path):
    assert main(["run", "select-tiny", "--json", "--out", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    ans, others = doc["answer"], {r["method"]: r for r in doc["compare"]}
    assert set(others) == {"global", "edge-popup"}
    assert ans["largest_subproblem"] == 4 and others["global"]["largest_subproblem"] == 16
    assert ans["objective"] == pytest.approx(others["global"]["optimum"], abs=1e-12)
    assert (tmp_path / "report.json").exists()
    assert main(["run", "select-tiny", "--no-baseline", "--solver", "grover", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "answer      local" in text and "grover" in text and "beside" not in text


def test_cli_run_global_with_the_qpu_mock(capsys, tmp_path):
    pytest.importorskip("dwave.system")
    path = tmp_path / "tiny-global.toml"
    path.write_text(
        'name = "tiny-global"\nseed = 0\n'
        '[data]\nsource = "digits"\nclasses = [1, 7]\ndownscale = 2\nn_train = 60\n'
        '[model]\nloss = "mse"\n[[model.hidden]]\nwidth = 8\nbias = true\nactivation = "sign"\n'
        '[model.output]\nactivation = "identity"\nmask = true\n'
        '[select]\nmethod = "global"\ncompare = []\n')
    assert main(["run", str(path), "--solver", "qpu", "--mock", "--qubo", "readout", "--num-reads", "50", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ans = doc["answer"]
    assert ans["solver"] == "qpu" and ans["largest_subproblem"] == 8 and ans["info"]["qubo"] == {"method": "readout"}
    assert ans["gap"] == pytest.approx(0.0, abs=1e-9)  # 8 bits, exact readout QUBO: the mock finds the optimum


@pytest.mark.slow
def test_cli_run_on_mnist_neurons(capsys):
    assert main(["run", "select-mnist", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["over"] == "neurons" and doc["answer"]["largest_subproblem"] == 12
    assert doc["answer"]["accuracy"]["test"] > 0.95 and doc["compare"][0]["largest_subproblem"] == 64


@pytest.mark.slow
def test_cli_run_on_ten_digit_classes_reaches_90_percent(capsys):
    # about 10 minutes on 2 cores: local selection (8-qubit subproblems, 4 sweeps), edge-popup, global loss-sa
    assert main(["run", "select-digits", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ans = doc["answer"]
    assert ans["largest_subproblem"] == 8 and ans["accuracy"]["test"] >= 0.9
    assert {r["method"] for r in doc["compare"]} == {"edge-popup", "global"}
