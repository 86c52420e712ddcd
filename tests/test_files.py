"""Reading a user's file with its cost bounded first (tempx.theory.files): kinds, sizes, nesting,
integer digits; and the JSON readers of every command built on it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tempx.theory.errors import InvalidInput
from tempx.theory.files import MAX_JSON_DEPTH, json_depth, load_json, read_json, read_text


def test_special_files_are_refused_by_kind_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # a blocking open or read would hang the test
    with pytest.raises(InvalidInput, match="is a FIFO"):
        read_text(fifo, "teacher file")
    with pytest.raises(InvalidInput, match="'/dev/zero' is a character device, not a regular file"):
        read_text("/dev/zero", "parameter file")
    with pytest.raises(InvalidInput, match="is a folder"):
        read_text(tmp_path, "--config file")
    with pytest.raises(InvalidInput, match="No such file"):
        read_text(tmp_path / "missing.json", "parameter file")


def test_the_size_cap_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text("[" + "0," * 600 + "0]")
    assert read_text(big, "x", max_bytes=1203) == big.read_text()
    with pytest.raises(InvalidInput, match=r"has 1203 bytes \(allowed: at most 1202\)"):
        read_text(big, "x", max_bytes=1202)
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_text(tmp_path / "bad.txt", "x")


def test_nesting_is_measured_on_the_text_and_refused_before_parsing() -> None:
    assert json_depth('{"A": [[1, 2], [3, 4]]}') == 3
    assert json_depth('{"s": "[[["}') == 1  # brackets inside strings do not count
    assert json_depth('{"s": "\\"[[", "t": ["\\\\", ["]"]]}') == 3  # nor after escaped quotes and backslashes
    assert json_depth('["}}}}", ["{{{{"]]') == 2
    assert json_depth("3") == 0 and json_depth("[]") == 1
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert load_json(ok, "x") is not None
    with pytest.raises(InvalidInput, match=f"nested {MAX_JSON_DEPTH + 1} levels deep"):
        load_json("[" + ok + "]", "x")
    with pytest.raises(InvalidInput, match="nested 100000 levels deep"):
        load_json("[" * 100_000 + "]" * 100_000, "x")


def test_numbers_stay_exact_text_and_huge_integers_are_refused() -> None:
    assert load_json('{"a": 0.1, "b": 3, "c": NaN}', "x") == {"a": "0.1", "b": 3, "c": "NaN"}
    assert load_json('{"a": 0.1}', "x", exact=False) == {"a": 0.1}
    assert load_json("[" + "9" * 4000 + "]", "x") == [int("9" * 4000)]
    with pytest.raises(InvalidInput, match="an integer of 4001 digits"):
        load_json("[" + "9" * 4001 + "]", "x")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        load_json('{"A": [1,', "x")


def test_read_json_names_the_file(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text(json.dumps({"A": [[1]]}))
    assert read_json(p, "parameter file") == {"A": [[1]]}
    p.write_text("[")
    with pytest.raises(InvalidInput, match=r"parameter file '.*m\.json' is not valid JSON"):
        read_json(p, "parameter file")
