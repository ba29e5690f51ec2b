"""Formulations in and out: HUBO JSON, dimod BQM JSON, COO, qbsolv, Ising JSON, CPLEX LP, Qiskit.

Every format has a writer and a reader, and a round trip is lossless in the format's native
vartype (floats are written with ``repr``, which round-trips exactly; labels that are not plain
indices are kept in a header). Native vartypes: ``qubo`` and ``lp`` are BINARY, ``ising-json``
and ``qiskit`` are SPIN; a model of the other vartype is converted on the way out (same energies,
up to floating-point rounding of that conversion).

========== ======================= =========================================================
format     default extension       content
========== ======================= =========================================================
hubo-json  ``.hubo.json``          a :class:`dimod.BinaryPolynomial` (any degree)
bqm-json   ``.bqm.json``           ``dimod.BinaryQuadraticModel.to_serializable()``
coo        ``.coo``                ``i j bias`` lines (``i == j`` for linear biases) [#coo]_
qubo       ``.qubo``               qbsolv's format (``p qubo ...`` header, nodes, couplers)
ising-json ``.ising.json``         ``{"h": ..., "J": ..., "offset": ...}`` in SPIN form
lp         ``.lp``                 CPLEX LP by ``dimod.lp``, quadratic objective, binaries
qiskit     ``.pauli.json``         a Qiskit ``SparsePauliOp`` (bit ``b = (1 - Z)/2``) as Pauli labels
========== ======================= =========================================================

.. [#coo] Written here, not by ``dimod.serialization.coo``: dimod's writer prints biases with
   ``%f`` (six decimals) and no offset, and its reader rejects exponents, so a round trip would
   not be lossless. The LP format is dimod's own writer and reader (``dimod.lp``), which write
   ``repr`` floats.

When a QUBO is written with its :class:`~anneal_binn.reduction.Reduction`, the record is saved
beside it as ``FILE + ".reduction.json"``, so samples read back later can be projected onto the
original variables (:func:`read_reduction`).

Examples:
    >>> import dimod, tempfile, os
    >>> from anneal_binn import export
    >>> bqm = dimod.BinaryQuadraticModel({0: 1.5, "a": -2.0}, {(0, "a"): 0.25}, 1.0, "BINARY")
    >>> path = os.path.join(tempfile.mkdtemp(), "model.lp")
    >>> _ = export.write(bqm, path)
    >>> export.read(path) == bqm
    True
"""
from __future__ import annotations

import json
import re
from collections.abc import Hashable
from pathlib import Path

import dimod

from anneal_binn.polynomial import variable_order
from anneal_binn.reduction.record import Reduction, _decode, _encode

FORMATS = ("hubo-json", "bqm-json", "coo", "qubo", "ising-json", "lp", "qiskit")
EXTENSIONS = {
    ".hubo.json": "hubo-json",
    ".bqm.json": "bqm-json",
    ".ising.json": "ising-json",
    ".pauli.json": "qiskit",
    ".coo": "coo",
    ".qubo": "qubo",
    ".lp": "lp",
}
REDUCTION_SUFFIX = ".reduction.json"
_INDENT_LIMIT = 100_000  # biases or terms; past this JSON is written compact


def format_for(path: str | Path, format: str | None = None) -> str:
    """The format named explicitly, or guessed from the file name.

    Examples:
        >>> format_for("out/net.ising.json"), format_for("x.qubo"), format_for("x.bin", "coo")
        ('ising-json', 'qubo', 'coo')
    """
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"format: unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        return format
    name = str(path).lower()
    for ext, fmt in EXTENSIONS.items():
        if name.endswith(ext):
            return fmt
    if name.endswith(".json") and Path(path).exists():
        try:
            head = json.loads(Path(path).read_text())
        except ValueError:
            head = {}
        tag = head.get("format") or head.get("type") if isinstance(head, dict) else None
        by_tag = {
            "anneal-binn.hubo": "hubo-json",
            "BinaryQuadraticModel": "bqm-json",
            "anneal-binn.ising": "ising-json",
            "anneal-binn.pauli": "qiskit",
        }
        if tag in by_tag:
            return by_tag[tag]
    raise ValueError(
        f"format: cannot tell the format of {str(path)!r} from its name; pass format= one of "
        f"{', '.join(FORMATS)} or use an extension among {', '.join(EXTENSIONS)}"
    )


