"""Atomic file writes: a file is either absent or complete, never half written."""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tempx.theory.errors import InvalidInput

__all__ = ["ensure_dir", "finite_or_none", "rows_to_csv", "write_bytes_atomic", "write_text_atomic"]


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) or raise ``InvalidInput`` naming why it is unusable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InvalidInput(f"cannot create output folder {str(path)!r}: {err.strerror}") from None
    if not os.access(path, os.W_OK):
        raise InvalidInput(f"output folder {str(path)!r} is not writable")
    return path


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as err:
        raise InvalidInput(f"cannot write {str(path)!r}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def finite_or_none(x: object) -> float | None:
    """JSON has no inf/NaN: non-finite values become null (a status field says why)."""
    v = float(x)  # type: ignore[arg-type]
    return v if math.isfinite(v) else None


def rows_to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A tidy CSV table: one row per dict, the given columns, missing and None as empty cells."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in columns})
    return buf.getvalue()
