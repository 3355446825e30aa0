"""The `zhclean` command: one module per command group, this one dispatches.

User errors (a missing input, a bad recipe, a non-empty output) are one line on stderr and
exit code 2, never a traceback; a run that fails as a whole exits with code 1 (see
`zhclean.cli.clean`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from zhclean import __version__
from zhclean.cli.common import USER_ERROR_EXIT, UserError
from zhclean.cli.startup import freeze_at_exit, keep_freed_memory, single_threaded_blas
from zhclean.recipe import RecipeError

__all__ = ["build_parser", "main"]

# Commands whose modules are always imported. The others (audit: pyarrow.compute and the
# report; quality: the model code) take ~70 ms to import, a twentieth of a 200-page run,
# so they are imported only when their command (or the full help) is asked for.
CORE_COMMANDS = ("clean", "dedup", "recipe")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with one of CORE_COMMANDS as `command`, without the commands
    defined elsewhere (parsing that command's arguments needs none of them)."""
    from zhclean.cli import clean, recipe  # (not at the top: they import numpy, see `main`)

    parser = argparse.ArgumentParser(
        prog="zhclean",
        description="Clean scraped Chinese web pages into training text, with a reason for every cut.",
    )
    parser.add_argument("--version", action="version", version=f"zhclean {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    clean.register(commands)
    if command not in CORE_COMMANDS:
        from zhclean.cli import audit, quality

        audit.register(commands)
        quality.register(commands)
    recipe.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # run as the `zhclean` command, not called from Python
        freeze_at_exit()
        single_threaded_blas()
        keep_freed_memory()
    # Imported only now, after `single_threaded_blas`: they import numpy, which reads the
    # setting on import.
    from zhclean.engines import OutputError
    from zhclean.io.readers import InputError
    from zhclean.io.storage import StorageError

    words = sys.argv[1:] if argv is None else list(argv)
    # The command is the first word that is not an option (the top-level options take no value).
    command = next((word for word in words if not word.startswith("-")), None)
    parser = build_parser(command)
    arguments = parser.parse_args(words)
    try:
        return int(arguments.handler(arguments))
    except (InputError, OutputError, RecipeError, StorageError, UserError) as error:
        print(f"zhclean: error: {error}", file=sys.stderr)
        return USER_ERROR_EXIT
    except BrokenPipeError:
        # Output piped into `head` or a pager that quit: not an error of the run.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("zhclean: interrupted", file=sys.stderr)
        return 130
