"""Where a sweep's results live: one small JSON file per finished task, combined into one table.

``OUT/tasks/<task_id>.json`` is written atomically (temporary file + rename) the moment a task
finishes, so a sweep killed at any point keeps every task that finished and a restart runs only
the missing ones. :func:`table` combines them into a tidy DataFrame (one row per task, in the
declaration's order) with the comparison columns, and :func:`write` saves it as
``OUT/results.parquet``.

The comparison columns need every task of an instance: success is measured against the exact
optimum when it is known (N <= 22), else against the best loss any task found on that instance,
which for a non-negative loss (zero-one: training errors) that reached 0 is the optimum itself.
``reference`` says which.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

# Columns that measure time (or where a task ran) and so differ between two runs of the same sweep;
# everything else is a deterministic function of the declaration and its seeds.
TIME_COLUMNS = ("wall_s", "build_s", "formulate_s", "reduce_s", "sample_s", "evaluate_s",
                "tts99_s", "tts99_low_s", "tts99_high_s", "worker", "traceback")

RESULT_COLUMNS = ("status", "error", "reads", "best_loss", "mean_loss", "best_energy", "train_accuracy",
                  "test_accuracy", "exact_optimum", "optimum", "reference", "successes", "success_probability",
                  "r99", "tts99_s", "tts99_low_s", "tts99_high_s", "residual_loss", "hubo_terms", "qubo_variables",
                  "qubo_interactions", "ancillas", "loss_counts", "warnings")


def task_path(out: Path, tid: str) -> Path:
    return Path(out) / "tasks" / f"{tid}.json"


def save_row(out: Path, row: dict) -> None:
    """Persist one finished task (atomically: a crash leaves the old file or the new, never half)."""
    from anneal_binn.jsonio import write_json_atomic

    write_json_atomic(task_path(out, row["task_id"]), row)


def load_rows(out: Path) -> dict[str, dict]:
    """Every persisted task row under ``out``, by task id (a torn or foreign file is skipped)."""
    rows = {}
    folder = Path(out) / "tasks"
    if not folder.is_dir():
        return rows
    for p in sorted(folder.glob("*.json")):
        try:
            row = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError):
            continue  # never happens with atomic writes; a hand-edited file is rerun rather than trusted
        if isinstance(row, dict) and row.get("task_id") == p.stem:
            rows[p.stem] = row
    return rows


def _reference(group_rows: list[dict]) -> tuple[float, str]:
    exact = [r["exact_optimum"] for r in group_rows if r.get("exact_optimum") is not None
             and not math.isnan(r["exact_optimum"])]
    if exact:
        return float(exact[0]), "exact optimum"
    best = min(r["best_loss"] for r in group_rows)
    if best == 0.0:
        # losses here are non-negative (errors, squared errors), so a net at 0 is optimal
        return 0.0, "zero (optimal: the loss is non-negative)"
    return float(best), "best known"


def add_comparison(rows: list[dict], eps: float = 1e-9) -> list[dict]:
    """Add ``optimum``, ``reference``, ``successes``, ``success_probability``, ``r99``, ``tts99_s``
    (with ``tts99_low_s``/``tts99_high_s``, the 95% Wilson interval) and ``residual_loss``.

    TTS99 = (sample_s / reads) * r99, with r99 = ln(0.01) / ln(1 - p) the reads needed for 99%
    confidence; r99 is time-free, so it is identical between runs while TTS99 is not.

    Examples:
        >>> rows = [{"spec": "s", "instance": 0, "status": "ok", "exact_optimum": float("nan"), "best_loss": 0.0,
        ...          "loss_counts": "[[0.0,1],[2.0,3]]", "reads": 4, "sample_s": 0.4}]
        >>> r = add_comparison(rows)[0]
        >>> r["reference"], r["success_probability"], round(r["r99"], 2), round(r["tts99_s"], 2)
        ('zero (optimal: the loss is non-negative)', 0.25, 16.01, 1.6)
    """
    from anneal_binn import metrics

    groups: dict = {}
    for r in rows:
        if r.get("status") == "ok":
            groups.setdefault((r["spec"], r["instance"]), []).append(r)
    refs = {key: _reference(g) for key, g in groups.items()}
    for r in rows:
        key = (r["spec"], r["instance"])
        if r.get("status") != "ok":
            r.update(optimum=math.nan, reference=None, successes=math.nan, success_probability=math.nan,
                     r99=math.nan, tts99_s=math.nan, tts99_low_s=math.nan, tts99_high_s=math.nan,
                     residual_loss=math.nan)
            continue
        optimum, reference = refs[key]
        counts = json.loads(r["loss_counts"])
        reads = float(sum(c for _, c in counts))
        ok = metrics.is_success([loss for loss, _ in counts], optimum, eps)
        successes = float(sum(c for (_, c), s in zip(counts, ok) if s))
        p = successes / reads
        tts = metrics.tts99_ci(r["sample_s"] / reads, successes, reads)
        r.update(optimum=optimum, reference=reference, successes=successes, success_probability=p,
                 r99=metrics.tts99(1.0, p), tts99_s=tts.tts, tts99_low_s=tts.low, tts99_high_s=tts.high,
                 residual_loss=sum((loss - optimum) * c for loss, c in counts) / reads)
    return rows


def table(tasks: list[dict], rows: dict[str, dict], eps: float = 1e-9):
    """The tidy results table: one row per task that has a persisted result, in declaration order."""
    import pandas as pd

    from anneal_binn.sweep.tasks import input_columns

    ordered = [dict(rows[t["task_id"]]) for t in tasks if t["task_id"] in rows]
    add_comparison(ordered, eps)
    df = pd.DataFrame(ordered)
    if "traceback" in df.columns:
        df = df.drop(columns=["traceback"])  # kept in the task's JSON file; too long for a table
    # inputs first (in the order the declaration names them), then results, then time and place
    first = list(input_columns(tasks[0]) if tasks else []) + ["N"]
    for t in tasks:
        first += [c for c in input_columns(t) if c not in first]
    order = [c for c in first + list(RESULT_COLUMNS) if c in df.columns and c not in TIME_COLUMNS]
    order += sorted(c for c in df.columns if c not in order and c not in TIME_COLUMNS)
    order += [c for c in dict.fromkeys(("tts99_s", "tts99_low_s", "tts99_high_s") + TIME_COLUMNS)
              if c in df.columns and c not in order]
    return df[order].reset_index(drop=True)


def write(df, out: Path) -> Path:
    """Save the table as ``OUT/results.parquet`` (atomically)."""
    import os
    import tempfile

    path = Path(out) / "results.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results.", suffix=".parquet")
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def deterministic_columns(df) -> list[str]:
    """The columns two runs of the same sweep must agree on (all but :data:`TIME_COLUMNS`)."""
    return [c for c in df.columns if c not in TIME_COLUMNS]
