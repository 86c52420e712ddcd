"""A minimal progress bar on stderr, shown only on a terminal (or when forced)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``Progress(total, label)``; call ``update(done, note)``; ``close()`` ends the line.

    ``ticking(seconds)`` redraws the bar from a background thread while a long step runs, so the
    elapsed time moves even when nothing has finished (work in other processes).
    """

    def __init__(self, total: int, label: str, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = max(int(total), 1)
        self.label = label
        self.start = time.monotonic()
        self._last = -1.0
        self._done, self._note, self._width = 0, "", 0
        self._lock = threading.Lock()

    def update(self, done: int, note: str = "") -> None:
        if not self.enabled:
            return
        with self._lock:
            self._done, self._note = done, note
            now = time.monotonic()
            if now - self._last < 0.2 and done < self.total:
                return
            self._last = now
            frac = min(max(done / self.total, 0.0), 1.0)
            bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
            elapsed = now - self.start
            eta = f"eta {elapsed / frac - elapsed:6.1f}s" if frac > 0 else ""  # no estimate before the first item
            line = f"{self.label} [{bar}] {100 * frac:5.1f}% {done}/{self.total} {elapsed:6.1f}s {eta} {note}"
            pad = " " * max(0, self._width - len(line))  # blank out what a longer previous note left
            self._width = len(line)
            self.stream.write(f"\r{line}{pad}")
            self.stream.flush()

    @contextmanager
    def ticking(self, seconds: float = 1.0) -> Iterator[None]:
        """Redraw every ``seconds`` (elapsed time, the last note) until the block ends."""
        if not self.enabled:
            yield
            return
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(seconds):
                self.update(self._done, self._note)

        thread = threading.Thread(target=tick, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def close(self) -> None:
        if self.enabled:
            self.update(self.total)
            self.stream.write("\n")
            self.stream.flush()
