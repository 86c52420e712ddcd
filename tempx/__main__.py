"""``python -m tempx`` and the ``tempx`` console script.

The command line's libraries (sympy, numpy, python-flint) take about a second to load; a Ctrl-C or SIGTERM in that
second is answered like one during the command — one line and the signal's status, no traceback (numpy, for one,
turns an interrupt inside its import into an ImportError) — because this entry point notes the signal before the
first import and hands over to ``tempx.numerics.app.cli.main`` after it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import NoReturn


def main() -> int:
    got: list[int] = []

    def early(signum: int, frame: object) -> None:
        got.append(signum)
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        signal.signal(signal.SIGINT, early)
        signal.signal(signal.SIGTERM, early)
    try:
        from tempx.numerics.app.cli import main as run
    except BaseException:
        if not got:
            raise
        _signalled(got[0])
    try:
        return run()  # it installs its own handlers first thing
    except KeyboardInterrupt:  # a signal in the instant before it did: ours raised this
        if not got:
            raise
        _signalled(got[0])


def _signalled(signum: int) -> NoReturn:
    """One line and the signal's status, at once (nothing else is left to clean up)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    terminated = signum == signal.SIGTERM
    print("tempx: terminated" if terminated else "tempx: interrupted", file=sys.stderr)
    sys.stderr.flush()
    os._exit(143 if terminated else 130)


if __name__ == "__main__":
    sys.exit(main())
