"""Execute a notebook in place at paper size (or toy size), with nbclient from the ``test`` extra.

    python notebooks/execute.py notebooks/02_quantum_hypernetworks.ipynb            # paper size
    python notebooks/execute.py notebooks/07_digitized_annealing.ipynb --env ANNEAL_BINN_N=21
    python notebooks/execute.py notebooks/03_amplitude_amplification.ipynb --toy --out /tmp/toy.ipynb

The kernel runs in the repository root (the notebooks read ``benchmarks/*.json`` from there), with
``ANNEAL_BINN_TOY=0`` unless ``--toy``, and no cell timeout. The executed copy replaces the notebook
unless ``--out`` names another file; a failing cell leaves the original untouched.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--toy", action="store_true", help="ANNEAL_BINN_TOY=1 (the test suite's size)")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="more environment for the kernel")
    ap.add_argument("--out", type=Path, help="write the executed copy here instead of in place")
    args = ap.parse_args(argv)
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        print("execute.py: needs nbformat and nbclient: pip install -e '.[test]'", file=sys.stderr)
        return 2
    if not args.notebook.is_file():
        print(f"execute.py: no notebook at {args.notebook}", file=sys.stderr)
        return 2
    os.environ["ANNEAL_BINN_TOY"] = "1" if args.toy else "0"
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep or not name:
            print(f"--env: expected NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        os.environ[name] = value
    nb = nbformat.read(args.notebook, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    out = args.out or args.notebook
    nbformat.write(nb, out)
    print(f"{args.notebook.name}: executed in {time.perf_counter() - t0:.0f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
