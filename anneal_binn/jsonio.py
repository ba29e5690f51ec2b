"""JSON in plain types, written atomically: the one way results reach the disk and stdout.

Examples:
    >>> import numpy as np
    >>> to_jsonable({"a": np.float64(1.5), "b": np.arange(2), "c": float("inf")})
    {'a': 1.5, 'b': [0, 1], 'c': None}
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def to_jsonable(obj):
    """Convert numpy scalars/arrays and read-only mappings inside nested structures to plain JSON types."""
    import numpy as np

    if isinstance(obj, dict) or (hasattr(obj, "keys") and hasattr(obj, "__getitem__")):
        return {str(k): to_jsonable(obj[k]) for k in obj.keys()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
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
