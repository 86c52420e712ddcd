"""The teacher specification language: every kind, every bad form, files, and the float image."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import nonzero_rationals, scaled

from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import InvalidInput
from tempx.theory.teacher_spec import KINDS, parse_teacher
from tempx.theory.teachers import Memoryless

F = Fraction

# (spec, first terms, d*): one per kind and the edge cases of each (gain, zero ratio, trailing zeros).
GOOD = [
    ("memoryless", [1, 0, 0, 0], 1),
    ("memoryless:-3/2", [F(-3, 2), 0, 0, 0], 1),
    ("delay:0", [1, 0, 0, 0], 1),
    ("delay:2", [0, 0, 1, 0], 3),
    ("geometric:0.5", [1, F(1, 2), F(1, 4), F(1, 8)], 1),
    ("geometric:-2:3", [3, -6, 12, -24], 1),
    ("geometric:0", [1, 0, 0, 0], 1),
    ("atoms:4/5@3/5,-1/2@2/5", [1, F(7, 25), F(121, 250), F(643, 2500)], 2),
    ("atoms:0@2,1@-1", [1, -1, -1, -1], 2),
    ("oscillating:3/5:3/5", [1, F(3, 5), 0, F(-54, 125)], 2),
    ("oscillating:0:1:2", [2, 0, -2, 0], 2),
    ("impulse:1,-2,0,3,0,0", [1, -2, 0, 3], 4),
    ("impulse:0", [0, 0, 0, 0], 0),
    ("  Geometric:1/3  ", [1, F(1, 3), F(1, 9), F(1, 27)], 1),
]


@pytest.mark.parametrize("spec, terms, dim", GOOD, ids=[g[0].strip() for g in GOOD])
def test_every_kind_gives_its_exact_impulse_response_and_minimal_dimension(spec: str, terms: list, dim: int) -> None:
    t = parse_teacher(spec)
    assert t.impulse_response(len(terms)) == tuple(F(x) for x in terms)
    assert t.dim == dim


def test_kinds_in_the_tests_cover_every_kind() -> None:
    seen = {g[0].strip().split(":")[0].lower() for g in GOOD} | {"file"}
    assert seen == set(KINDS)


BAD = [
    ("", "unknown kind ''"),
    ("sine:1", "unknown kind 'sine'"),
    ("memoryless:0", "gain G must be nonzero"),
    ("memoryless:1:2", "at most one gain"),
    ("memoryless:x", "must be an exact number"),
    ("delay", "needs values"),
    ("delay:-1", "integer in [0,"),
    ("delay:1.5", "must be an integer"),
    ("delay:10000000", "integer in [0,"),
    ("geometric:", "empty value"),
    ("geometric:1:0", "gain G must be nonzero"),
    ("geometric:1:2:3", "optional gain"),
    ("geometric:nan", "must be an exact number"),
    ("atoms:1", "each atom is MU@W"),
    ("atoms:1@", "each atom is MU@W"),
    ("atoms:@1", "each atom is MU@W"),
    ("atoms:1@0", "weight of atom 1 is zero"),
    ("atoms:1@1,1.0@2", "appears twice"),
    ("atoms:1@1,,2@1", "empty value"),
    ("atoms:inf@1", "must be an exact number"),
    ("oscillating:1", "oscillating:A:B"),
    ("oscillating:1:0", "imaginary part B must be nonzero"),
    ("oscillating:1:1:0", "gain G must be nonzero"),
    ("impulse:", "empty value"),
    ("impulse:1,x", "must be an exact number"),
    ("file:", "needs a path"),
]


@pytest.mark.parametrize("spec, needle", BAD, ids=[b[0] or "empty" for b in BAD])
def test_bad_specifications_name_the_problem_and_the_allowed_forms(spec: str, needle: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_teacher(spec)
    message = str(info.value)
    assert needle in message and "allowed: memoryless[:G], delay:M" in message
    assert "\n" not in message


def test_file_teacher_round_trips_a_counterexample(tmp_path: Path) -> None:
    ce = counterexample(3, teacher="geometric:1/2")
    doc = {name: [[str(x) for x in row] for row in rows] for name, rows in ce.rnn.as_lists().items()}
    path = tmp_path / "teacher.json"
    path.write_text(json.dumps(doc))
    t = parse_teacher(f"file:{path}")
    assert t.impulse_response(8) == ce.rnn.impulse_response(8)
    assert t.dim == ce.d_min == 3


def test_file_decimals_are_taken_exactly(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"A": [[0.1]], "B": [[1]], "C": [[1]]}')
    assert parse_teacher(f"file:{path}").impulse_response(3) == (1, F(1, 10), F(1, 100))


@pytest.mark.parametrize("content, needle", [
    ("{", "not valid JSON"),
    ("[1, 2]", "keys A (d×d), B (d×1) and C (1×d)"),
    ('{"A": [[1]], "B": [[1]]}', "keys A (d×d)"),
    ('{"A": [[1, 2]], "B": [[1]], "C": [[1]]}', "shapes do not fit"),
    ('{"A": [[1]], "B": [[1]], "C": [["x"]]}', "not an exact rational"),
    ('{"A": [[1]], "B": [[1]], "C": [[NaN]]}', "not an exact rational"),
    ('{"A": [], "B": [], "C": []}', "at least one row"),
])
def test_bad_teacher_files(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content)
    with pytest.raises(InvalidInput, match="bad teacher") as info:
        parse_teacher(f"file:{path}")
    assert needle in str(info.value)


def test_missing_folder_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="No such file"):
        parse_teacher(f"file:{tmp_path / 'none.json'}")
    with pytest.raises(InvalidInput, match="is a folder"):
        parse_teacher(f"file:{tmp_path}")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidInput, match="is not UTF-8 text"):
        parse_teacher(f"file:{binary}")
    if os.geteuid() != 0:  # root reads every file
        locked = tmp_path / "locked.json"
        locked.write_text("{}")
        locked.chmod(0)
        with pytest.raises(InvalidInput, match="Permission denied"):
            parse_teacher(f"file:{locked}")


def test_none_and_teacher_objects_pass_through() -> None:
    assert parse_teacher(None) == Memoryless()
    t = parse_teacher("delay:3")
    assert parse_teacher(t) is t
    with pytest.raises(TypeError):
        parse_teacher(3)  # type: ignore[arg-type]


def test_on_M_is_positive_weights() -> None:
    assert parse_teacher("atoms:1/2@1,1/3@2").on_M is True
    assert parse_teacher("atoms:1/2@1,1/3@-2").on_M is False
    assert parse_teacher("delay:1").on_M is None


atoms_specs = st.lists(st.tuples(st.fractions(-2, 2, max_denominator=6), nonzero_rationals), min_size=1, max_size=4,
                       unique_by=lambda a: a[0]).map(lambda atoms: "atoms:" + ",".join(f"{m}@{w}" for m, w in atoms))


@settings(max_examples=scaled(25))
@given(spec=atoms_specs | st.sampled_from([g[0] for g in GOOD]))
def test_float_image_equals_the_exact_teacher(spec: str) -> None:
    from tempx.numerics.teachers import teacher_from_spec

    exact = parse_teacher(spec).impulse_response(12)
    floats = teacher_from_spec(spec).impulse_response(12)
    # float64 rounding of entries and 12 products: relative 1e-13 of the largest term, with the
    # absolute scale set by the exact values (no cancellation larger than that for these sizes).
    scale = max(1.0, max(abs(float(x)) for x in exact))
    np.testing.assert_allclose(floats, [float(x) for x in exact], rtol=0, atol=1e-13 * scale)


@settings(max_examples=scaled(15))
@given(spec=atoms_specs)
def test_atoms_teacher_has_as_many_states_as_atoms(spec: str) -> None:
    assert parse_teacher(spec).dim == spec.count("@")


@pytest.mark.parametrize("spec, dim", [("impulse:1,0,0", 1), ("impulse:1,0", 1), ("impulse:0,0", 1), ("impulse:1,2,0", 2)])
def test_impulse_realization_drops_trailing_zeros(spec: str, dim: int) -> None:
    assert parse_teacher(spec).as_rnn().d == dim  # minimal: one state per value up to the last nonzero


@pytest.mark.parametrize("spec", ["delay:0", "delay:5", "impulse:0", "impulse:0,0,3,0,0", "impulse:1,-2,0,3",
                                  "atoms:1/2@1", "atoms:4/5@3/5,-1/2@2/5,0@7", "atoms:1@1,-1@1,2@-3"])
def test_closed_form_dimension_and_terms_equal_berlekamp_massey_and_the_realization(spec: str) -> None:
    """d* and the terms of shifts and atoms come in closed form (no work); here against the general
    route, Berlekamp–Massey on 2D terms of the realization and its Krylov sweep."""
    from tempx.theory.teacher_spec import teacher_dim

    t = parse_teacher(spec)
    n = 2 * t.as_rnn().d + 3
    assert t.impulse_response(n) == t.as_rnn().impulse_response(n)
    assert t.dim == teacher_dim(t)


def test_teacher_sizes_are_refused_from_estimates_before_building() -> None:
    import time

    from tempx.theory.budget import OverBudget

    start = time.perf_counter()
    with pytest.raises(OverBudget, match=r"realization of teacher 'delay:100000' \(100001×100001\) needs about"):
        parse_teacher("delay:100000")
    with pytest.raises(OverBudget, match=r"\(20000×20000\) needs about"):
        parse_teacher("impulse:" + ",".join(["1"] * 20000))
    assert time.perf_counter() - start < 2


def test_the_profile_work_of_a_teacher_is_estimated_before_berlekamp_massey() -> None:
    from tempx.theory.budget import OverBudget
    from tempx.theory.threshold import threshold

    atoms = parse_teacher("atoms:" + ",".join(f"{i}/1000000000@1" for i in range(1, 401)))
    assert atoms.dim == 400  # closed form: no work
    with pytest.raises(OverBudget, match=r"linear-complexity profile .* \(801 exact terms\) is estimated at"):
        threshold(atoms, 3)


def test_the_profile_work_counts_the_bits_of_b_and_c_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Term i of the teacher has about b(B) + b(C) + i·g bits, g = log₂ Q + log₂ ‖Q·A‖_∞: impulse:2⁴⁰,1 is a shift
    (Q = 1, ‖A‖_∞ = 1: g = 0) with b(B) = 2 and b(C) = 42 (2⁴⁰ over 1), so 10 terms cost profile_work(10, 0, 44)
    units; a work limit just under that refuses it, one just over accepts."""
    from tempx.theory.budget import WORK_ENV, OverBudget, profile_work
    from tempx.theory.teacher_spec import check_profile_work

    t = parse_teacher("impulse:1099511627776,1")
    units = profile_work(10, 0, 2 + 42)
    monkeypatch.setenv(WORK_ENV, repr(units * 1.01))
    check_profile_work(t, 10, "the profile")
    monkeypatch.setenv(WORK_ENV, repr(units * 0.99))
    with pytest.raises(OverBudget, match="the profile of teacher"):
        check_profile_work(t, 10, "the profile")


