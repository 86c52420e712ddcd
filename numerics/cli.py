"""The ``tempx`` command line.

Every subcommand computes its whole result before printing anything, so bad input or a
failure never leaves partial output.  User errors print one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from tempx.theory.errors import InvalidInput

__all__ = ["UsageError", "main"]


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        if "expected one argument" in message:
            message += " (write negative numbers as --c=-3/2)"
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _commands() -> dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]]:
    from tempx.numerics.commands import certify, counterexample, experiment, reproduce, sweep, threshold, train, verify

    modules = (reproduce, counterexample, threshold, verify, train, certify, sweep, experiment)
    return {m.__name__.rsplit(".", 1)[1]: (m.HELP, m.add_arguments, m.run) for m in modules}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tempx",
        description="Verify, exactly and numerically, when linear RNNs extrapolate in time.",
    )
    from tempx import __version__

    parser.add_argument("--version", action="version", version=f"tempx {__version__}")
    parser.add_argument("--memory-limit", metavar="SIZE",
                        help="refuse requests whose memory estimate is over SIZE (e.g. 8GiB; default 4GiB or "
                             "$TEMPX_MEMORY_LIMIT)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_text, add_arguments, _) in _commands().items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tempx`` console script; returns the exit status."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError(f"a command is required, one of: {', '.join(_commands())} (see 'tempx --help')")
        if args.memory_limit is not None:
            import os

            from tempx.numerics.budget import ENV, parse_size

            os.environ[ENV] = str(parse_size(args.memory_limit, "--memory-limit"))  # worker processes inherit it
        return _commands()[args.command][2](args)
    except (UsageError, InvalidInput, ValueError, TypeError) as err:
        print(f"tempx: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tempx: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
