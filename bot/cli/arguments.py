"""Argument types shared by the `sbk` commands."""

from __future__ import annotations

import argparse


def positive_float(text: str) -> float:
    """A number of seconds (or any quantity) above zero, for argparse's ``type=``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value
