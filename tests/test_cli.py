"""The command line: reports, JSON, run directories, clear errors and determinism."""
import json
import os
import subprocess
import sys

import pytest

from anneal_binn.cli import main


def test_run_json_has_the_documented_keys(capsys):
    assert main(["run", "fawaz-p1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["num_variables"] == 8
    assert doc["exact"]["optimum"] == 0.0 and doc["exact"]["num_optima"] == 8
    assert doc["best"]["loss"] == 0.0
    assert doc["best"]["accuracy"]["train"] == 1.0 and doc["best"]["accuracy"]["test"] == 1.0
    assert len(doc["best"]["sample"]) == 8 and set(doc["best"]["sample"]) <= {0, 1}
    assert doc["gap"] == 0.0


def test_run_text_report_and_out_dir(tmp_path, capsys):
    assert main(["run", "fawaz-meta-p1", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "best loss   0" in text and "optimum 0 reached by 24" in text
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["num_variables"] == 14 and report["roles"] == {"weight": 8, "mask": 6}
    import dimod

    ss = dimod.SampleSet.from_serializable(json.loads((tmp_path / "samples.json").read_text()))
    assert len(ss.variables) == 14


def test_bad_spec_is_one_clear_line_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[data]\nsource = "fawaz"\n[model]\nloss = "zero-one"\n[[model.hidden]]\nwidth = -2\n')
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "model.hidden[0].width: must be a positive integer, got -2" in err
    assert "Traceback" not in err


def test_too_large_landscape_is_refused_with_its_size(tmp_path, capsys):
    assert main(["landscape", "fawaz-meta-p1", "--limit", "10"]) == 2
    err = capsys.readouterr().err
    assert "2^14 = 16,384 configurations" in err and "GiB" in err


def test_landscape_command_reports_spectrum(capsys):
    assert main(["landscape", "fawaz-p2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["exact"]["num_optima"] == 4 and len(doc["W"]) == 9


def _run_json(env_seed):
    env = dict(os.environ, PYTHONHASHSEED=str(env_seed))
    out = subprocess.run([sys.executable, "-m", "anneal_binn.cli", "run", "fawaz-meta-p1", "--json"],
                         capture_output=True, text=True, env=env, check=True).stdout
    doc = json.loads(out)
    doc.pop("timing")
    return doc


def test_same_numbers_whatever_pythonhashseed():
    assert _run_json(0) == _run_json(1)


def test_help_builds_every_parser_without_importing_the_heavy_libraries():
    """``anneal-binn --help`` must stay instant: no dimod, numpy or networkx to build the parsers."""
    code = ("import sys; from anneal_binn.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('dimod', 'numpy', 'networkx', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_output_piped_into_a_closed_pipe_is_not_a_traceback(monkeypatch):
    """``anneal-binn run ... | head -1`` closes stdout early: exit quietly, no BrokenPipeError trace."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # what `head` does once it has its line
    stdout = os.fdopen(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", stdout)
    try:
        assert main(["run", "fawaz-p1"]) == 0
    finally:
        monkeypatch.undo()
        stdout.close()
