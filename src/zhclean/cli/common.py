"""What every `zhclean` command shares: exit codes, the user-error exception and the
argument types."""

from __future__ import annotations

import argparse
import os
import sys

# A usage error: a missing input, a bad recipe, a non-empty output. One line on stderr.
USER_ERROR_EXIT = 2
# A run that read its inputs but could make nothing of (nearly) all of them.
RUN_FAILED_EXIT = 1


class UserError(Exception):
    """An error in what the user asked for: printed as one line, exit code 2."""


def user_error(message: object) -> int:
    """Prints a user error as the one line every command prints; the exit code to return."""
    print(f"zhclean: error: {message}", file=sys.stderr)
    return USER_ERROR_EXIT


def field_names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


def number_at_least(value: str, kind: type[int] | type[float], minimum: float) -> int | float:
    """`value` as a number of `kind` not under `minimum`, or argparse's one-line error."""
    try:
        number = kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a {'whole ' if kind is int else ''}number"
        ) from None
    if not number >= minimum:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be {minimum:g} or more")
    return number


def positive_int(value: str) -> int:
    return int(number_at_least(value, int, 1))


def non_negative_int(value: str) -> int:
    return int(number_at_least(value, int, 0))


def non_negative_float(value: str) -> float:
    return float(number_at_least(value, float, 0))


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