# ---- helpers -------------------------------------------------------------------------------------
def _as(bqm: dimod.BinaryQuadraticModel, vartype) -> dimod.BinaryQuadraticModel:
    return bqm if bqm.vartype is vartype else bqm.change_vartype(vartype, inplace=False)


def _label_header(prefix: str, labels: list) -> list[str]:
    # indices stand for themselves when the labels are exactly 0..n-1; otherwise map them
    if labels == list(range(len(labels))):
        return []
    return [f"{prefix} label {i} {json.dumps(_encode(v))}" for i, v in enumerate(labels)]


def _num(x: float) -> str:
    return repr(float(x))


def _check_bqm(model) -> dimod.BinaryQuadraticModel:
    if isinstance(model, dimod.BinaryPolynomial):
        raise TypeError(
            "model: this format holds a QUBO; reduce the HUBO first (anneal_binn.reduce) or use format='hubo-json'"
        )
    if not isinstance(model, dimod.BinaryQuadraticModel):
        raise TypeError(f"model: expected a dimod.BinaryQuadraticModel, got {type(model).__name__}")
    return model


# ---- writers ---------------------------------------------------------------------------------------
def _write_hubo_json(poly) -> str:
    from anneal_binn.hubo import Hubo

    if isinstance(poly, Hubo):  # the array form: no per-term sort, terms already canonical
        enc = [_encode(v) for v in poly.variables]
        terms = [[[], poly.offset]] if poly.offset else []
        for rows, coef in poly.blocks:
            terms += [[[enc[i] for i in r], c] for r, c in zip(rows.tolist(), coef.tolist())]
        doc = {"format": "anneal-binn.hubo", "version": 1, "vartype": poly.vartype, "variables": enc, "terms": terms}
        return json.dumps(doc, indent=1) if len(terms) <= _INDENT_LIMIT else json.dumps(doc, separators=(",", ":"))
    if not isinstance(poly, dimod.BinaryPolynomial):
        raise TypeError(f"model: hubo-json holds a dimod.BinaryPolynomial or a Hubo, got {type(poly).__name__}")
    labels = variable_order(poly.variables)
    index = {v: i for i, v in enumerate(labels)}
    terms = sorted(
        ((sorted(t, key=index.__getitem__), float(c)) for t, c in poly.items()),
        key=lambda tc: (len(tc[0]), [index[v] for v in tc[0]]),
    )
    doc = {
        "format": "anneal-binn.hubo",
        "version": 1,
        "vartype": poly.vartype.name,
        "variables": [_encode(v) for v in labels],
        "terms": [[[_encode(v) for v in t], c] for t, c in terms],
    }
    return json.dumps(doc, indent=1) if len(terms) <= _INDENT_LIMIT else json.dumps(doc, separators=(",", ":"))


def _write_bqm_json(bqm) -> str:
    # json's indented encoder is pure Python; the compact one is C, 2x faster on a million couplers
    doc = bqm.to_serializable()
    if bqm.num_variables + bqm.num_interactions > _INDENT_LIMIT:
        return json.dumps(doc, separators=(",", ":"))
    return json.dumps(doc, indent=1)


def _write_coo(bqm) -> str:
    labels = list(bqm.variables)
    index = {v: i for i, v in enumerate(labels)}
    lines = ["# anneal-binn coo", f"# vartype {bqm.vartype.name}", f"# offset {_num(bqm.offset)}"]
    lines += _label_header("#", labels)
    lines += [f"{index[v]} {index[v]} {_num(b)}" for v, b in bqm.linear.items()]
    for (u, v), b in bqm.quadratic.items():
        i, j = sorted((index[u], index[v]))
        lines.append(f"{i} {j} {_num(b)}")
    return "\n".join(lines) + "\n"


