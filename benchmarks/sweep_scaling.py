"""The must-show perceptron sweep: a loopback Dask cluster, a kill and a resume, LocalCluster == cluster.

The shipped declaration ``perceptron-scaling`` (N = 21, 51, 101, 201, 401; alpha = 0.3, 0.5;
10 pattern instances each; loss-sa, loss-sqa and sbpi; 20 reads per task: 300 tasks) runs

1. on a scheduler and two worker processes on 127.0.0.1 (``anneal-binn sweep --scheduler``),
   uninterrupted and timed;
2. again on a fresh loopback cluster into a new folder, with one worker and the client SIGKILLed
   once a third of the tasks are saved, then the same command restarted (it runs only the missing
   tasks);
3. on the default LocalCluster (``anneal-binn sweep`` with no ``--scheduler``).

The three tables must agree on every column except the time columns (``wall_s``, ``build_s``,
``formulate_s``, ``reduce_s``, ``sample_s``, ``evaluate_s``, the TTS99 seconds derived from
``sample_s``, and ``worker``). Then TTS99 vs N is fitted per solver and alpha and drawn to
``benchmarks/sweep_scaling.png``; the measurements go to ``benchmarks/sweep_scaling.json``.

Usage::

    PYTHONPATH=. python benchmarks/sweep_scaling.py [--out /tmp/sweep-scaling]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anneal_binn as ab
from anneal_binn.sweep.cluster import loopback_cluster

HERE = Path(__file__).resolve().parent


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "anneal_binn.cli", "sweep", "perceptron-scaling", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/sweep-scaling")
    args = parser.parse_args()
    root = Path(args.out)
    if root.exists():
        import shutil

        shutil.rmtree(root)
    total = len(ab.sweep.load_sweep("perceptron-scaling").tasks())
    facts: dict = {"tasks": total}

    # 1. uninterrupted on the loopback cluster
    with loopback_cluster(workers=2, folder=root / "cluster1") as c:
        t0 = time.perf_counter()
        subprocess.run(cli("--out", str(root / "cluster"), "--scheduler", c.address, "--quiet"), check=True)
        facts["cluster_wall_s"] = time.perf_counter() - t0
        facts["scheduler"] = c.address
    print(f"loopback cluster: {total} tasks in {facts['cluster_wall_s']:.1f} s", flush=True)

    # 2. kill a worker and the client a third of the way, restart
    out2 = root / "killed"
    with loopback_cluster(workers=2, folder=root / "cluster2") as c:
        t0 = time.perf_counter()
        client = subprocess.Popen(cli("--out", str(out2), "--scheduler", c.address, "--quiet"),
                                  start_new_session=True)
        try:
            while len(list((out2 / "tasks").glob("*.json"))) < total // 3 and client.poll() is None:
                time.sleep(0.05)
            c.kill_worker(0)
            client.send_signal(signal.SIGKILL)
            client.wait()
        finally:
            if client.poll() is None:
                client.kill()
        saved = {p.name: p.stat().st_mtime_ns for p in (out2 / "tasks").glob("*.json")}
        facts["killed_after_s"] = time.perf_counter() - t0
        facts["saved_before_kill"] = len(saved)
        c.add_worker()  # a replacement joins; the restarted client finds two workers again
        c.wait_for_workers(2)
        t1 = time.perf_counter()
        r = subprocess.run(cli("--out", str(out2), "--scheduler", c.address), capture_output=True, text=True,
                           check=True)
        facts["resume_wall_s"] = time.perf_counter() - t1
        facts["resume_log"] = [line for line in r.stderr.splitlines() if "already done" in line]
        facts["untouched_after_resume"] = sum((out2 / "tasks" / n).stat().st_mtime_ns == m for n, m in saved.items())
    print(f"killed after {facts['saved_before_kill']} saved tasks; resume: {facts['resume_log']} "
          f"in {facts['resume_wall_s']:.1f} s; {facts['untouched_after_resume']}/{len(saved)} saved files untouched",
          flush=True)

    # 3. the default LocalCluster
    t0 = time.perf_counter()
    subprocess.run(cli("--out", str(root / "local"), "--quiet"), check=True)
    facts["local_wall_s"] = time.perf_counter() - t0

    a, b, k = (ab.sweep.read_results(root / name) for name in ("cluster", "local", "killed"))
    cols = ab.sweep.deterministic_columns(a)
    facts["compared_columns"] = cols
    facts["excluded_columns"] = [col for col in a.columns if col not in cols]
    facts["identical_cluster_vs_local"] = bool(a[cols].equals(b[cols]))
    facts["identical_cluster_vs_killed_resumed"] = bool(a[cols].equals(k[cols]))
    facts["status"] = a["status"].value_counts().to_dict()
    facts["workers_used"] = int(a["worker"].nunique())
    print(f"identical (all but time columns): cluster vs LocalCluster {facts['identical_cluster_vs_local']}, "
          f"cluster vs killed+resumed {facts['identical_cluster_vs_killed_resumed']}", flush=True)

    fits = ab.sweep.fit_scaling(a)
    fits_r99 = ab.sweep.fit_scaling(a, metric="r99")
    print(ab.sweep.format_fits(fits))
    print("reads to 99% (r99, time-free):")
    print(ab.sweep.format_fits(fits_r99))
    ab.sweep.plot_scaling(a, fits, HERE / "sweep_scaling.png",
                          title="perceptron-scaling: median TTS99 over 10 instances (loopback cluster, 2 workers)")
    facts["fits"] = json.loads(fits.to_json(orient="records"))
    facts["fits_r99"] = json.loads(fits_r99.to_json(orient="records"))
    facts["median_by_N"] = json.loads(a.groupby(["solver", "data.alpha", "N"])[["success_probability", "tts99_s"]]
                                      .median().reset_index().to_json(orient="records"))
    facts["cpu_count"] = os.cpu_count()
    (HERE / "sweep_scaling.json").write_text(json.dumps(facts, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
