"""`sbk workdays` as a caller sees it: a process, one JSON object or one error line."""

from __future__ import annotations

import json
import subprocess

import pytest

from bot.settings import PROJECT_ROOT

from .conftest import FICTIONAL_2027, write_year

SBK = PROJECT_ROOT / ".venv" / "bin" / "sbk"


def sbk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SBK), "workdays", *args], capture_output=True, text=True, timeout=60,
                          cwd=PROJECT_ROOT)


def test_spec_example_exact_output():
    proc = sbk("add", "2026-09-28", "7")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '{"start": "2026-09-28", "days": 7, "due": "2026-10-13", "provisional": false}\n'
    assert proc.stderr == ""


def test_acceptance_monday_example():
    proc = sbk("add", "2026-11-23", "7")
    assert json.loads(proc.stdout) == {"start": "2026-11-23", "days": 7, "due": "2026-12-02", "provisional": False}


def test_zero_days():
    proc = sbk("add", "2026-10-01", "0")
    assert json.loads(proc.stdout) == {"start": "2026-10-01", "days": 0, "due": "2026-10-01", "provisional": False}


def test_unknown_year_is_provisional_then_official_once_configured(empty_dir):
    proc = sbk("add", "2026-12-28", "7", "--dir", str(empty_dir))
    assert json.loads(proc.stdout) == {"start": "2026-12-28", "days": 7, "due": "2027-01-06", "provisional": True}
    write_year(empty_dir, "2027.yml", FICTIONAL_2027)
    proc = sbk("add", "2026-12-28", "7", "--dir", str(empty_dir))
    assert json.loads(proc.stdout) == {"start": "2026-12-28", "days": 7, "due": "2027-01-08", "provisional": False}


@pytest.mark.parametrize("args", [
    ["add", "2026-9-28", "7"],          # not YYYY-MM-DD
    ["add", "20260928", "7"],           # ISO basic form is not accepted
    ["add", "2026-02-30", "7"],         # no such day
    ["add", "28.09.2026", "7"],
    ["add", "tomorrow", "7"],
    ["add", "2026-09-28", "-1"],        # negative
    ["add", "2026-09-28", "1.5"],       # not an integer
    ["add", "2026-09-28", "seven"],
    ["add", "2026-09-28", ""],
    ["add", "2026-09-28", "+7"],
    ["add", "2026-09-28", "10001"],     # above the guard
    ["add", "2026-09-28"],              # missing days
    ["add"],                            # missing both
    [],                                 # missing the action
    ["subtract", "2026-09-28", "7"],
    ["add", "2026-09-28", "7", "8"],    # one too many
    ["add", "9999-12-30", "5"],         # beyond the last date
])
def test_bad_arguments_exit_2_with_one_error_line(args):
    proc = sbk(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert proc.stderr.endswith("\n") and proc.stderr.count("\n") == 1, proc.stderr
    assert "error:" in proc.stderr


def test_bad_days_message_names_the_argument():
    proc = sbk("add", "2026-09-28", "-1")
    assert "days" in proc.stderr and "'-1'" in proc.stderr


def test_a_broken_configuration_is_reported_with_the_file(empty_dir):
    write_year(empty_dir, "2027.yml", FICTIONAL_2027.replace("2027-01-04", "2027-01-10"))
    proc = sbk("add", "2026-12-28", "7", "--dir", str(empty_dir))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "2027.yml" in proc.stderr and "both holidays and make_up_working_days" in proc.stderr


def test_check_lists_configured_years(dir_2027):
    proc = sbk("check", "--dir", str(dir_2027))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["library"].startswith("chinesecalendar")
    assert out["configured"] == {"2027": {"file": str(dir_2027 / "2027.yml"),
                                          "source": "test fixture, not the official 2027 schedule"}}


def test_check_of_the_repository_folder_passes():
    proc = sbk("check")
    assert proc.returncode == 0, proc.stderr
