"""The `respcheck` command.

Each subcommand lives in the module that owns its job and exposes ``add_parser(subparsers)``, which adds
one parser and sets ``func(args) -> int`` on it. This file only wires them together and turns errors
into one clear line and a non-zero exit: `UserError` → its message and exit 2, Ctrl-C → exit 130,
anything else → a one-line internal error (the traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from respcheck import __version__
from respcheck.errors import UserError

# subcommand modules, in the order `respcheck --help` lists them
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "respcheck.runner.cli",  # run
    "respcheck.runner.sdk_matrix",  # sdk-matrix
    "respcheck.server.cli",  # serve, faults
    "respcheck.report.cli",  # report, diff
    "respcheck.selftest",  # selftest
    "respcheck.cleanup",  # cleanup
    "respcheck.contract.cli",  # schema
    "respcheck.catalogue",  # behaviours
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """Unknown options and bad values: usage plus one line, exit 2 (argparse's own contract)."""
        self.print_usage(sys.stderr)
        self.exit(2, f"respcheck: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="respcheck", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.description = "Contract tests and conformance suite for the Azure OpenAI Responses API."
    parser.add_argument("--version", action="version", version=f"respcheck {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name or (exc.name and name.startswith(exc.name + ".")):
                continue  # that part of respcheck is not built yet
            raise
        add_parser = getattr(module, "add_parser", None)
        if add_parser is not None:  # a module without a command yet must not break the others
            add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"respcheck: error: {exc.render()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("respcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence against tracebacks
        if args is not None and getattr(args, "debug", False):
            raise
        print(f"respcheck: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
