"""The caps of docs/cli.md ("Caps, each refused with one line") hold as written: each value at its cap is
accepted and one past it refused, where accepting is cheap; otherwise one past the cap is refused before any
work.  The table's numbers are read from the docs, so the docs and the code cannot drift apart."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import assert_usage_error, run_cli

from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational
from tempx.theory.files import load_json, read_bytes

ROOT = Path(__file__).resolve().parents[1]


def documented_cap(what: str) -> str:
    """The cap column of the docs/cli.md row whose first cell starts with ``what``."""
    for line in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and cells[1].startswith(what):
            return cells[2]
    raise AssertionError(f"no row {what!r} in the caps table of docs/cli.md")


def number(text: str) -> int:
    """The integer a cap cell states, as plain text (10⁶, ±4 000) or typeset ($10^6$, $\\pm 4\\,000$)."""
    text = text.replace("$", "").replace("10^6", "1000000").replace("\\pm", "±").replace("\\,", "")
    text = text.replace("10⁶", "1000000").replace(" ", "").replace(",", "")
    return int(re.match(r"[±]?(\d+)", text).group(1))  # type: ignore[union-attr]


def test_float_lengths_q() -> None:
    from tempx.numerics.losses import check_lengths

    cap = number(documented_cap("`--q` of train"))
    assert check_lengths([3, cap]) == (3, cap)  # accepted (running it takes seconds: the refusal is the CLI's)
    assert_usage_error(run_cli(["train", "--k", "2", "--d", "1", "--steps", "0", "--q", str(cap + 1)]), f"beyond {cap}")


def test_counterexample_terms_and_certify_lengths(tmp_path: Path) -> None:
    terms = number(documented_cap("`counterexample --terms`"))
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--terms", str(terms + 1)]), f"<= {terms}")
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--q", str(terms + 1)]))
    certify = number(documented_cap("`certify --k`"))
    params = tmp_path / "half.json"
    params.write_text('{"A": [[0.5]], "B": [[1.0]], "C": [[1.0]]}')
    assert_usage_error(run_cli(["certify", "--params", str(params), "--k", str(certify + 1)]))
    assert_usage_error(run_cli(["certify", "--params", str(params), "--k", "2", "--q", str(certify + 1)]))
    assert run_cli(["certify", "--params", str(params), "--k", "2", "--q", str(certify)]).returncode == 0


def test_threshold_k() -> None:
    cap = number(documented_cap("`threshold --k`"))
    assert_usage_error(run_cli(["threshold", "--k", str(cap + 1)]), str(cap))


def test_digits_exponents_and_characters_of_exact_numbers() -> None:
    digits = number(documented_cap("digits of an exact number"))
    assert parse_rational("9" * digits) == int("9" * digits)
    assert parse_rational("1/" + "7" * digits).denominator == int("7" * digits)
    for bad in ("9" * (digits + 1), "1/" + "7" * (digits + 1), "0." + "1" * digits):
        with pytest.raises(InvalidInput, match="digits"):
            parse_rational(bad)
    exponent = number(documented_cap("decimal exponents"))
    assert parse_rational(f"1e-{exponent}") == Fraction(1, 10**exponent)
    for bad in (f"1e{exponent + 1}", f"1e-{exponent + 1}", "1e1_000_000_000"):
        with pytest.raises(InvalidInput, match="exponent"):
            parse_rational(bad)
    chars = number(documented_cap("characters of one exact number"))
    assert parse_rational(" " * (chars - 1) + "1") == 1  # spaces count as characters
    with pytest.raises(InvalidInput, match="characters"):
        parse_rational(" " * (chars + 1) + "1")


def test_file_size_and_json_nesting(tmp_path: Path) -> None:
    assert documented_cap("size of a file read") == "64 MiB"
    cap = 64 * 1024**2
    f = tmp_path / "big.json"
    with f.open("wb") as fh:
        fh.truncate(cap)
    assert len(read_bytes(f, "file")) == cap
    with f.open("ab") as fh:
        fh.write(b" ")
    with pytest.raises(InvalidInput, match="MiB|bytes"):
        read_bytes(f, "file")
    depth = number(documented_cap("JSON nesting"))
    assert load_json("[" * depth + "]" * depth, "file") is not None
    with pytest.raises(InvalidInput, match=f"nested {depth + 1} levels deep"):
        load_json("[" * (depth + 1) + "]" * (depth + 1), "file")


def test_local_workers() -> None:
    assert documented_cap("`--scheduler local:N`").replace("$", "").startswith(("N ≤ 256", "N \\le 256"))
    assert_usage_error(run_cli(["reproduce", "--out", "unused", "--scheduler", "local:257"]), "256")


def test_a_long_bad_number_is_shown_cut_at_40_characters() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_rational("x" * 50)
    assert repr("x" * 40 + "…") in str(err.value)
    with pytest.raises(InvalidInput) as short:
        parse_rational("x" * 40)
    assert repr("x" * 40) in str(short.value) and "…" not in str(short.value)
