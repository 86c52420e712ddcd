"""A student's parameters in files and in python-control: JSON (any student, a ``student`` field),
NumPy ``.npz`` (the parameter arrays by name), and ``control.StateSpace``.

JSON: a list of models (or one), each ``{"student": NAME, "d": d, FIELD: values, …}`` with the
fields of the student (``Student.fields``; complex entries as [re, im] pairs).  A model without a
``student`` field is dense: ``{"d", "A", "B", "C"}``, the schema of ``tempx counterexample``.
Entries are floats or exact rational strings (``"1/3"``, read as the nearest float64).

``.npz``: the fields as arrays with a leading batch axis (or without, for one model) and a 0-d
string ``student`` (when absent: read from the field names, A → dense, nu → lru, lam → diagonal
or complex by dtype).  Read without pickles, with every array's size bounded before it is loaded.

python-control: our RNN is h_t = A h_{t−1} + B x_t, y_t = C h_t, so w_0 = C B; a discrete-time
``StateSpace`` (A, B, C', D) has w_0 = D, w_i = C' A^{i−1} B.  ``to_statespace`` gives
(A, B, C A, C B), the same input–output map; ``from_statespace`` realizes any (A, B, C', D) as the
RNN with state (s_t, x_t): [[A, B], [0, 0]], [0; 1], [C', D] — dimension n + 1, the same map.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from tempx.numerics.students import get, student_of
from tempx.numerics.students.arrays import _number, json_array
from tempx.numerics.students.dense import Params
from tempx.theory.errors import InvalidInput

__all__ = ["MAX_NPZ_BYTES", "from_statespace", "json_array", "load_params", "params_from_json", "params_to_json",
           "read_params_json", "save_params", "to_statespace"]

MAX_NPZ_BYTES = 256 * 1024**2  # the arrays of one .npz, uncompressed (a zip can expand far beyond its size)


def _matrix(doc: dict[str, Any], name: str, shape: tuple[int, int]) -> np.ndarray:
    rows = doc.get(name)
    if not isinstance(rows, list) or len(rows) != shape[0] or not all(isinstance(r, list) and len(r) == shape[1] for r in rows):
        raise InvalidInput(f"'{name}' must be a {shape[0]}×{shape[1]} nested list")
    return np.array([[_number(x, f"{name}[{i}][{j}]") for j, x in enumerate(r)] for i, r in enumerate(rows)])


def params_from_json(doc: Any) -> Any:
    """One model, or a list of models, of one student (see the module docstring)."""
    docs = doc if isinstance(doc, list) else [doc]
    if not docs:
        raise InvalidInput("the parameter file holds no model")
    if not all(isinstance(m, dict) for m in docs):
        raise InvalidInput("each model must be a JSON object (a dense one has keys A (d×d), B (d×1), C (1×d))")
    names = {m.get("student", "dense") for m in docs}
    if len(names) != 1:
        raise InvalidInput(f"one file holds models of one student, found {sorted(map(str, names))}")
    student = get(names.pop())
    if student.name != "dense":
        return student.from_json(docs)
    mats = []
    for m in docs:
        if not isinstance(m, dict) or "A" not in m:
            raise InvalidInput("each model must be an object with keys A (d×d), B (d×1), C (1×d)")
        A = m["A"]
        d = len(A) if isinstance(A, list) else 0
        if d < 1:
            raise InvalidInput("'A' must be a non-empty d×d nested list")
        mats.append((_matrix(m, "A", (d, d)), _matrix(m, "B", (d, 1)), _matrix(m, "C", (1, d))))
    if len({a.shape for a, _, _ in mats}) != 1:
        raise InvalidInput("all models in one file must have the same dimension d")
    return Params(*(np.stack([m[i] for m in mats]) for i in range(3)))


def read_params_json(path: str | Path) -> Any:
    """The JSON document of a parameter file, or ``InvalidInput`` naming why it cannot be read."""
    from tempx.theory.files import read_json

    # floats stay floats: a float64 entry is the model (certify takes it as the dyadic rational it is)
    return read_json(path, "parameter file", exact=False)


def load_params(path: str | Path) -> Any:
    """The parameters in a ``.npz`` file, or in a JSON file (exact rational strings or floats).

    Parameters
    ----------
    path : str or Path
        A file written by ``save_params`` or ``tempx train --save-params`` (or by hand: JSON with the
        student's fields as nested lists).

    Returns
    -------
    student batch
        ``Params`` or the batch of the student the file names.

    Raises
    ------
    InvalidInput
        For a missing, unreadable or malformed file (one line naming what is wrong).
    """
    if str(path).endswith(".npz"):
        return read_npz(path)
    return params_from_json(read_params_json(path))


def read_npz(path: str | Path) -> Any:
    """The parameters of a ``.npz`` file (see the module docstring), sizes checked before loading."""
    from tempx.theory.files import read_bytes

    data = read_bytes(path, "parameter file")
    name = str(path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(info.file_size for info in z.infolist())
        if total > MAX_NPZ_BYTES:
            raise InvalidInput(f"parameter file {name!r} expands to {total} bytes (allowed: at most {MAX_NPZ_BYTES})")
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            arrays = {key: f[key] for key in f.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise InvalidInput(f"parameter file {name!r} is not a NumPy .npz of numeric arrays: {err}") from None
    if "student" in arrays:
        student = get(str(arrays.pop("student")))
    elif "A" in arrays:
        student = get("dense")
    elif "nu" in arrays:
        student = get("lru")
    elif "lam" in arrays:
        student = get("complex" if np.iscomplexobj(arrays["lam"]) else "diagonal")
    else:
        raise InvalidInput(f"parameter file {name!r} has arrays {sorted(arrays)}: expected A, B, C (dense), "
                           "lam, b, c (diagonal or complex) or nu, theta, b, c (lru), and optionally 'student'")
    missing = [f for f in student.fields if f not in arrays]
    extra = sorted(set(arrays) - set(student.fields))
    if missing or extra:
        raise InvalidInput(f"parameter file {name!r}: a {student.name} student has arrays {', '.join(student.fields)}"
                           + (f"; missing {', '.join(missing)}" if missing else "") + (f"; unknown {', '.join(extra)}" if extra else ""))
    for f in student.fields:
        a = arrays[f]
        if a.dtype.kind not in "fciu" or a.ndim > 3:
            raise InvalidInput(f"parameter file {name!r}: array {f!r} has dtype {a.dtype} and shape {a.shape} "
                               "(expected numbers, at most 3 dimensions)")
    return student.from_arrays(arrays)


def params_to_json(params: Any) -> list[dict[str, Any]]:
    """A list of models ``{"student", "d", FIELD: values, …}`` with float entries (the init-file schema)."""
    return student_of(params).to_json(params)


def npz_bytes(params: Any) -> bytes:
    """The ``.npz`` form of any student's parameters."""
    student = student_of(params)
    buf = io.BytesIO()
    np.savez(buf, student=np.array(student.name), **student.arrays(params))
    return buf.getvalue()


def save_params(params: Any, path: str | Path) -> None:
    """Write the parameters atomically (a temporary file, then a rename): ``.npz`` by suffix, else JSON.

    A file is either complete or absent: a failure never leaves a partial file.

    Parameters
    ----------
    params : student batch
        Any student's batch.
    path : str or Path
        The destination; ``.npz`` writes numpy's format, any other suffix JSON.

    Raises
    ------
    InvalidInput
        When the file cannot be written (one line: the path and the reason).
    """
    from tempx.numerics.app.io import write_bytes_atomic, write_text_atomic

    if str(path).endswith(".npz"):
        write_bytes_atomic(Path(path), npz_bytes(params))
    else:
        write_text_atomic(Path(path), json.dumps(params_to_json(params), indent=1))


def _control() -> Any:
    try:
        import control
    except ImportError:
        raise InvalidInput("python-control is not installed (pip install 'tempx[interop]' or pip install control)") from None
    return control


def to_statespace(params: Any, index: int = 0) -> Any:
    """Model ``index`` of any student as a discrete-time ``control.StateSpace`` (A, B, C A, C B): the same map."""
    control = _control()
    dense = student_of(params).to_dense(params).select(index)
    A, B, C = dense.A[0], dense.B[0], dense.C[0]
    return control.ss(A, B, C @ A, C @ B, True)


def from_statespace(sys: Any) -> Params:
    """A discrete-time SISO ``control.StateSpace`` (A, B, C', D) as a dense RNN of dimension n + 1 (the same map)."""
    control = _control()
    if not isinstance(sys, control.StateSpace):
        raise TypeError(f"expected a control.StateSpace, got {type(sys).__name__}")
    if not sys.isdtime():
        raise InvalidInput("the system is continuous-time; tempx's RNNs are discrete-time (control.c2d converts)")
    if sys.ninputs != 1 or sys.noutputs != 1:
        raise InvalidInput(f"the system has {sys.ninputs} inputs and {sys.noutputs} outputs; a student is SISO")
    A, B, C, D = (np.asarray(m, dtype=np.float64) for m in (sys.A, sys.B, sys.C, sys.D))
    n = A.shape[0]
    A2 = np.zeros((n + 1, n + 1))
    A2[:n, :n], A2[:n, n] = A, B[:, 0]
    B2 = np.zeros((n + 1, 1))
    B2[n, 0] = 1.0
    C2 = np.concatenate([C[0], D[0]])[None, :]
    return Params(A2[None], B2[None], C2[None])
