"""Run directories: a submission that loses nothing when it is interrupted.

``submit`` writes everything needed to interpret and repeat the run *before* the first sample
is requested, then each returned SampleSet as its own file, atomically::

    DIR/manifest.json          solver, parameters, seed, batches; rewritten atomically after each batch
    DIR/spec.json (+spec.toml) the formulation spec
    DIR/hubo.json              the HUBO sent to PolySamplers, or reduced for QUBO samplers
    DIR/bqm.json               the reduced QUBO (QUBO samplers)
    DIR/reduction.json         the Reduction record that maps QUBO samples back
    DIR/embedding.json         the QPU embedding (qpu), reused on --resume
    DIR/samples/batch-0000.json  one SampleSet per batch (dimod serializable), over the problem's variables
    DIR/summary.json           written when every batch is in

A crash or network failure mid-run leaves every earlier batch readable; ``resume=True`` checks
the directory matches the request and runs only the missing batches, with the same per-batch
seeds, so an interrupted-and-resumed run equals an uninterrupted one.

Examples:
    >>> import tempfile, anneal_binn as ab
    >>> from anneal_binn.qpu.rundir import submit, load_samples
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> out = tempfile.mkdtemp()
    >>> summary = submit(problem, "sa", out, num_batches=2, num_reads=5, seed=0)
    >>> len(load_samples(out))
    10
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import dimod
import numpy as np

from anneal_binn.errors import AnnealBinnError

FORMAT_VERSION = 1


class InjectedFailure(AnnealBinnError, RuntimeError):
    """Raised by the ``fail_after`` test hook to simulate a crash between batches."""


class RunDirectoryError(AnnealBinnError, ValueError):
    """A run directory does not match the request (or is missing when resuming)."""


def _write(path: Path, data) -> None:
    from anneal_binn.jsonio import write_json_atomic

    write_json_atomic(path, data)


def batch_seed(seed: int, index: int) -> int:
    """The seed of batch ``index``: derived, so a resumed run repeats the same batches."""
    # 31 bits: some samplers (dwave-samplers SA) reject seeds >= 2^31
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1, dtype=np.uint32)[0] >> 1)


def batch_path(out: Path, index: int) -> Path:
    return Path(out) / "samples" / f"batch-{index:04d}.json"


def load_samples(out: str | Path) -> dimod.SampleSet:
    """All completed batches of a run directory, concatenated (each file read independently)."""
    files = sorted((Path(out) / "samples").glob("batch-*.json"))
    if not files:
        raise FileNotFoundError(f"{out}: no completed batches in samples/")
    sets = [dimod.SampleSet.from_serializable(json.loads(f.read_text())) for f in files]
    return dimod.concatenate(sets)


def submit(problem, solver: str, out: str | Path, *, num_batches: int = 1, num_reads: int = 100,
           seed: int = 0, resume: bool = False, reduction: str = "auto", hubo: dict | None = None,
           qubo: dict | None = None, fail_after: int | None = None, log=None, **params: Any) -> dict:
    """Run ``solver`` on ``problem`` in ``num_batches`` batches, recording everything in ``out``.

    The manifest is written first, so a run that fails at any point (even before its first batch,
    e.g. while connecting to Leap) can be continued with ``resume=True``; every artefact already
    on disk is reused, every missing one is built.

    Args:
        problem: a :class:`~anneal_binn.problem.Problem`.
        solver: registry name (``qpu``, ``hybrid``, or any other).
        out: the run directory (created; must be empty or absent unless ``resume``).
        num_batches, num_reads: batches and reads per batch.
        seed: base seed; batch ``i`` uses :func:`batch_seed`.
        resume: continue an interrupted run in ``out``.
        reduction, hubo, qubo: the route, as for :class:`anneal_binn.pipeline.Pipeline`.
        fail_after: test hook: raise :class:`InjectedFailure` after this many batches of this call.
        log: optional callable taking one line of progress (never receives credentials).
        **params: solver parameters (for ``qpu``: ``mock=True``, ``topology_shape``, ``chain_strength``...).

    Returns:
        The summary: the run's :meth:`Result.to_dict` document plus ``batches`` (also written
        to ``summary.json``).
    """
    from anneal_binn import export
    from anneal_binn.jsonio import to_jsonable
    from anneal_binn.pipeline import Pipeline

    out = Path(out)
    log = log or (lambda line: None)
    if isinstance(num_batches, bool) or int(num_batches) < 1:
        raise RunDirectoryError(f"num_batches: must be a positive integer, got {num_batches}")
    if isinstance(num_reads, bool) or int(num_reads) < 1:
        raise RunDirectoryError(f"num_reads: must be a positive integer, got {num_reads}")
    pipe = Pipeline(problem, solver, hubo=hubo, qubo=qubo, reduction=reduction, params=params)
    request = {
        "format_version": FORMAT_VERSION,
        "spec": problem.spec.to_dict(),
        "solver": solver,
        "params": to_jsonable(params),
        "seed": int(seed),
        "num_batches": int(num_batches),
        "num_reads": int(num_reads),
        "reduction": reduction,
        "hubo": to_jsonable(pipe.hubo_options),
        "qubo": to_jsonable(pipe.qubo_options),
    }
    manifest_path = out / "manifest.json"
    if resume:
        if not manifest_path.exists():
            raise RunDirectoryError(f"--resume: {out} has no manifest.json; start the run without --resume")
        manifest = json.loads(manifest_path.read_text())
        for key, value in request.items():
            if manifest.get(key, {} if key == "qubo" else None) != json.loads(json.dumps(value)):
                raise RunDirectoryError(f"--resume: {out} was started with a different {key}; "
                                        f"use a new --out directory or the original arguments")
    else:
        if out.exists() and any(out.iterdir()):
            raise RunDirectoryError(f"--out: {out} is not empty; use --resume to continue it or a new directory")
        manifest = dict(request, created=time.strftime("%Y-%m-%dT%H:%M:%S"), status="preparing", completed=[])
        # first, so that a failure at any later point leaves a run that --resume can continue
        _write(manifest_path, manifest)

    # 1. everything needed to interpret the run, before any sample is requested (kept if present)
    if not (out / "spec.json").exists():
        _write(out / "spec.json", problem.spec.to_dict())
    src = Path(problem.spec.source) if problem.spec.source else None
    if src is not None and src.is_file() and not (out / "spec.toml").exists():
        shutil.copyfile(src, out / "spec.toml")
    # (a solver given the problem itself, or its stability cost, needs no HUBO: the spec defines the run)
    if (pipe.entry.input == "hubo" and not pipe.stability_route) or (pipe.entry.input == "bqm" and not pipe.qubo_options):
        if not (out / "hubo.json").exists():
            export.write(pipe.formulate(), out / "hubo.json", "hubo-json")
    if pipe.entry.input == "bqm":
        from anneal_binn.reduction import Reduction

        if not pipe.qubo_options and (out / "reduction.json").exists():
            record = Reduction.load(out / "reduction.json")
            pipe.restore(record.bqm, record)
        bqm, record = pipe.reduce()
        if not (out / "bqm.json").exists():
            export.write(bqm, out / "bqm.json", "bqm-json")
        if isinstance(record, Reduction) and not (out / "reduction.json").exists():
            record.save(out / "reduction.json")
        emb_path = out / "embedding.json"
        if solver == "qpu":
            if emb_path.exists():
                raw = json.loads(emb_path.read_text())
                index = {str(v): v for v in bqm.variables}
                pipe.ctor_params["embedding"] = {index[k]: v for k, v in raw.items()}
                pipe.sampler  # noqa: B018 - construct with the stored embedding
            else:
                sampler = pipe.sampler
                sampler.embedding = sampler.find_embedding(bqm, seed)
                _write(emb_path, {str(k): v for k, v in sampler.embedding.items()})
                log(f"embedding: {len(sampler.embedding)} chains, "
                    f"longest {max(map(len, sampler.embedding.values()))} qubits")
    manifest["status"] = "running"
    _write(manifest_path, manifest)

    # 2. the batches, each written atomically as it returns
    done_now = 0
    completed = set(manifest.get("completed", []))
    # a batch file is the truth: it is renamed into place only once complete
    completed |= {i for i in range(num_batches) if batch_path(out, i).exists()}
    from anneal_binn.progress import progress

    for i in progress(range(num_batches), desc="submit batches"):
        if i in completed:
            continue
        if fail_after is not None and done_now >= fail_after:
            raise InjectedFailure(f"injected failure after {done_now} batch(es) (test hook)")
        ss = pipe.sample(seed=batch_seed(seed, i), num_reads=num_reads)
        info = to_jsonable({k: v for k, v in ss.info.items() if k != "embedding"})  # embedding.json has it
        ss.info.clear()
        ss.info.update(info, batch=i, seed=batch_seed(seed, i))
        _write(batch_path(out, i), ss.to_serializable(use_bytes=False))
        completed.add(i)
        done_now += 1
        manifest["completed"] = sorted(completed)
        _write(manifest_path, manifest)
        log(f"batch {i + 1}/{num_batches}: {len(ss)} rows, best energy {float(ss.record.energy.min()):.6g}")

    # 3. summary once everything is in: the same Result document every --json prints
    all_ss = load_samples(out)
    all_ss.info["timing"] = dict(pipe.timing, sample_s=sum(
        json.loads(batch_path(out, i).read_text())["info"]["timing"]["sample_s"] for i in range(num_batches)))
    summary = pipe.result(all_ss, seed=seed, num_reads=num_reads * num_batches).to_dict()
    summary["batches"] = num_batches
    manifest["status"] = "complete"
    _write(out / "summary.json", summary)
    _write(manifest_path, manifest)
    return summary
