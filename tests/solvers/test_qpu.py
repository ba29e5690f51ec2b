"""qpu on the offline Pegasus mock, clear errors without a token, and crash-safe submit/--resume."""
import json

import dimod
import numpy as np
import pytest

from anneal_binn.cli import main as cli
from anneal_binn.qpu.rundir import InjectedFailure, RunDirectoryError, load_samples, submit
from anneal_binn.solvers.qpu import HybridSampler, QPUError, QPUSampler, scrub


@pytest.fixture
def no_token(monkeypatch, tmp_path):
    # make sure no real credentials can be picked up, whatever the machine has
    for var in ("DWAVE_API_TOKEN", "DWAVE_API_ENDPOINT", "DWAVE_API_REGION", "DWAVE_CONFIG_FILE", "DWAVE_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))


def test_mock_qpu_reports_chains_and_reuses_its_embedding():
    bqm = dimod.generators.ran_r(1, 12, seed=3)
    s = QPUSampler(mock=True, topology_shape=4)
    a = s.sample(bqm, num_reads=8, seed=1)
    from dwave.embedding.chain_strength import uniform_torque_compensation

    assert a.info["chain_strength"] == pytest.approx(uniform_torque_compensation(bqm, prefactor=1.414))
    assert 0.0 <= a.info["chain_break_fraction"] <= 1.0 and "chain_break_fraction" in a.record.dtype.names
    assert set(a.info["embedding"]) == {str(v) for v in bqm.variables}
    emb = dict(s.embedding)
    b = QPUSampler(mock=True, topology_shape=4, embedding=emb).sample(bqm, num_reads=8, seed=1)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)
    c = s.sample(bqm, num_reads=4, seed=1, chain_strength=7.5)
    assert c.info["chain_strength"] == 7.5 and c.info["chain_strength_rule"] == "override"
    assert s.embedding == emb


def test_too_large_for_the_graph_is_a_clear_error():
    big = dimod.generators.ran_r(1, 30, seed=0)
    with pytest.raises(QPUError, match="too large for the QPU graph"):
        QPUSampler(mock=True, topology_shape=2, embedding_timeout=1).sample(big)


def test_missing_token_is_a_clear_error(no_token):
    bqm = dimod.BinaryQuadraticModel({0: 1.0}, {}, 0.0, "BINARY")
    with pytest.raises(QPUError, match="token"):
        QPUSampler().sample(bqm)
    with pytest.raises(QPUError, match="token"):
        HybridSampler().sample(bqm)


def test_cli_submit_without_token_prints_one_line(no_token, tmp_path, capsys):
    assert cli(["submit", "fawaz-p1", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "token" in err and "Traceback" not in err


def test_scrub_hides_token_like_strings():
    assert "DEV-" not in scrub("bad token DEV-0123456789abcdef0123456789abcdef01234567 here")


def test_submit_crash_then_resume_loses_nothing(tmp_path, capsys):
    run, ref = tmp_path / "run", tmp_path / "ref"
    args = ["submit", "fawaz-p1", "--mock", "--topology-shape", "6", "--batches", "3", "--num-reads", "6"]
    assert cli(args + ["--out", str(run), "--fail-after", "2"]) == 2
    assert "injected failure" in capsys.readouterr().err
    # written before any sample: spec, formulation, reduction record, embedding
    for name in ("manifest.json", "spec.json", "spec.toml", "hubo.json", "bqm.json", "reduction.json", "embedding.json"):
        assert (run / name).exists(), name
    files = sorted((run / "samples").glob("batch-*.json"))
    assert [f.name for f in files] == ["batch-0000.json", "batch-0001.json"]
    before = {f.name: f.read_bytes() for f in files}
    assert len(load_samples(run)) == 12  # every earlier result readable
    assert json.loads((run / "manifest.json").read_text())["status"] == "running"
    assert cli(args + ["--out", str(run), "--resume"]) == 0
    assert all((run / "samples" / k).read_bytes() == v for k, v in before.items())
    assert json.loads((run / "manifest.json").read_text())["status"] == "complete"
    # resumed == uninterrupted (per-batch seeds)
    capsys.readouterr()
    assert cli(args + ["--out", str(ref), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["reads"] == 18
    a, b = load_samples(run), load_samples(ref)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)
    assert list(a.variables) == list(range(8))


def test_resume_refuses_a_different_request(tmp_path):
    import anneal_binn as ab

    problem = ab.build(ab.load_spec("fawaz-p1"))
    with pytest.raises(InjectedFailure):
        submit(problem, "sa", tmp_path, num_batches=2, num_reads=3, fail_after=1)
    with pytest.raises(RunDirectoryError, match="num_reads"):
        submit(problem, "sa", tmp_path, num_batches=2, num_reads=4, resume=True)
    with pytest.raises(RunDirectoryError, match="not empty"):
        submit(problem, "sa", tmp_path, num_batches=2, num_reads=3)
    with pytest.raises(RunDirectoryError, match="manifest"):
        submit(problem, "sa", tmp_path / "absent", num_batches=2, num_reads=3, resume=True)
    summary = submit(problem, "sa", tmp_path, num_batches=2, num_reads=3, resume=True)
    assert summary["reads"] == 6 and summary["best"]["loss"] == 0.0


def test_submit_with_a_hubo_solver(tmp_path):
    import anneal_binn as ab

    problem = ab.build(ab.load_spec("fawaz-p1"))
    summary = submit(problem, "hubo-sa", tmp_path, num_batches=2, num_reads=4, seed=1, num_sweeps=100)
    assert summary["best"]["loss"] == 0.0 and not (tmp_path / "bqm.json").exists()
    ss = load_samples(tmp_path)
    np.testing.assert_allclose(ss.record.energy, problem.losses(problem.sample_bits(ss)))


def test_variables_without_couplers_get_their_own_qubits():
    bqm = dimod.BinaryQuadraticModel({0: -1.0, 1: 1.0, 2: -0.5}, {(0, 1): -2.0}, 0.0, "SPIN")
    s = QPUSampler(mock=True, topology_shape=4)
    ss = s.sample(bqm, num_reads=5, seed=0)
    assert set(s.embedding) == {0, 1, 2}
    assert not set(s.embedding[2]) & (set(s.embedding[0]) | set(s.embedding[1]))
    assert float(ss.first.energy) == -2.5  # s0 = s1 = s2 = +1


def test_submit_that_fails_before_its_first_batch_can_be_resumed(tmp_path, capsys, monkeypatch):
    """A failure while preparing (here: the embedding step, as a lost connection would) leaves a
    run directory that --resume continues, not a dead end."""
    from anneal_binn.solvers import qpu as qpu_module

    def broken(self, bqm, seed=None):
        raise QPUError("connecting to the D-Wave QPU failed (test)")

    run = tmp_path / "run"
    args = ["submit", "fawaz-p1", "--mock", "--topology-shape", "6", "--num-reads", "4", "--out", str(run)]
    with monkeypatch.context() as m:
        m.setattr(qpu_module.QPUSampler, "find_embedding", broken)
        assert cli(args) == 2
    err = capsys.readouterr().err
    assert "--resume" in err and len(err.strip().splitlines()) == 1
    assert json.loads((run / "manifest.json").read_text())["status"] == "preparing"
    assert not (run / "samples").exists()
    assert cli(args) == 2  # not restartable in place: the directory is the run's
    assert "not empty" in capsys.readouterr().err
    assert cli(args + ["--resume"]) == 0
    assert json.loads((run / "manifest.json").read_text())["status"] == "complete"
    assert len(load_samples(run)) == 4