def _write_qubo(bqm) -> str:
    bqm = _as(bqm, dimod.BINARY)
    labels = list(bqm.variables)
    index = {v: i for i, v in enumerate(labels)}
    nodes = [f"{index[v]} {index[v]} {_num(b)}" for v, b in bqm.linear.items()]
    couplers = []
    for (u, v), b in bqm.quadratic.items():
        i, j = sorted((index[u], index[v]))
        couplers.append(f"{i} {j} {_num(b)}")
    lines = ["c anneal-binn qbsolv QUBO", f"c offset {_num(bqm.offset)}"]
    lines += _label_header("c", labels)
    lines.append(f"p qubo 0 {len(labels)} {len(nodes)} {len(couplers)}")
    return "\n".join(lines + nodes + couplers) + "\n"


def _write_ising_json(bqm) -> str:
    bqm = _as(bqm, dimod.SPIN)
    doc = {
        "format": "anneal-binn.ising",
        "version": 1,
        "h": [[_encode(v), float(b)] for v, b in bqm.linear.items()],
        "J": [[_encode(u), _encode(v), float(b)] for (u, v), b in bqm.quadratic.items()],
        "offset": float(bqm.offset),
    }
    return json.dumps(doc, indent=1)


def _write_lp(bqm) -> str:
    """CPLEX LP by :func:`dimod.lp.dumps` (floats as ``repr``: lossless); our labels in comments.

    LP names must be strings that start with a letter, so variables are written ``x0, x1, ...``
    and a ``\\ label x<i> <json>`` comment line per variable maps them back.
    """
    from dimod import lp

    bqm = _as(bqm, dimod.BINARY)
    labels = list(bqm.variables)
    name = {v: f"x{i}" for i, v in enumerate(labels)}
    cqm = dimod.ConstrainedQuadraticModel()
    cqm.set_objective(bqm.relabel_variables(name, inplace=False))
    head = ["\\ anneal-binn QUBO"]
    head += [f"\\ label x{i} {json.dumps(_encode(v))}" for i, v in enumerate(labels)]
    body = lp.dumps(cqm)
    if not body.lstrip().lower().startswith("minimize"):  # dimod writes no objective section when it is empty
        body = "Minimize\n obj: 0\n" + body
    return "\n".join(head) + "\n" + body.rstrip("\n") + "\n"


def to_sparse_pauli_op(bqm: dimod.BinaryQuadraticModel):
    """The QUBO as a diagonal Qiskit ``SparsePauliOp``, and the variable of each qubit.

    Qubit ``i`` is variable ``labels[i]``; a measured bit ``b`` is the BINARY value, so the spin is
    ``s = 2b - 1 = -Z``: ``h_i s_i -> -h_i Z_i`` and ``J_ij s_i s_j -> J_ij Z_i Z_j``.

    Examples:
        >>> import dimod
        >>> op, labels = to_sparse_pauli_op(dimod.BQM({"a": 1.0}, {("a", "b"): 2.0}, 0.5, "SPIN"))
        >>> sorted(op.to_list()), labels
        ([('II', (0.5+0j)), ('IZ', (-1+0j)), ('ZI', 0j), ('ZZ', (2+0j))], ['a', 'b'])
    """
    from anneal_binn.errors import require

    qi = require("qiskit.quantum_info", "gate")
    bqm = _as(_check_bqm(bqm), dimod.SPIN)
    labels = list(bqm.variables)
    index = {v: i for i, v in enumerate(labels)}
    terms = [("", [], float(bqm.offset))]
    terms += [("Z", [index[v]], 0.0 - float(b)) for v, b in bqm.linear.items()]
    terms += [("ZZ", [index[u], index[v]], float(b)) for (u, v), b in bqm.quadratic.items()]
    return qi.SparsePauliOp.from_sparse_list(terms, num_qubits=max(1, len(labels))), labels


