"""A real Dask cluster on the loopback address: a scheduler and workers as separate processes.

For tests and benchmarks of ``--scheduler``: the same code path as a remote cluster (TCP between
processes, tasks pickled to workers that import ``anneal_binn`` themselves), on 127.0.0.1 only.
Every process is terminated when the ``with`` block ends, however it ends.

Examples:
    >>> with loopback_cluster(workers=1) as c:  # doctest: +SKIP
    ...     c.address.startswith("tcp://127.0.0.1:")
    True
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class LoopbackCluster:
    """A running scheduler and its worker processes (see :func:`loopback_cluster`)."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env = folder, env
        self.scheduler = None
        self.workers: list[subprocess.Popen] = []
        self.address = None

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen:
        # dask's own CLI modules: `dask scheduler` / `dask worker` without relying on PATH
        return subprocess.Popen([sys.executable, "-m", *args], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=open(self.folder / log, "ab"), start_new_session=True)

    def start_scheduler(self, timeout: float = 60) -> str:
        file = self.folder / "scheduler.json"
        self.scheduler = self._spawn(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                                      "--no-dashboard", "--scheduler-file", str(file)], "scheduler.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.scheduler.poll() is not None:
                raise RuntimeError(f"the Dask scheduler exited; see {self.folder / 'scheduler.log'}")
            try:
                self.address = json.loads(file.read_text())["address"]
                return self.address
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        raise TimeoutError(f"no Dask scheduler after {timeout} s; see {self.folder / 'scheduler.log'}")

    def add_worker(self) -> subprocess.Popen:
        """One more worker process (one thread, no nanny: killing it kills the worker)."""
        k = len(self.workers)
        w = self._spawn(["distributed.cli.dask_worker", self.address, "--nthreads", "1", "--no-nanny",
                         "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{k}"], f"worker{k}.log")
        self.workers.append(w)
        return w

    def wait_for_workers(self, n: int, timeout: float = 60) -> None:
        from distributed import Client

        with Client(self.address, timeout="20s") as client:
            client.wait_for_workers(n, timeout=timeout)

    def kill_worker(self, k: int) -> None:
        """SIGKILL worker ``k`` (no goodbye to the scheduler: as if the machine died)."""
        self.workers[k].send_signal(signal.SIGKILL)
        self.workers[k].wait()

    def close(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p is not None and p.poll() is None:
                p.terminate()
        for p in [*self.workers, self.scheduler]:
            if p is not None:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


@contextlib.contextmanager
def loopback_cluster(workers: int = 2, folder: str | Path | None = None):
    """Start a scheduler and ``workers`` worker processes on 127.0.0.1; stop them all on exit.

    Workers inherit this process's environment (``PYTHONPATH`` included, so they import the same
    ``anneal_binn``), with one thread each for BLAS/numba.
    """
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env.setdefault(var, "1")
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="ab-cluster-"))
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        cluster = LoopbackCluster(folder, env)
        try:
            cluster.start_scheduler()
            for _ in range(workers):
                cluster.add_worker()
            cluster.wait_for_workers(workers)
            yield cluster
        finally:
            cluster.close()
