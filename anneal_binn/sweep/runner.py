"""Run a sweep's missing tasks on Dask and combine every finished task into the results table.

The default cluster is a :class:`dask.distributed.LocalCluster` on this machine (one process per
worker, one thread each); ``scheduler="tcp://host:port"`` sends the same tasks to an existing
cluster. Each finished task is saved by the client the moment it completes (:mod:`.store`), so
killing the client, a worker or both loses at most the tasks in flight: a restart runs only what
is missing. A worker that dies mid-task has its tasks rescheduled by Dask; a task that raises is
recorded with its error (``status = "error"``) and the others go on.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from anneal_binn.errors import UsageError
from anneal_binn.sweep import store


def pending(tasks: list[dict], rows: dict[str, dict], retry_failed: bool = False) -> list[dict]:
    """Tasks with no persisted result (or a lost one; or, with ``retry_failed``, a failed one).

    Examples:
        >>> pending([{"task_id": "a"}, {"task_id": "b"}, {"task_id": "c"}],
        ...         {"a": {"status": "ok"}, "b": {"status": "error"}})
        [{'task_id': 'c'}]
    """
    done = {tid for tid, r in rows.items()
            if r.get("status") == "ok" or (r.get("status") == "error" and not retry_failed)}
    return [t for t in tasks if t["task_id"] not in done]


def _probe(address: str) -> None:
    """Refuse at once an address where nothing listens (Dask itself retries for its whole timeout)."""
    import socket
    from urllib.parse import urlsplit

    if not address.startswith("tcp://"):
        return  # other protocols (tls, ucx, inproc): Dask's own connect says what is wrong
    parts = urlsplit(address)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise UsageError("--scheduler", f"{address!r} is not tcp://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=10).close()
    except OSError as exc:
        raise UsageError("--scheduler", f"cannot reach a Dask scheduler at {address!r} ({exc.strerror or exc}); "
                         "start one with `dask scheduler` and give its tcp://HOST:PORT address") from None


def _client(scheduler: str | None, n_workers: int | None):
    from anneal_binn.errors import require

    require("distributed", "dist")
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        _probe(scheduler)
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError("--scheduler", f"cannot reach a Dask scheduler at {scheduler!r} ({exc}); start one "
                             "with `dask scheduler` and give its tcp://HOST:PORT address") from None
    # One thread per worker process and no nested BLAS/numba threading: the cores are the workers.
    # The workers inherit the environment when they start; ours is restored afterwards, because numba
    # refuses to compile once NUMBA_NUM_THREADS differs from the thread count it launched with.
    pinned = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
    saved = {var: os.environ.get(var) for var in pinned}
    n = n_workers or max(1, min(2, os.cpu_count() or 1))
    try:
        for var in pinned:
            os.environ.setdefault(var, "1")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR)
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
    return Client(cluster), cluster


def run_sweep(sweep, out, *, scheduler: str | None = None, n_workers: int | None = None,
              progress: bool | None = None, retry_failed: bool = False, limit: int | None = None,
              log=None):
    """Run what is missing of ``sweep`` into folder ``out`` and return the full results table.

    Args:
        sweep: a :class:`~anneal_binn.sweep.declaration.Sweep`, or a declaration path/shipped name.
        out: results folder (``tasks/*.json`` per task, ``results.parquet``); reused to resume.
        scheduler: address of an existing Dask scheduler; None starts a LocalCluster.
        n_workers: LocalCluster worker processes (default: min(2, CPUs)).
        progress: show a tqdm bar on stderr (default: when stderr is a terminal).
        retry_failed: also rerun tasks that failed with an error last time.
        limit: run at most this many missing tasks (the rest stay missing for the next call).
        log: callable taking one line of text for status messages (default: silent).

    Returns:
        The tidy :class:`pandas.DataFrame`, also written to ``out/results.parquet``.

    Examples:
        >>> import tempfile, anneal_binn as ab
        >>> sw = ab.sweep.sweep_from_dict({"name": "s", "specs": ["fawaz-p1"], "num_reads": 1,
        ...                                "solvers": [{"name": "exact"}]})
        >>> df = ab.sweep.run_sweep(sw, tempfile.mkdtemp(), n_workers=0)  # 0: in this process, no Dask
        >>> df[["solver", "best_loss", "success_probability", "reference"]].values.tolist()
        [['exact', 0.0, 1.0, 'exact optimum']]
    """
    from anneal_binn.jsonio import write_json_atomic
    from anneal_binn.sweep.declaration import Sweep, load_sweep
    from anneal_binn.sweep.tasks import run_task

    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError("--out", f"{str(out)!r} is a file; give a folder (created if absent)")
    say = log or (lambda line: None)
    tasks = sweep.tasks()
    rows = store.load_rows(out)
    todo = pending(tasks, rows, retry_failed)
    if limit is not None:
        todo = todo[:limit]
    say(f"{sweep.name}: {len(tasks)} tasks, {len(tasks) - len(pending(tasks, rows, retry_failed))} already done, "
        f"running {len(todo)}")
    write_json_atomic(out / "sweep.json", {"name": sweep.name, "source": sweep.source, "declaration": sweep.raw,
                                           "num_tasks": len(tasks)})
    if progress is None:
        progress = sys.stderr.isatty()
    if todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), file=sys.stderr, disable=not progress, unit="task", desc=sweep.name)
        try:
            if n_workers == 0 and not scheduler:
                for t in todo:  # in-process: doctests and debugging, no cluster
                    store.save_row(out, run_task(t))
                    bar.update()
            else:
                _run_dask(todo, out, scheduler, n_workers, bar, say)
        finally:
            bar.close()
    df = store.table(tasks, store.load_rows(out), sweep.eps)
    store.write(df, out)
    return df


def _run_dask(todo, out, scheduler, n_workers, bar, say) -> None:
    from distributed import as_completed

    from anneal_binn.sweep.tasks import input_columns, run_task

    client, cluster = _client(scheduler, n_workers)
    try:
        say(f"dask: {client.scheduler.address}, {len(client.scheduler_info()['workers'])} workers")
        by_key = {}
        futures = []
        for t in todo:
            f = client.submit(run_task, t, pure=False, retries=0)
            by_key[f.key] = t
            futures.append(f)
        failed = 0
        for f in as_completed(futures):
            t = by_key[f.key]
            if f.status == "finished":
                row = f.result()
            else:
                # the task never returned (its worker died too often, or it was cancelled): record
                # it as lost, which a restart reruns
                exc = f.exception()
                row = input_columns(t)
                row.update(status="lost", error=" ".join(f"{type(exc).__name__}: {exc}".split())[:2000])
            if row["status"] != "ok":
                failed += 1
                bar.write(f"task {t['task_id']} ({t['spec_name']} #{t['instance']}, {t['label']}, seed {t['seed']}) "
                          f"{row['status']}: {row['error']}", file=sys.stderr)
            store.save_row(out, row)
            f.release()
            bar.update()
        if failed:
            say(f"{failed} task(s) failed; their errors are in the table's error column")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