def from_sparse_pauli_op(op, labels=None) -> dimod.BinaryQuadraticModel:
    """Inverse of :func:`to_sparse_pauli_op`: a diagonal (I/Z only, at most ZZ) operator -> SPIN BQM."""
    n = op.num_qubits
    labels = list(range(n)) if labels is None else list(labels)
    bqm = dimod.BinaryQuadraticModel(dimod.SPIN)
    bqm.add_variables_from((v, 0.0) for v in labels)
    for pauli, coeff in op.to_list():
        if abs(complex(coeff).imag) > 0:
            raise ValueError(f"op: term {pauli} has an imaginary coefficient; a QUBO operator is real")
        c = float(complex(coeff).real)
        qubits = [n - 1 - k for k, ch in enumerate(pauli) if ch != "I"]
        if any(ch not in "IZ" for ch in pauli) or len(qubits) > 2:
            raise ValueError(f"op: term {pauli} is not diagonal and at most 2-local (I and Z only)")
        if not qubits:
            bqm.offset += c
        elif len(qubits) == 1:
            bqm.add_linear(labels[qubits[0]], 0.0 - c)
        else:
            bqm.add_quadratic(labels[qubits[1]], labels[qubits[0]], c)
    return bqm


def _write_qiskit(bqm) -> str:
    op, labels = to_sparse_pauli_op(bqm)
    doc = {
        "format": "anneal-binn.pauli",
        "version": 1,
        "convention": "qubit i = variable labels[i]; bit b = (1 - Z)/2; qiskit little-endian labels",
        "num_qubits": op.num_qubits,
        "labels": [_encode(v) for v in labels],
        "terms": [[p, complex(c).real, complex(c).imag] for p, c in op.to_list()],
    }
    return json.dumps(doc, indent=1)


_WRITERS = {
    "hubo-json": _write_hubo_json,
    "bqm-json": _write_bqm_json,
    "coo": _write_coo,
    "qubo": _write_qubo,
    "ising-json": _write_ising_json,
    "lp": _write_lp,
    "qiskit": _write_qiskit,
}


def dumps(model, format: str) -> str:
    """The text of ``model`` in ``format`` (see :data:`FORMATS`)."""
    fmt = format_for("", format)
    if fmt != "hubo-json":
        model = _check_bqm(model)
    return _WRITERS[fmt](model)


def write(model, path: str | Path, format: str | None = None, *, reduction: Reduction | None = None) -> Path:
    """Write a HUBO or QUBO to ``path``; with ``reduction``, save it beside as ``path + ".reduction.json"``.

    Args:
        model: a :class:`dimod.BinaryPolynomial` (``hubo-json`` only) or
            :class:`dimod.BinaryQuadraticModel`.
        path: destination file.
        format: one of :data:`FORMATS`; default: guessed from the extension.
        reduction: the record returned by :func:`anneal_binn.reduce` with this QUBO.
    """
    path = Path(path)
    text = dumps(model, format_for(path, format))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if reduction is not None:
        if not isinstance(reduction, Reduction):
            raise TypeError(f"reduction: expected an anneal_binn.Reduction, got {type(reduction).__name__}")
        reduction.save(Path(str(path) + REDUCTION_SUFFIX))
    return path


# ---- readers ---------------------------------------------------------------------------------------
def _labels_from_header(lines: list[str], prefix: str) -> dict[str, Hashable]:
    out = {}
    pat = re.compile(rf"^{re.escape(prefix)}\s*label\s+(\S+)\s+(.*)$")
    for line in lines:
        m = pat.match(line.strip())
        if m:
            out[m.group(1)] = _decode(json.loads(m.group(2)))
    return out


def _header_value(lines, prefix, key, default=None):
    pat = re.compile(rf"^{re.escape(prefix)}\s*{key}\s+(\S+)\s*$")
    for line in lines:
        m = pat.match(line.strip())
        if m:
            return m.group(1)
    return default


def _read_hubo_json(text: str) -> dimod.BinaryPolynomial:
    doc = json.loads(text)
    if doc.get("format") != "anneal-binn.hubo":
        raise ValueError("file: not an anneal-binn HUBO JSON document (format tag missing)")
    terms = {}
    for t, c in doc["terms"]:
        key = frozenset(_decode(v) for v in t)
        terms[key] = terms.get(key, 0.0) + float(c)
    return dimod.BinaryPolynomial(terms, doc["vartype"])


