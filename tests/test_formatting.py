"""Number and matrix formatting of the command line (numerics/app/formatting.py): exact rationals in
text and LaTeX, and the integer parser's refusal of long input (shown cut at 40 characters)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from tempx.numerics.app.formatting import latex_matrix, parse_int, table, text_matrix
from tempx.theory.errors import InvalidInput


def test_latex_matrix_of_integers_and_signed_fractions() -> None:
    tex = latex_matrix([[F(5), F(-3, 2)], [F(3, 2), F(0)]])
    assert tex == "\\begin{bmatrix}\n5 & -\\frac{3}{2} \\\\\n\\frac{3}{2} & 0\n\\end{bmatrix}"


def test_text_matrix_right_aligns_to_the_widest_entry() -> None:
    assert text_matrix([[F(1), F(-1, 12)], ["x", F(7)]]) == "  [     1  -1/12 ]\n  [     x      7 ]"


def test_long_integer_input_is_refused_and_shown_cut() -> None:
    text = "1" * 45
    with pytest.raises(InvalidInput) as err:
        parse_int(text, "--k")
    assert repr("1" * 40 + "…") in str(err.value) and "at most 30 digits" in str(err.value)
    assert parse_int(" 12 ", "--k") == 12
    with pytest.raises(InvalidInput) as short:  # a short bad value is shown whole, with no ellipsis
        parse_int("x1", "--k")
    assert "'x1'" in str(short.value) and "…" not in str(short.value)


def test_thirty_characters_are_read_and_thirty_one_refused() -> None:
    assert parse_int("0" * 29 + "7", "--k") == 7
    with pytest.raises(InvalidInput, match="at most 30 digits"):
        parse_int("0" * 30 + "7", "--k")


def test_dumps_indents_by_level_and_keeps_rows_of_scalars_on_one_line() -> None:
    import json

    from tempx.numerics.app.formatting import dumps

    doc = {"A": [[1, 2], [3, 4]], "k": 2, "empty": {}, "rows": [{"x": "1/2"}], "λ": [1.5, None]}
    text = dumps(doc)
    assert text == ('{\n  "A": [\n    [1, 2],\n    [3, 4]\n  ],\n  "k": 2,\n  "empty": {},\n  "rows": [\n    {\n'
                    '      "x": "1/2"\n    }\n  ],\n  "λ": [1.5, null]\n}')
    assert json.loads(text) == doc and dumps([1, 2]) == "[1, 2]"


def test_latex_fractions_take_their_own_sign() -> None:
    assert latex_matrix([[F(1, 2), F(-1, 2)], [F(3), F(0)]]).splitlines()[1:3] == [
        "\\frac{1}{2} & -\\frac{1}{2} \\\\", "3 & 0"]


def test_table_has_its_rule_under_the_header_and_columns_as_wide_as_their_widest_cell() -> None:
    assert table(("model", "L"), [(0, "1.5e-3"), (10, "2")]).splitlines() == [
        "model  L",
        "-----  ------",
        "0      1.5e-3",
        "10     2",
    ]
    assert table(("a",), [("b",)]) == "a\n-\nb"
