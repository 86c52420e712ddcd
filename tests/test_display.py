"""Readable reprs of result objects (tempx.theory.display): long rationals by size and a true decimal enclosure."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from tempx.theory.display import LONG_DIGITS, short


def test_a_long_rational_is_its_size_and_an_enclosure_that_holds_it() -> None:
    x = Fraction(10**80 + 7, 3 * 10**79 + 1)
    text = short(x)
    m = re.fullmatch(r"<rational of (\d+)/(\d+) digits in \[(\S+), (\S+)\]>", text)
    assert m is not None, text
    assert (int(m.group(1)), int(m.group(2))) == (81, 80)
    assert Fraction(m.group(3)) <= x <= Fraction(m.group(4)) and Fraction(m.group(3)) < Fraction(m.group(4))
    assert short(Fraction(-(10**40), 3)).startswith("<rational of 41/1 digits in [-3.33334e+39")
    assert short(Fraction(3, 7)) == "3/7" and len("1" * LONG_DIGITS) == LONG_DIGITS


def test_arrays_dicts_and_sequences_are_summarized() -> None:
    assert short(np.arange(10.0)) == "array(shape=(10,), dtype=float64, [0, 1, 2, 3, …])"
    assert short({12: Fraction(1, 3)}) == "{12: 1/3}"
    assert short(tuple(range(6))) == "(0, 1, 2, 3, …)" and short((5,)) == "(5,)"


def test_results_print_in_a_screenful_and_keep_their_exact_values() -> None:
    from tempx.theory.certify import model_from_floats
    from tempx.theory.linf import decide

    d = decide(model_from_floats([[0.5, 0.1], [0.0, 0.3]], [[1.0], [1.0]], [[1.0, 1.0]]), "memoryless", 3, [12])
    assert len(repr(d)) < 1500 and "digits in [" in repr(d)
    assert d.linf is not None and len(str(d.linf.value)) > 90  # the field itself is exact, unchanged
