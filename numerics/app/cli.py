"""The ``tempx`` command line.

Every subcommand computes its whole result before printing anything, so bad input or a
failure never leaves partial output.  Exit status and what is printed on stderr:

- 0: done; 1: a claim failed (``verify``, ``reproduce``) or the system failed the run (a full
  disk, an unwritable file, a closed output), with one line saying which;
- 2: bad input, one line saying what was wrong and what is allowed;
- 130 (Ctrl-C) and 143 (SIGTERM): interrupted, one line; worker processes are stopped and
  temporary files removed on the way out;
- 141: the reader of standard output went away (``tempx … | head``): silent, as in other tools.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from tempx.theory.errors import InvalidInput

__all__ = ["UsageError", "main"]


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit status 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C, so every ``finally`` and executor exit runs."""


def _terminate(signum: int, frame: object) -> None:
    _SIGNALLED.append(signum)
    raise Terminated()


class _Parser(argparse.ArgumentParser):
    command = ""  # the sub-command being parsed, for the top-level parser's "unrecognized arguments"

    def error(self, message: str) -> NoReturn:
        if "expected one argument" in message:
            message += " (write negative numbers as --c=-3/2)"
        prog = f"tempx {_Parser.command}" if self.prog == "tempx" and _Parser.command else self.prog
        raise UsageError(f"{message} (see '{prog} --help')")

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self.prog == "tempx":  # remember the sub-command: a misspelled flag after it points to its help
            words = list(sys.argv[1:] if args is None else args)
            _Parser.command = next((w for w in words if w in _commands()), "")
        return super().parse_known_args(args, namespace)


def _commands() -> dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]]:
    from tempx.numerics.app.commands import (
        certify,
        cite,
        counterexample,
        experiment,
        frontier,
        reproduce,
        sweep,
        threshold,
        train,
        verify,
    )

    modules = (reproduce, counterexample, threshold, verify, train, certify, sweep, experiment, frontier, cite)
    return {m.__name__.rsplit(".", 1)[1]: (m.HELP, m.add_arguments, m.run) for m in modules}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tempx",
        description="Verify, exactly and numerically, when recurrent neural networks extrapolate in time.",
    )
    from tempx import __version__

    parser.add_argument("--version", action="version", version=f"tempx {__version__}")
    parser.add_argument("--memory-limit", metavar="SIZE",
                        help="refuse requests whose memory estimate is over SIZE (e.g. 8GiB; default 4GiB or "
                             "$TEMPX_MEMORY_LIMIT)")
    parser.add_argument("--work-limit", metavar="UNITS",
                        help="refuse exact computations whose work estimate is over UNITS (about 10 ns each; "
                             "default 1e10, at most about 100 s, or $TEMPX_WORK_LIMIT)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_text, add_arguments, _) in _commands().items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
    return parser


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        raise UsageError(f"a command is required, one of: {', '.join(_commands())} (see 'tempx --help')")
    from tempx.theory.budget import ENV, WORK_ENV, memory_limit, parse_size, work_limit

    if args.memory_limit is not None:
        os.environ[ENV] = str(parse_size(args.memory_limit, "--memory-limit"))  # worker processes inherit it
    if args.work_limit is not None:
        text = args.work_limit.strip()
        try:
            units = float(text)
        except ValueError:
            units = float("nan")
        if not 1 <= units < float("inf"):
            raise UsageError(f"--work-limit must be a number of work units >= 1 (like 1e10), got {text[:40]!r}")
        os.environ[WORK_ENV] = repr(units)
    memory_limit(), work_limit()  # a malformed TEMPX_MEMORY_LIMIT or TEMPX_WORK_LIMIT is refused by every command
    from tempx.numerics.blas_threads import single_blas_thread

    with single_blas_thread():  # every product of the command on one thread: the same bits whatever the environment
        status = _commands()[args.command][2](args)
    sys.stdout.flush()  # a full disk or a closed pipe is reported here, not at interpreter exit
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tempx`` console script; returns the exit status."""
    # Every input is bounded before big integers exist (tempx.theory.exact), so exact results may
    # be printed in full: lift Python's 4 300-digit guard on int → str for this command.
    sys.set_int_max_str_digits(0)
    if sys.stdout is None:  # started with standard output closed (``>&-``): nothing could be written
        if sys.stderr is not None:
            print("tempx: error: cannot write the output: standard output is closed", file=sys.stderr)
        return 1
    _SIGNALLED.clear()
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    # the process's own command line: note a Ctrl-C as it comes
    previous_int = signal.signal(signal.SIGINT, _interrupt) if argv is None and _main_thread() else None
    if argv is None:
        # multiprocessing's resource tracker (a process of its own, started with these options) releases what a
        # worker killed by an interrupt had registered, and would print a UserWarning about it after our one line
        sys.warnoptions.append("ignore::UserWarning:multiprocessing.resource_tracker")
    try:
        return _run(argv)
    except (UsageError, InvalidInput, ValueError, TypeError) as err:
        if _SIGNALLED:  # a library turned the interrupt into its own error (numpy's import does): still the signal
            return interrupted(_SIGNALLED[0], argv)
        print(f"tempx: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except OSError as err:
        if _SIGNALLED:
            return interrupted(_SIGNALLED[0], argv)
        _silence_stdout()
        where = repr(err.filename) if err.filename else "the output"
        print(f"tempx: error: cannot write {where}: {err.strerror or err}", file=sys.stderr)
        return 1
    except Terminated:
        return interrupted(signal.SIGTERM, argv)
    except KeyboardInterrupt:
        return interrupted(signal.SIGINT, argv)
    except BaseException:
        if _SIGNALLED:
            return interrupted(_SIGNALLED[0], argv)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)


_SIGNALLED: list[int] = []  # the signal that interrupted this command, if one did


def _interrupt(signum: int, frame: object) -> None:
    _SIGNALLED.append(signum)
    raise KeyboardInterrupt


def interrupted(signum: int, argv: Sequence[str] | None) -> int:
    """One line for an interrupted command and its status (130 for Ctrl-C, 143 for SIGTERM).  On the process's own
    command line (``argv`` None) the process then ends at once: every ``finally`` (cluster closed, partial files
    removed) has run, and a second signal or a library's shutdown (distributed's, while a cluster was half started)
    must not add a traceback or change the status.  Child processes still alive are terminated first."""
    status, line = (143, "tempx: terminated") if signum == signal.SIGTERM else (130, "tempx: interrupted")
    if argv is not None or not _main_thread():
        print(line, file=sys.stderr)
        return status
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    _end_children()
    print(line, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def _end_children() -> None:
    """What multiprocessing does at a normal exit — end the child processes still alive, run its finalizers
    (which release its semaphores, so its resource tracker finds nothing leaked) — done here because the process
    ends with ``os._exit``.  ``_exit_function`` is multiprocessing's own atexit hook."""
    import multiprocessing.util

    try:
        children = multiprocessing.active_children()
        for child in children:  # SIGKILL: a child half-way through its start prints nothing
            child.kill()
        for child in children:
            child.join(5)
        multiprocessing.util._exit_function()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001,S110 - ending anyway: a child that cannot be joined is left to the OS
        pass


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _silence_stdout() -> None:
    """After a failed write to stdout, point it at /dev/null so the interpreter's final flush of
    the same buffered bytes cannot fail again with a second message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
