"""Progress bars: on stderr only for a terminal, off for --json/--quiet, and never a change in results."""
import io
import json

import numpy as np
import pytest

import anneal_binn as ab
from anneal_binn import progress as pg
from anneal_binn.cli import main
from anneal_binn.commands.compare import compare_solvers
from anneal_binn.qpu.rundir import load_samples, submit


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def terminal(monkeypatch):
    """A function that makes stderr a terminal whose bars draw at once (no 2 s delay) and returns it.

    Called inside the test: pytest's own capture puts its stream back in sys.stderr after setup.
    """
    def install():
        stream = _Terminal()
        monkeypatch.delenv(pg.ENV_VAR, raising=False)
        monkeypatch.setattr("sys.stderr", stream)
        return stream

    monkeypatch.setattr(pg, "DELAY_S", 0.0)
    return install


def test_off_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.delenv(pg.ENV_VAR, raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    items = [1, 2]
    assert not pg.is_enabled() and pg.progress(items, desc="x") is items


def test_on_for_a_terminal_unless_switched_off(terminal, monkeypatch):
    terminal = terminal()
    assert pg.is_enabled()
    assert list(pg.progress(range(3), desc="loop")) == [0, 1, 2]
    assert "loop" in terminal.getvalue()
    with pg.quiet():
        with pg.quiet():
            assert not pg.is_enabled()
        assert not pg.is_enabled()  # nested blocks restore correctly
    assert pg.is_enabled(), (pg._quiet_depth, __import__("os").environ.get(pg.ENV_VAR), __import__("sys").stderr)
    monkeypatch.setenv(pg.ENV_VAR, "0")
    assert not pg.is_enabled()
    monkeypatch.setenv(pg.ENV_VAR, "1")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert pg.is_enabled()  # forced on even without a terminal


def test_compare_gives_the_same_rows_with_and_without_bars(terminal):
    problem, terminal = ab.build(ab.load_spec("fawaz-p1")), terminal()

    def rows(enabled):
        with pg.quiet(not enabled):
            out = compare_solvers(problem, ["exact", "hubo-sa", "loss-sa"], seed=3, num_reads=8)
        return [{k: v for k, v in r.items() if k not in ("timing", "tts99_s", "tts99_ci")} for r in out]

    quiet_rows = rows(False)
    assert terminal.getvalue() == ""
    assert rows(True) == quiet_rows
    assert "solvers" in terminal.getvalue()


def test_submit_writes_the_same_batches_with_and_without_bars(terminal, tmp_path):
    problem, terminal = ab.build(ab.load_spec("fawaz-p1")), terminal()
    with pg.quiet():
        submit(problem, "loss-sa", tmp_path / "quiet", num_batches=3, num_reads=4, seed=1, log=lambda line: None)
    assert terminal.getvalue() == ""
    submit(problem, "loss-sa", tmp_path / "bars", num_batches=3, num_reads=4, seed=1, log=lambda line: None)
    assert "submit batches" in terminal.getvalue()
    a, b = load_samples(tmp_path / "quiet"), load_samples(tmp_path / "bars")
    assert np.array_equal(a.record.sample, b.record.sample) and np.array_equal(a.record.energy, b.record.energy)


def test_the_command_draws_no_bar_under_json(terminal, capsys, monkeypatch):  # terminal: for DELAY_S
    monkeypatch.setenv(pg.ENV_VAR, "1")  # even forced on: --json wins
    assert main(["compare", "fawaz-p1", "--solvers", "exact,hubo-sa", "--num-reads", "5", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["rows"] and "solvers" not in err and not pg._quiet_depth
    assert main(["compare", "fawaz-p1", "--solvers", "exact,hubo-sa", "--num-reads", "5"]) == 0
    assert "solvers" in capsys.readouterr().err
