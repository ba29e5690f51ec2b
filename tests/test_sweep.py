"""Sweeps: the declaration, stable task ids, resuming, failures as data, LocalCluster == loopback cluster."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

import anneal_binn as ab  # noqa: E402
from anneal_binn.errors import SpecError  # noqa: E402
from anneal_binn.sweep.declaration import sweep_from_dict  # noqa: E402

TEMPLATE = {"name": "p-N{data.n}-a{data.alpha}", "data": {"source": "perceptron", "labels": "random"},
            "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}}


def declaration(**over):
    raw = {"name": "t", "num_reads": 8, "instances": 2, "template": TEMPLATE,
           "grid": {"data.n": [21, 51], "data.alpha": [0.5]},
           "solvers": [{"name": "loss-sa", "params": {"num_sweeps": 50}}, {"name": "sbpi"}]}
    raw.update(over)
    return raw


def toml_text(raw: dict) -> str:
    """Just enough TOML for these declarations (the tests write files for the CLI)."""
    def v(x):
        return json.dumps(x) if not isinstance(x, bool) else str(x).lower()

    def table(d):
        return "{ " + ", ".join(f'"{k}" = {table(x) if isinstance(x, dict) else v(x)}' for k, x in d.items()) + " }"

    lines = [f'{k} = {v(x)}' for k, x in raw.items() if not isinstance(x, (dict, list)) or k in ("instances", "seeds")]
    for k in ("template", "grid"):
        if k in raw:
            lines.append(f"{k} = {table(raw[k])}")
    for s in raw["solvers"]:
        lines.append("[[solvers]]")
        lines += [f'{k} = {table(x) if isinstance(x, dict) else v(x)}' for k, x in s.items()]
    return "\n".join(lines) + "\n"


# -- the declaration ---------------------------------------------------------------------------
@pytest.mark.parametrize("change, field", [
    ({"solvers": [{"name": "nope"}]}, "solvers[0].name"),
    ({"solvers": [{"name": "sa", "parms": {}}]}, "solvers[0].parms"),
    ({"solvers": [{"name": "sa", "grid": {"num_sweeps": []}}]}, "solvers[0].grid.num_sweeps"),
    ({"solvers": [{"name": "sa", "params": {"num_sweeps": 5}, "grid": {"num_sweeps": [1, 2]}}]},
     "solvers[0].grid.num_sweeps"),
    ({"solvers": [{"name": "sa", "qubo": {}}]}, "solvers[0].qubo.method"),
    ({"instances": 0}, "instances"),
    ({"seeds": [1, 1]}, "seeds"),
    ({"seeds": [-1]}, "seeds[0]"),
    ({"num_reads": "ten"}, "num_reads"),
    ({"grid": {"data.n": [21, 21]}}, "grid.data.n"),
    ({"grid": {"data.n": [21], "data.alpha": [0.5], "model.loss": ["zero-one", "nope"]}}, "template.model.loss"),
    ({"template": {**TEMPLATE, "name": "p-{data.m}"}}, "template.name"),
    ({"specs": ["fawaz-p1"]}, "specs"),
    ({"bogus": 1}, "bogus"),
])
def test_a_bad_declaration_names_the_field(change, field):
    with pytest.raises(SpecError) as info:
        sweep_from_dict(declaration(**change))
    assert info.value.field == field, str(info.value)


def test_the_template_and_grids_expand_in_declaration_order():
    sw = sweep_from_dict(declaration(seeds=[3, 4], solvers=[{"name": "sa", "grid": {"num_sweeps": [10, 20]},
                                                             "qubo": {"method": "unbalanced"}}]))
    assert [p.name for p in sw.points] == ["p-N21-a0.5", "p-N51-a0.5"]
    assert [s.label for s in sw.solvers] == ["sa[num_sweeps=10]", "sa[num_sweeps=20]"]
    tasks = sw.tasks()
    assert len(tasks) == 2 * 2 * 2 * 2
    first = tasks[0]
    assert first["spec"]["data"]["n"] == 21 and first["spec"]["seed"] == 0 and first["seed"] == 3
    assert tasks[4]["spec"]["seed"] == 1  # instance 1 draws the patterns with seed 1
    assert first["route"] == {"qubo": {"method": "unbalanced"}}
    assert len({t["task_id"] for t in tasks}) == len(tasks)


def test_task_ids_do_not_depend_on_the_hash_seed():
    code = ("import anneal_binn as ab; print(','.join(t['task_id'] for t in "
            "ab.sweep.load_sweep('perceptron-scaling').tasks()))")
    ids = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONHASHSEED=str(s))).stdout for s in (1, 2)}
    assert len(ids) == 1
    assert len(next(iter(ids)).strip().split(",")) == 5 * 2 * 10 * 3


def test_the_shipped_declaration_is_the_must_show_sweep():
    sw = ab.sweep.load_sweep("perceptron-scaling")
    assert sorted({p.spec["data"]["n"] for p in sw.points}) == [21, 51, 101, 201, 401]
    assert sorted({p.spec["data"]["alpha"] for p in sw.points}) == [0.3, 0.5]
    assert len(sw.instances) == 10 and len(sw.solvers) >= 3


# -- running, resuming, failures ---------------------------------------------------------------
def test_in_process_run_resumes_and_records_a_failed_task(tmp_path):
    raw = declaration(solvers=[{"name": "sbpi"}, {"name": "loss-sa", "params": {"no_such_param": 1}}])
    sw = sweep_from_dict(raw)
    df = ab.sweep.run_sweep(sw, tmp_path, n_workers=0, limit=3)
    assert len(df) == 3  # stopped early: three of eight saved
    lines = []
    df = ab.sweep.run_sweep(sw, tmp_path, n_workers=0, log=lines.append)
    assert "8 tasks, 3 already done, running 5" in lines[0]
    assert len(df) == 8 and list(df["task_id"]) == [t["task_id"] for t in sw.tasks()]
    bad = df[df["solver"] == "loss-sa"]
    assert (bad["status"] == "error").all() and bad["error"].str.contains("no_such_param").all()
    good = df[df["solver"] == "sbpi"]
    assert (good["status"] == "ok").all() and (good["best_loss"] == 0).all()
    # exact optimum known at N = 21; at N = 51 zero errors is the optimum (a zero-one loss is >= 0)
    assert set(good["reference"]) == {"exact optimum", "zero (optimal: the loss is non-negative)"}
    assert (good["success_probability"] == 1).all() and (good["r99"] == 1).all()
    assert (good["tts99_s"] > 0).all() and (good["tts99_low_s"] <= good["tts99_high_s"]).all()
    # errors are not rerun (they would fail again) unless asked
    lines.clear()
    ab.sweep.run_sweep(sw, tmp_path, n_workers=0, log=lines.append)
    assert "running 0" in lines[0]
    table = ab.sweep.read_results(tmp_path)
    assert table[ab.sweep.deterministic_columns(table)].equals(df[ab.sweep.deterministic_columns(df)])


def test_the_table_has_every_documented_column(tmp_path):
    sw = sweep_from_dict(declaration(grid={"data.n": [21], "data.alpha": [0.5]}, instances=1,
                                     solvers=[{"name": "sa", "qubo": {"method": "unbalanced"},
                                               "params": {"num_sweeps": 50}}]))
    df = ab.sweep.run_sweep(sw, tmp_path, n_workers=0)
    for col in ("task_id", "spec", "data.n", "data.alpha", "instance", "instance_seed", "solver", "params",
                "route", "num_reads", "seed", "N", "wall_s", "sample_s", "best_loss", "train_accuracy",
                "test_accuracy", "success_probability", "reference", "tts99_s", "tts99_low_s", "tts99_high_s",
                "residual_loss", "qubo_variables", "qubo_interactions"):
        assert col in df.columns, col
    assert df["qubo_variables"].iloc[0] == 21 and df["status"].iloc[0] == "ok"


# -- Dask: LocalCluster, the loopback cluster, kills ---------------------------------------------
def dask_declaration():
    """Two good solvers and one whose every task raises (an unknown parameter): 8 ok, 4 errors."""
    return declaration(solvers=[{"name": "loss-sa", "params": {"num_sweeps": 50}}, {"name": "sbpi"},
                                {"name": "loss-sa", "label": "broken", "params": {"no_such_param": 1}}])


@pytest.fixture(scope="module")
def local_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    return ab.sweep.run_sweep(sweep_from_dict(dask_declaration()), out), out


def test_localcluster_and_a_two_worker_loopback_cluster_give_identical_results(local_result, tmp_path):
    from anneal_binn.sweep.cluster import loopback_cluster

    local, _ = local_result
    with loopback_cluster(workers=2) as cluster:
        remote = ab.sweep.run_sweep(sweep_from_dict(dask_declaration()), tmp_path, scheduler=cluster.address)
    assert len(local) == len(remote) == 12
    # the failing tasks are rows with their error; the others ran to the end
    broken = remote["solver"] == "broken"
    assert (remote.loc[broken, "status"] == "error").all() and (remote.loc[~broken, "status"] == "ok").all()
    assert remote.loc[broken, "error"].str.contains("no_such_param").all()
    assert remote["worker"].nunique() == 2  # both workers ran tasks
    cols = ab.sweep.deterministic_columns(local)
    assert "success_probability" in cols and "tts99_s" not in cols and "sample_s" not in cols
    assert local[cols].equals(remote[cols])


def test_cli_resumes_after_the_client_and_a_worker_are_killed(tmp_path):
    """A sweep against a loopback cluster: SIGKILL a worker and the client mid-run, then restart."""
    from anneal_binn.sweep.cluster import loopback_cluster

    raw = declaration(name="kill", instances=6, grid={"data.n": [101], "data.alpha": [0.5]}, num_reads=10,
                      solvers=[{"name": "loss-sqa", "params": {"num_sweeps": 100}}])
    decl = tmp_path / "kill.toml"
    decl.write_text(toml_text(raw))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "anneal_binn.cli", "sweep", str(decl), "--out", str(out), "--quiet"]
    with loopback_cluster(workers=2) as cluster:
        client = subprocess.Popen(cmd + ["--scheduler", cluster.address], start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while len(list((out / "tasks").glob("*.json"))) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            cluster.kill_worker(0)
            client.send_signal(signal.SIGKILL)
            client.wait()
        finally:
            if client.poll() is None:
                client.kill()
        saved = {p.name: p.read_text() for p in (out / "tasks").glob("*.json")}
        assert 2 <= len(saved) < 6, len(saved)
        done = subprocess.run(cmd[:-1] + ["--scheduler", cluster.address, "--json"], capture_output=True,
                              text=True, timeout=120)
    doc = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert doc["finished"] == 6 and doc["status"] == {"ok": 6}
    # the tasks saved before the kill were not rerun: their files are untouched
    for name, text in saved.items():
        assert (out / "tasks" / name).read_text() == text
    df = ab.sweep.read_results(out)
    assert df["worker"].nunique() >= 1 and (df["status"] == "ok").all()


# -- scaling ---------------------------------------------------------------------------------------
def test_scaling_fit_recovers_a_known_exponential_and_a_known_power_law():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    rows = []
    for n in (20, 40, 80, 160, 320):
        for i in range(10):
            noise = 10 ** rng.normal(0, 0.05)
            for solver, tts in (("exp", 1e-4 * 10 ** (0.01 * n)), ("pow", 1e-6 * n ** 2.0)):
                rows.append({"solver": solver, "N": n, "instance": i, "status": "ok", "tts99_s": tts * noise})
    fits = ab.sweep.fit_scaling(pd.DataFrame(rows)).set_index("solver")
    e, p = fits.loc["exp"], fits.loc["pow"]
    assert abs(e["exp_slope"] - 0.01) < 3 * e["exp_slope_se"] + 1e-4
    assert e["exp_slope_ci"][0] <= e["exp_slope"] <= e["exp_slope_ci"][1] < e["exp_slope_ci"][0] + 0.002
    assert e["exp_rms"] < e["poly_rms"] and abs(e["doubling_N"] - 30.1) < 2
    assert abs(p["poly_slope"] - 2.0) < 0.05 and p["poly_rms"] < p["exp_rms"]
    assert p["poly_slope_ci"][0] <= p["poly_slope"] <= p["poly_slope_ci"][1] < p["poly_slope_ci"][0] + 0.2


def test_report_and_plot_from_the_cli(local_result, tmp_path, capsys):
    from anneal_binn.cli import main

    _, out = local_result
    decl = tmp_path / "t.toml"
    decl.write_text(toml_text(dask_declaration()))
    png = tmp_path / "tts.png"
    # exit 1: the sweep has failed tasks (their errors are in the table)
    assert main(["sweep", str(decl), "--out", str(out), "--no-run", "--report", "--plot", str(png)]) == 1
    text = capsys.readouterr().out
    assert "12/12 tasks finished (error 4, ok 8)" in text and "exp: log10 TTS per N" in text
    assert "loss-sa" in text and "sbpi" in text
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_a_bad_scheduler_address_is_one_line(tmp_path, capsys):
    from anneal_binn.cli import main

    decl = tmp_path / "t.toml"
    decl.write_text(toml_text(declaration(instances=1, grid={"data.n": [21], "data.alpha": [0.5]})))
    assert main(["sweep", str(decl), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:1", "--quiet"]) == 2
    assert "--scheduler: cannot reach a Dask scheduler" in capsys.readouterr().err