def test_the_profile_work_counts_the_growth_of_the_terms_denominators(monkeypatch: pytest.MonkeyPatch) -> None:
    """atoms 1/2, 1/3 (weights 1): A = diag(1/2, 1/3), Q = 6, Q·A = diag(3, 2), so a term adds log₂ 6 + log₂ 3 bits,
    not the 2 + 2 bits of A's largest entry; B = (1, 1) and C = (1, 1) give 2 + 2 base bits."""
    import math

    from tempx.theory.budget import WORK_ENV, OverBudget, profile_work
    from tempx.theory.teacher_spec import check_profile_work

    t = parse_teacher("atoms:1/2@1,1/3@1")
    m = t.as_rnn().as_lists()
    assert {str(x) for row in m["B"] for x in row} | {str(x) for x in m["C"][0]} == {"1"}
    units = profile_work(40, math.log2(18), 4)
    assert units > profile_work(40, 4, 4)
    monkeypatch.setenv(WORK_ENV, repr(units * 1.01))
    check_profile_work(t, 40, "the profile")
    monkeypatch.setenv(WORK_ENV, repr(units * 0.99))
    with pytest.raises(OverBudget, match="the profile of teacher"):
        check_profile_work(t, 40, "the profile")


def test_profile_work_is_the_sum_over_steps_of_a_fixed_and_a_quadratic_cost() -> None:
    """Σ_{j<n} j (c0 + c2 (b + g j)²) in closed form (c0 n²/2 + c2 (b² n²/2 + 2 b g n³/3 + g² n⁴/4)): the sum and
    the closed form agree to their leading order (n = 2000: within 0.2%)."""
    from tempx.theory.budget import PROFILE_BIT2, PROFILE_OP, profile_work

    n, g, b = 2000, 7.0, 30.0
    direct = sum(j * (PROFILE_OP + PROFILE_BIT2 * (b + g * j) ** 2) for j in range(n))
    assert profile_work(n, g, b) == pytest.approx(direct, rel=2e-3)


def test_the_profile_memory_is_checked_before_berlekamp_massey(monkeypatch: pytest.MonkeyPatch) -> None:
    """Berlekamp–Massey keeps every state: n²·B_n/16 bytes (profile_bytes), checked with the interpreter's base and
    the allocator's slack before the terms are computed; a limit just under refuses, one just over allows."""
    import math

    from tempx.theory.budget import BASE_BYTES, ENV, SLACK, OverBudget, profile_bytes
    from tempx.theory.teacher_spec import check_profile_work

    t = parse_teacher("atoms:1/2@1,1/3@1")
    need = SLACK * (profile_bytes(40, math.log2(18), 4) + BASE_BYTES)
    assert profile_bytes(40, math.log2(18), 4) == pytest.approx(40 * 40 * (4 + 40 * math.log2(18)) / 16, rel=1e-12)
    monkeypatch.setenv(ENV, str(int(need * 0.999)))
    with pytest.raises(OverBudget, match=r"the profile of teacher .* needs about"):
        check_profile_work(t, 40, "the profile")
    monkeypatch.setenv(ENV, str(int(need * 1.001)))
    check_profile_work(t, 40, "the profile")