def _read_bqm_json(text: str) -> dimod.BinaryQuadraticModel:
    return dimod.BinaryQuadraticModel.from_serializable(json.loads(text))


def _read_indexed(lines, prefix, vartype, offset, rows) -> dimod.BinaryQuadraticModel:
    names = _labels_from_header(lines, prefix)
    lab = (lambda i: names[i]) if names else int
    bqm = dimod.BinaryQuadraticModel(vartype)
    for i, j, b in rows:
        if i == j:
            bqm.add_linear(lab(i), b)
        else:
            bqm.add_quadratic(lab(i), lab(j), b)
    bqm.offset = offset
    return bqm


def _read_coo(text: str) -> dimod.BinaryQuadraticModel:
    lines = text.splitlines()
    rows = []
    for line in lines:
        s = line.strip()
        if s and not s.startswith("#"):
            i, j, b = s.split()
            rows.append((i, j, float(b)))
    vartype = _header_value(lines, "#", "vartype", "BINARY")
    return _read_indexed(lines, "#", dimod.Vartype[vartype], float(_header_value(lines, "#", "offset", 0.0)), rows)


def _read_qubo(text: str) -> dimod.BinaryQuadraticModel:
    lines = text.splitlines()
    rows = []
    for line in lines:
        s = line.strip()
        if s and not s.startswith(("c", "p")):
            i, j, b = s.split()
            rows.append((i, j, float(b)))
    return _read_indexed(lines, "c", dimod.BINARY, float(_header_value(lines, "c", "offset", 0.0)), rows)


def _read_ising_json(text: str) -> dimod.BinaryQuadraticModel:
    doc = json.loads(text)
    if doc.get("format") != "anneal-binn.ising":
        raise ValueError("file: not an anneal-binn Ising JSON document (format tag missing)")
    bqm = dimod.BinaryQuadraticModel(dimod.SPIN)
    for v, b in doc["h"]:
        bqm.add_linear(_decode(v), float(b))
    for u, v, b in doc["J"]:
        bqm.add_quadratic(_decode(u), _decode(v), float(b))
    bqm.offset = float(doc["offset"])
    return bqm


def _read_lp(text: str) -> dimod.BinaryQuadraticModel:
    """An LP file by :func:`dimod.lp.loads`: a quadratic objective over binary variables, no constraints."""
    from dimod import lp

    lines = text.splitlines()
    names = _labels_from_header(lines, "\\")
    try:
        cqm = lp.loads(text)
    except Exception as exc:  # dimod's parser raises several types; name the file's problem once
        raise ValueError(f"file: not a readable LP file ({exc})") from exc
    if cqm.constraints:
        raise ValueError(
            f"file: the LP has {len(cqm.constraints)} constraint(s) ({', '.join(map(str, list(cqm.constraints)[:3]))}); "
            "a QUBO has none -- use dimod.lp.load for a constrained model"
        )
    other = [v for v in cqm.variables if cqm.vartype(v) is not dimod.BINARY]
    if other:
        raise ValueError(
            f"file: variable(s) {', '.join(map(str, other[:5]))} are not binary "
            f"({cqm.vartype(other[0]).name}); a QUBO LP declares every variable under 'Binary'"
        )
    obj = cqm.objective
    bqm = dimod.BinaryQuadraticModel(dimod.BINARY)
    lab = (lambda s: names.get(s, s)) if names else (lambda s: s)
    for v in obj.variables:
        bqm.add_linear(lab(v), float(obj.get_linear(v)))
    for u, v, bias in obj.iter_quadratic():
        bqm.add_quadratic(lab(u), lab(v), float(bias))
    bqm.offset = float(obj.offset)
    for v in cqm.variables:  # declared binaries with no objective term are still variables
        bqm.add_variable(lab(v))
    return bqm


def _read_qiskit(text: str) -> dimod.BinaryQuadraticModel:
    return from_sparse_pauli_op(*read_pauli_text(text))


