"""Reading a user's file with its cost bounded before the work.

Every file tempx reads (a ``file:`` teacher, ``--init-file``, ``--params``, ``--config``) goes
through ``read_text`` and ``load_json``:

- only regular files: a FIFO would block forever and ``/dev/zero`` never ends, so the file is
  opened without blocking and refused unless ``fstat`` says it is a regular file;
- the size is checked against ``MAX_FILE_BYTES`` before a byte is read, and no more than that is
  ever read (a file that grows while it is read is refused too);
- JSON nesting is measured on the raw text (one vectorized pass) and refused beyond
  ``MAX_JSON_DEPTH`` before the parser runs; integers of more than ``MAX_DIGITS`` digits are
  refused by the parser's own hook, and decimals can be kept as text for the exact reader, whose
  digit and exponent caps (``tempx.theory.exact``) then apply.

The largest file allowed costs about 16 bytes of memory per byte of text to parse (measured:
a 45 MB matrix file took 0.7 GB), so 64 MiB bounds a read near 1 GiB.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from tempx.theory.errors import InvalidInput
from tempx.theory.exact import MAX_DIGITS

__all__ = ["MAX_FILE_BYTES", "MAX_JSON_DEPTH", "json_depth", "load_json", "read_bytes", "read_json", "read_text"]

MAX_FILE_BYTES = 64 * 1024**2
MAX_JSON_DEPTH = 32  # the deepest schema tempx reads is 4 (a list of models of matrices of rows)

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_text(path: str | Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes``, or one ``InvalidInput`` line."""
    try:
        return read_bytes(path, what, max_bytes).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} {str(path)!r} is not UTF-8 text") from None


def read_bytes(path: str | Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or one ``InvalidInput`` line."""
    name = str(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InvalidInput(f"cannot read {what} {name!r}: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"{what} {name!r} is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise InvalidInput(f"{what} {name!r} has {info.st_size} bytes (allowed: at most {max_bytes})")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InvalidInput(f"{what} {name!r} grew beyond {max_bytes} bytes while it was read")
    except OSError as err:
        raise InvalidInput(f"cannot read {what} {name!r}: {err.strerror}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text``: brackets inside strings do not count
    (escapes are blanked first, then every string; both linear-time regular expressions).  For text
    that is not JSON the count may be anything, and ``json.loads`` refuses that text anyway (a
    ``RecursionError`` is caught too)."""
    import numpy as np  # here, not at import: the exact commands start without numpy

    bare = _STRING.sub('""', _ESCAPE.sub("__", text))
    raw = np.frombuffer(bare.encode("utf-8"), dtype=np.uint8)
    step = np.zeros(raw.shape, dtype=np.int64)
    step[(raw == ord("[")) | (raw == ord("{"))] = 1
    step[(raw == ord("]")) | (raw == ord("}"))] = -1
    return int(np.cumsum(step).max(initial=0))


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise InvalidInput(f"an integer of {digits} digits (allowed: at most {MAX_DIGITS})")
    return int(text)


def load_json(text: str, what: str, exact: bool = True) -> Any:
    """Parse JSON text with its nesting and integer sizes bounded first.

    ``exact``: decimals stay strings (``"0.1"``), for the exact reader; else they are floats.
    ``NaN`` and ``Infinity`` stay strings either way, for the reader to refuse by name.
    """
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise InvalidInput(f"{what} is nested {depth} levels deep (allowed: at most {MAX_JSON_DEPTH})")
    try:
        return json.loads(text, parse_float=str if exact else float, parse_int=_bounded_int,
                          parse_constant=lambda c: c)
    except json.JSONDecodeError as err:
        raise InvalidInput(f"{what} is not valid JSON: {err.msg} at line {err.lineno}") from None
    except InvalidInput as err:
        raise InvalidInput(f"{what}: {err}") from None
    except RecursionError:  # not reached below MAX_JSON_DEPTH; kept so no input can give a traceback
        raise InvalidInput(f"{what} is nested too deeply") from None


def read_json(path: str | Path, what: str, exact: bool = True, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """``load_json`` of ``read_text``: the one way tempx reads a JSON file a user names."""
    return load_json(read_text(path, what, max_bytes), f"{what} {str(path)!r}", exact)
