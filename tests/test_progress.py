"""The progress bar: what it writes (bar, percentage, counts, elapsed time and ETA), how often, and
that it is silent where it should be.  Time is a controlled clock."""

from __future__ import annotations

import io

import pytest

from tempx.numerics.app import progress
from tempx.numerics.app.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(progress.time, "monotonic", c)
    return c


def test_bar_percentage_counts_elapsed_and_eta(clock: Clock) -> None:
    out = io.StringIO()
    bar = Progress(200, "train", enabled=True, stream=out)
    clock.now += 10.0
    bar.update(50, "loss 1e-3")  # a quarter in 10 s: 30 s to go
    assert out.getvalue() == "\rtrain [" + "#" * 7 + "-" * 23 + "]  25.0% 50/200   10.0s eta   30.0s loss 1e-3"
    clock.now += 30.0
    bar.close()  # the end: 100 %, no time to go, and the line ends
    assert out.getvalue().endswith("\rtrain [" + "#" * 30 + "] 100.0% 200/200   40.0s eta    0.0s " + " " * 8 + "\n")
    # the shorter last line is padded with blanks over the end of the longer one before it


def test_updates_are_throttled_but_the_last_one_is_always_shown(clock: Clock) -> None:
    out = io.StringIO()
    bar = Progress(10, "sweep", enabled=True, stream=out)
    bar.update(1)
    clock.now += 0.1
    bar.update(2)  # 0.1 s later: skipped
    assert out.getvalue().count("\r") == 1
    clock.now += 0.15
    bar.update(3)  # 0.25 s after the first: shown
    clock.now += 0.01
    bar.update(10)  # the total: shown however soon
    assert out.getvalue().count("\r") == 3 and "3/10" in out.getvalue() and "10/10" in out.getvalue()


def test_no_progress_yet_and_bounds(clock: Clock) -> None:
    out = io.StringIO()
    bar = Progress(0, "flow", enabled=True, stream=out)  # an empty job counts as one unit
    bar.update(0)
    assert "  0.0% 0/1" in out.getvalue() and "eta" not in out.getvalue()  # no rate yet: no estimate shown
    clock.now += 1.0
    bar.update(5)  # more than the total: drawn full
    assert "[" + "#" * 30 + "] 100.0% 5/1" in out.getvalue()


def test_silent_when_disabled_or_not_a_terminal(clock: Clock) -> None:
    out = io.StringIO()  # not a terminal: off by default
    bar = Progress(5, "x", stream=out)
    bar.update(3)
    bar.close()
    assert out.getvalue() == ""
    forced_off = io.StringIO()
    Progress(5, "x", enabled=False, stream=forced_off).close()
    assert forced_off.getvalue() == ""


def test_the_bar_is_always_30_characters_wide(clock: Clock) -> None:
    """At every count from 0 to the total the bar between the brackets has 30 characters: int(30·f) '#', the rest
    '-' (at 97 of 100: 29 '#' and one '-')."""
    for done in range(101):
        out = io.StringIO()
        Progress(100, "x", enabled=True, stream=out).update(done)
        bar = out.getvalue().split("[", 1)[1].split("]", 1)[0]
        assert len(bar) == 30 and bar == "#" * int(30 * done / 100) + "-" * (30 - int(30 * done / 100)), done


def test_a_ticking_bar_redraws_while_nothing_finishes(clock: Clock) -> None:
    """Work in other processes reports nothing until a model ends: the ticker redraws the elapsed time and the
    last note anyway, and stops with the block."""
    import threading

    out = io.StringIO()
    bar = Progress(4, "flow", enabled=True, stream=out)
    bar.update(1, "model 0: t = 10")
    drawn = threading.Event()
    write = out.write

    def spy(text: str) -> int:
        drawn.set()
        return write(text)

    out.write = spy  # type: ignore[method-assign]
    with bar.ticking(0.01):
        clock.now += 5.0
        assert drawn.wait(10.0)
    assert out.getvalue().rstrip().endswith("1/4    5.0s eta   15.0s model 0: t = 10")
    after = out.getvalue()
    clock.now += 5.0
    threading.Event().wait(0.05)
    assert out.getvalue() == after  # the ticker has stopped


def test_ticking_is_silent_when_disabled() -> None:
    out = io.StringIO()
    with Progress(3, "x", stream=out).ticking(0.01):
        threading_wait = __import__("threading").Event().wait
        threading_wait(0.05)
    assert out.getvalue() == ""