def read_pauli_text(text: str):
    """``(SparsePauliOp, labels)`` from the text of a ``qiskit`` (``.pauli.json``) file."""
    from anneal_binn.errors import require

    qi = require("qiskit.quantum_info", "gate")
    doc = json.loads(text)
    if doc.get("format") != "anneal-binn.pauli":
        raise ValueError("file: not an anneal-binn Pauli JSON document (format tag missing)")
    op = qi.SparsePauliOp.from_list([(p, complex(re_, im)) for p, re_, im in doc["terms"]], num_qubits=doc["num_qubits"])
    return op, [_decode(v) for v in doc["labels"]]


def read_pauli(path: str | Path):
    """``(SparsePauliOp, labels)`` from a ``.pauli.json`` file written by :func:`write`."""
    return read_pauli_text(Path(path).read_text())


_READERS = {
    "hubo-json": _read_hubo_json,
    "bqm-json": _read_bqm_json,
    "coo": _read_coo,
    "qubo": _read_qubo,
    "ising-json": _read_ising_json,
    "lp": _read_lp,
    "qiskit": _read_qiskit,
}


def loads(text: str, format: str):
    """Parse ``text`` in ``format``: a BinaryPolynomial for ``hubo-json``, else a BinaryQuadraticModel."""
    return _READERS[format_for("", format)](text)


def read(path: str | Path, format: str | None = None):
    """Read a file written by :func:`write` (or any file of the same format).

    Returns:
        A :class:`dimod.BinaryPolynomial` for ``hubo-json``, else a
        :class:`dimod.BinaryQuadraticModel` (in the format's native vartype). Use
        :func:`read_pauli` for the Qiskit operator itself.
    """
    path = Path(path)
    return loads(path.read_text(), format_for(path, format))


def read_reduction(path: str | Path) -> Reduction | None:
    """The :class:`Reduction` saved beside ``path`` (``path + ".reduction.json"``), or None."""
    rec = Path(str(path) + REDUCTION_SUFFIX)
    return Reduction.load(rec) if rec.exists() else None


# ---- the formulate pipeline ------------------------------------------------------------------------
def formulate(
    spec,
    path: str | Path,
    *,
    format: str | None = None,
    reduce: str | None = "auto",
    vartype: str = "BINARY",
    max_degree: int | None = None,
    threshold: float | None = None,
    hubo_method: str = "fourier",
    seed: int = 0,
):
    """Spec or Problem -> HUBO -> (reduce) -> file; the Python side of ``anneal-binn formulate``.

    Args:
        spec: a catalogue name, a TOML path, a Spec or a built Problem.
        path: output file; its extension picks the format unless ``format`` is given.
        format: one of :data:`FORMATS`. ``hubo-json`` writes the HUBO itself (no reduction).
        reduce: reduction method for QUBO formats (see :data:`anneal_binn.reduction.METHODS`).
        vartype: ``"BINARY"`` or ``"SPIN"`` form of the HUBO (and of the QUBO).
        max_degree, threshold: truncation of the Fourier HUBO.
        hubo_method: passed to ``Problem.to_hubo``.
        seed: seed of the ``cover`` search in ``reduce``.

    Returns:
        ``(model, reduction)``: what was written, and its Reduction (None for ``hubo-json``).
    """
    import anneal_binn as ab
    from anneal_binn.reduction import reduce as _reduce

    problem = spec
    if isinstance(spec, (str, Path)):
        problem = ab.build(ab.load_spec(str(spec)))
    elif isinstance(spec, ab.Spec):
        problem = ab.build(spec)
    options = {}
    if max_degree is not None:
        options["max_degree"] = max_degree
    if threshold is not None:
        options["threshold"] = threshold
    hubo = problem.to_hubo(method=hubo_method, vartype=vartype, **options)
    fmt = format_for(path, format)
    if fmt == "hubo-json":
        write(hubo, path, fmt)
        return hubo, None
    bqm, red = _reduce(hubo, reduce or "auto", seed=seed)
    write(bqm, path, fmt, reduction=red)
    return bqm, red
