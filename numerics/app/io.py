"""Writing results: a file is either absent or complete, a result set is either the previous one or
the whole new one, and nothing but a regular file is ever replaced.

- ``write_bytes_atomic`` writes to a temporary name beside the target and renames it into place
  (the temporary file is removed on any failure, an interruption included); the file gets the
  mode the umask gives a new file (or keeps the mode of the file it replaces).  A target that is
  a symbolic link, a device, a FIFO or a folder is refused: tempx replaces regular files only.
- ``staged(out)`` is a folder inside ``out`` that a command writes its result set into; only when
  every file is written are they moved into ``out`` (renames in one file system, which need no
  space), so a full disk or an interruption leaves the previous result set as it was.
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tempx.theory.errors import InvalidInput

__all__ = ["check_target", "ensure_dir", "finite_or_none", "rows_to_csv", "staged", "write_bytes_atomic",
           "write_text_atomic"]

_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) or raise ``InvalidInput`` naming why it is unusable."""
    if path.exists() and not path.is_dir():
        raise InvalidInput(f"--out {str(path)!r} is a file, not a folder: name a folder (new or existing) for the results")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise InvalidInput(f"cannot create output folder {str(path)!r}: {str(parent)!r} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InvalidInput(f"cannot create output folder {str(path)!r}: {err.strerror}") from None
    if not os.access(path, os.W_OK):
        raise InvalidInput(f"output folder {str(path)!r} is not writable")
    return path


def check_target(path: Path) -> int | None:
    """Refuse an output path that is not a regular file (or absent); the mode of the file it would
    replace, or None for a new file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise InvalidInput(f"cannot write {str(path)!r}: {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        raise InvalidInput(f"{str(path)!r} is {kind}: tempx writes results to regular files only, "
                           "and never replaces anything else")
    return stat.S_IMODE(info.st_mode)


def _new_file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    mode = check_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tempx.", suffix=".tmp", dir=path.parent or ".")
    except OSError as err:
        raise InvalidInput(f"cannot write {str(path)!r}: {err.strerror}") from None
    try:
        os.fchmod(fd, _new_file_mode() if mode is None else mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:  # a full disk, a quota: name the file the user asked for, not the temporary one
        Path(tmp).unlink(missing_ok=True)
        raise OSError(err.errno, err.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh folder inside ``out`` for a whole result set, moved into ``out`` when complete."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=".tempx-staging.", dir=out))
    except OSError as err:
        raise InvalidInput(f"cannot write into {str(out)!r}: {err.strerror}") from None
    try:
        yield stage
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        for src in files:  # every target checked before the first one is replaced
            check_target(out / src.relative_to(stage))
        for src in files:
            dest = out / src.relative_to(stage)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


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
