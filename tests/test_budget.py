"""The memory budget: sizes, the limit from the environment, the refusal line, the training estimate."""

from __future__ import annotations

import pytest

from tempx.theory.budget import (
    BASE_BYTES,
    DEFAULT_LIMIT,
    ENV,
    NUMERIC_LIBRARIES,
    SLACK,
    check_memory,
    human,
    memory_limit,
    parse_size,
    train_bytes,
)
from tempx.theory.errors import InvalidInput


@pytest.mark.parametrize("text, expected", [("4GiB", 4 * 1024**3), ("500MB", 500 * 10**6), ("2G", 2 * 10**9),
                                            ("1024", 1024), (" 1.5 KiB ", 1536), ("1tib", 1024**4), ("3T", 3 * 10**12),
                                            ("2k", 2000), ("1MiB", 1024**2), ("1GB", 10**9), ("1tb", 10**12), ("5kb", 5000), ("2mb", 2 * 10**6),
                                            ("1g", 10**9), ("1gib", 1024**3), ("1m", 10**6), ("1t", 10**12), ("3b", 3), (str(2**63 - 1024), 2**63 - 1024)])
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "x", "4XB", "-1", "0", "0.5", "1e3", "nan", str(2**63), "8EiB"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(InvalidInput, match="size like"):
        parse_size(text)


def test_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert memory_limit() == DEFAULT_LIMIT == 4 * 1024**3
    monkeypatch.setenv(ENV, "1GiB")
    assert memory_limit() == 1024**3
    # the estimate is 1.1 × (the interpreter's 100 MiB + the request): a request up to limit/1.1 − 100 MiB fits
    fits = 1024**3 / SLACK - BASE_BYTES
    check_memory("small", fits - 1024)  # below the limit: allowed
    with pytest.raises(InvalidInput, match=r"^big needs about 1 GiB, over the memory limit of 1 GiB"):
        check_memory("big", fits + 1024)
    monkeypatch.setenv(ENV, "lots")
    with pytest.raises(InvalidInput, match=ENV):
        memory_limit()


def test_train_estimate_grows_as_the_arrays_do() -> None:
    base = train_bytes(4, 10, 5, 20)
    assert train_bytes(8, 10, 5, 20) > base and train_bytes(4, 20, 5, 20) > base and train_bytes(4, 10, 50, 20) > base
    # d² per model dominates for large d, k d for large k, k² with finite data
    assert train_bytes(4, 100_000, 5, 20) > 6 * 4 * 100_000**2 * 8
    assert train_bytes(1, 3, 100_000, 20) < NUMERIC_LIBRARIES + 8 * (6 * 3 * 100_000 + 8 * 100_000)
    assert train_bytes(1, 3, 10_000, 20, n_data=10) - train_bytes(1, 3, 10_000, 20) >= 8 * 2 * 10_000**2
    assert human(1536) == "1.5 KiB" and human(3 * 1024**3) == "3 GiB" and human(12) == "12 B"


def test_estimates_are_the_documented_formulas() -> None:
    from tempx.theory.budget import flow_bytes

    mib64 = NUMERIC_LIBRARIES  # numba, LLVM, scipy and matplotlib, loaded after the check
    assert train_bytes(2, 3, 5, 7) == 8 * (6 * 2 * 9 + 6 * 2 * 5 * 3 + 2 * 7 + 4 * 5 + 8 * 2) + mib64
    assert train_bytes(2, 3, 5, 7, n_data=11) == 8 * (6 * 2 * 9 + 6 * 2 * 5 * 3 + 2 * 7 + 4 * 5 + 8 * 2 + 2 * 25 + 55) + mib64
    assert flow_bytes(440, 5) == 8 * 440 * (8 + 20 + 12) + 32 * 256**2


def test_the_work_limit_from_the_environment_and_its_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    from tempx.theory.budget import WORK_ENV, WORK_LIMIT, OverBudget, check_work, work_limit

    monkeypatch.delenv(WORK_ENV, raising=False)
    assert work_limit() == WORK_LIMIT == 1e10
    check_work("a request", 1e10)  # at the limit: allowed
    with pytest.raises(OverBudget, match=r"a request is estimated at 1e\+10 units of exact work \(about 1e\+02 s\), over the "
                                         r"limit of 1e\+03 \(raise it with TEMPX_WORK_LIMIT=N"):
        monkeypatch.setenv(WORK_ENV, "1e3")
        check_work("a request", 1e10)
    for bad in ["x", "0", "nan", "-5"]:
        monkeypatch.setenv(WORK_ENV, bad)
        with pytest.raises(InvalidInput, match="TEMPX_WORK_LIMIT must be a number"):
            work_limit()


