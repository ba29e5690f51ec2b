"""Pieces shared by the subcommands: spec loading, JSON output, run directories."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np


def add_spec_argument(parser) -> None:
    parser.add_argument("spec", help="catalogue name (e.g. fawaz-p1) or path to a TOML spec")


def load_problem(spec_arg: str):
    import anneal_binn as ab

    return ab.build(ab.load_spec(spec_arg))


def to_jsonable(obj):
    """Convert numpy scalars/arrays inside nested structures to plain JSON types."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def write_json_atomic(path: Path, data) -> None:
    """Write JSON so that a crash leaves either the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(to_jsonable(data), f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def print_json(data) -> None:
    print(json.dumps(to_jsonable(data), indent=2, sort_keys=True))
