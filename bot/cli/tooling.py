"""The project's measuring tools, offered as `sbk` sub-commands when `sbk` runs from a checkout.

The tools live in the top-level `benchmarks` package, which the installed product does not ship:
there, `sbk bench` and `sbk nlu evaluate|compare|calibrate|bench` simply do not exist.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from bot.settings import PROJECT_ROOT


def load() -> ModuleType | None:
    """`benchmarks.cli` of the checkout next to this package, or None outside a checkout."""
    if not (PROJECT_ROOT / "benchmarks" / "cli.py").is_file():
        return None
    # An editable install maps only the product's packages; the tooling sits beside them.
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.append(str(PROJECT_ROOT))
    return importlib.import_module("benchmarks.cli")


def register(commands: argparse._SubParsersAction, *, nlu: argparse._SubParsersAction) -> None:
    """`bench …` and `nlu evaluate|compare|calibrate|bench`, when the tooling is there."""
    tooling = load()
    if tooling is not None:
        tooling.register_bench(commands)
        tooling.register_nlu(nlu)
