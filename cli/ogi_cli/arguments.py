"""Argument types of the command line, light enough for `ogi --help` (no gRPC, no NATS)."""

from __future__ import annotations

import argparse

#: The range of the int32 fields that take the CLI's whole-number arguments.
INT32 = range(-(2**31), 2**31)


def whole_number(text: str) -> int:
    """A whole-number argument that fits an int32 request field (argparse reports the rest)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value not in INT32:
        raise argparse.ArgumentTypeError(f"{text} is out of range")
    return value