def test_work_and_size_estimates_grow_as_stated() -> None:
    from tempx.theory.budget import disguise_work, exact_matrix_bytes, profile_work

    # Berlekamp–Massey: quartic in the terms when they grow (gcds quadratic in their bits), quadratic when they do not
    assert profile_work(2000, 50, 1) == pytest.approx(16 * profile_work(1000, 50, 1), rel=0.02)
    assert profile_work(2000, 0, 1) == pytest.approx(4 * profile_work(1000, 0, 1), rel=1e-12)
    assert disguise_work(400) == pytest.approx(2**2.1 * disguise_work(200), rel=1e-12)
    assert exact_matrix_bytes(100, 100) == 100 * 100 * (112 + 0.25)


def test_human_sizes_switch_units_at_powers_of_1024() -> None:
    assert human(1023) == "1023 B" and human(1024) == "1 KiB" and human(1024**2 - 1) == "1.02e+03 KiB"
    assert human(1024**2) == "1 MiB" and human(3 * 1024**3) == "3 GiB" and human(1024**4) == "1 TiB"


def test_bptt_and_exact_size_estimates_are_the_documented_formulas() -> None:
    from tempx.theory.budget import (
        DISGUISE_UNIT,
        PROFILE_BIT2,
        PROFILE_OP,
        bptt_bytes,
        disguise_work,
        exact_matrix_bytes,
        profile_work,
    )

    # 2 N n k d states, 3 N n k gradient terms, 2 N mc d Monte Carlo states, plus the linear estimate at q = 1
    assert bptt_bytes(2, 3, 5, 7, 11) == 8 * (2 * 2 * 7 * 5 * 3 + 3 * 2 * 7 * 5 + 2 * 2 * 11 * 3) + train_bytes(2, 3, 5, 1)
    assert bptt_bytes(2, 3, 5, 7) == 8 * (2 * 2 * 7 * 5 * 3 + 3 * 2 * 7 * 5) + train_bytes(2, 3, 5, 1)
    # a base below one bit counts as one, a negative growth as none; above, they scale the estimate
    c0, c2 = PROFILE_OP, PROFILE_BIT2
    assert profile_work(30, -1, 0.25) == profile_work(30, 0, 1)  # the same arguments after clamping
    assert profile_work(30, 0, 1) == pytest.approx(c0 * 30**2 / 2 + c2 * 30**2 / 2, rel=1e-12)
    assert profile_work(30, 4, 6) == pytest.approx(c0 * 30**2 / 2 + c2 * (36 * 30**2 / 2 + 2 * 6 * 4 * 30**3 / 3
                                                                          + 16 * 30**4 / 4), rel=1e-12)
    assert disguise_work(10) == pytest.approx(DISGUISE_UNIT * 10**2.1, rel=1e-12)
    assert exact_matrix_bytes(3, 4, 0.1) == 12 * 112.25 and exact_matrix_bytes(3, 4, 400) == 12 * (112 + 100)


def test_the_report_estimate_counts_each_kind_of_entry_as_documented() -> None:
    """report_work: q·d bookkeeping, q·nonzeros visits, products in rows of several entries and single non-copy
    entries (a diagonal's λ_j) each times g·q², and the squared residuals' g²·q³."""
    from tempx.theory.budget import (
        REPORT_BIT2,
        REPORT_ENTRY,
        REPORT_SINGLE,
        REPORT_STEP,
        REPORT_WORD,
        report_work,
    )

    q, d, g = 10, 4, 3.0
    assert report_work(q, d, 0, 0, 0, 0.0) == pytest.approx(REPORT_STEP * q * d, rel=1e-12)
    assert report_work(q, d, 5, 0, 0, 0.0) - report_work(q, d, 0, 0, 0, 0.0) == pytest.approx(REPORT_ENTRY * q * 5)
    base = report_work(q, d, 5, 0, 0, g)
    assert base - report_work(q, d, 5, 0, 0, 0.0) == pytest.approx(REPORT_BIT2 * g * g * q**3)
    assert report_work(q, d, 5, 3, 0, g) - base == pytest.approx(REPORT_WORD * 3 * g * q * q)
    assert report_work(q, d, 5, 0, 2, g) - base == pytest.approx(REPORT_SINGLE * 2 * g * q * q)
    assert report_work(q, d, 5, 0, 0, -1.0) == report_work(q, d, 5, 0, 0, 0.0)  # no negative growth
    # a dense (disguised) A: each entry visited costs 1 + (d/300)⁴ times as much
    assert report_work(q, 600, 5, 0, 0, 0.0, dense=True) - report_work(q, 600, 0, 0, 0, 0.0, dense=True) == \
        pytest.approx(REPORT_ENTRY * 17 * q * 5)
