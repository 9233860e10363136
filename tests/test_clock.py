"""Time is an input: only bot/clock.py reads the machine's clock."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.clock import FixedClock, SystemClock, local_day

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "actions", "nlu_runtime")
# Reads of the wall clock; monotonic and perf counters measure durations and stay allowed.
READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"), ("time", "time"),
         ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime")}


def _clock_reads(path: Path) -> list[str]:
    found = []
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
            if (name, node.func.attr) in READS:
                found.append(f"{where}:{node.lineno} {name}.{node.func.attr}()")
        if isinstance(node, ast.ImportFrom) and node.module in ("datetime", "time"):
            for alias in node.names:
                if (node.module, alias.name) in READS:  # `from time import time` hides a read
                    found.append(f"{where}:{node.lineno} from {node.module} import {alias.name}")
    return found


def test_no_product_module_reads_the_system_clock_but_the_clock():
    reads = [read for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py"))
             if path != ROOT / "bot" / "clock.py" for read in _clock_reads(path)]
    assert reads == []


def test_the_scan_sees_every_way_of_reading_the_clock(tmp_path):
    # The guard above is only as good as what it recognises.
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\nfrom datetime import date, datetime\nimport time\n"
                      "a = datetime.now()\nb = dt.datetime.utcnow()\nc = date.today()\nd = time.time()\n"
                      "e = time.monotonic()\n", encoding="utf-8")
    assert [r.split(" ")[1] for r in _clock_reads(sample)] == [
        "datetime.now()", "datetime.utcnow()", "date.today()", "time.time()"]


def test_a_fixed_clock_stands_still_until_moved():
    clock = FixedClock(datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=8))))
    assert clock.now() == datetime(2026, 12, 31, 15, 30, tzinfo=UTC) and clock.now().tzinfo is UTC
    assert local_day(clock.now()).isoformat() == "2026-12-31"
    clock.advance(timedelta(minutes=31))
    assert local_day(clock.now()).isoformat() == "2027-01-01"  # Qingdao's new year, still 2026 in UTC
    assert clock.now().year == 2026
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 12, 31, 23, 30))


def test_the_system_clock_is_aware_and_in_utc():
    now = SystemClock().now()
    assert now.tzinfo is UTC
