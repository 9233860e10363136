"""`sbk report` as a subprocess against a SQLite file named by DATABASE_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.db import make_engine, upgrade
from tests.reports.conftest import CCB, PERSONAL, build_ledger

ROOT = Path(__file__).resolve().parents[2]


def sbk(*args: str, database: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run([sys.executable, "-m", "bot.cli.main", "report", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """A SQLite file with the test ledger."""
    path = tmp_path_factory.mktemp("cli") / "sbk.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        build_ledger(session)
    engine.dispose()
    return path


def test_month_json_on_a_fresh_database_is_migrated_first(tmp_path):
    database = tmp_path / "new" / "sbk.db"
    result = sbk("month", "2026-11", "--format", "json", database=database)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["period"] == "2026-11" and len(data["banks"]) == 8
    assert all(b["complaints"]["total"] == 0 for b in data["banks"])
    assert database.exists()


def test_month_markdown_and_xlsx(filled, tmp_path):
    out = tmp_path / "xlsx" / "2026-10.xlsx"
    result = sbk("month", "2026-10", "--xlsx", str(out), database=filled)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# 青岛市社会保障卡经办服务监督月报（2026年10月）")
    assert "| 中国建设银行 | 5 | 3 | 1 | 1 |" in result.stdout
    assert load_workbook(out)["汇总"]["A1"].value == "合作银行"
    assert (out.parent / "2026-10-complaints-by-bank.png").exists()
    assert (out.parent / "2026-10-complaints-by-type.png").exists()
    for secret in PERSONAL:
        assert secret not in result.stdout and secret not in result.stderr


def test_year_json_with_an_assessment_file(filled, tmp_path):
    assessment = tmp_path / "2026.yml"
    items = "{outlet_construction: 90, card_service: 90, staff_training: 90, system_maintenance: 90, " \
            "complaint_handling: 90, agreement: 90, annual_work: 90}"
    assessment.write_text(f"year: 2026\nbanks:\n  建行:\n    items: {items}\n", encoding="utf-8")
    result = sbk("year", "2026", "--format", "json", "--assessment", str(assessment), database=filled)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    ccb = next(a for a in data["assessment"] if a["bank"] == CCB)
    assert (ccb["score"], ccb["grade"], ccb["suspended"]) == (90, "良", False)
    assert next(b for b in data["banks"] if b["bank"] == CCB)["complaints"]["found_true"] == 5


@pytest.mark.parametrize("args", [
    ("month", "2026-13"),
    ("month", "2026-1"),
    ("month", "November"),
    ("month",),
    ("year", "20x6"),
    ("year", "2026", "--format", "csv"),
    ("week", "2026-11"),
])
def test_bad_arguments_exit_2_with_one_line(args, tmp_path):
    result = sbk(*args, database=tmp_path / "sbk.db")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "error" in result.stderr


def test_a_bad_assessment_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("banks:\n  花旗银行: {}\n", encoding="utf-8")
    result = sbk("year", "2026", "--assessment", str(bad), database=tmp_path / "sbk.db")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "花旗银行" in result.stderr


def test_year_shows_how_each_computed_item_was_scored(tmp_path, knowledge):
    from tests.reports.assessment_seed import LATE_TICKET, seed_year

    path = tmp_path / "computed.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        seed_year(session, knowledge)
    engine.dispose()
    result = sbk("year", "2026", database=path)
    assert result.returncode == 0, result.stderr
    # every ticket seeded was due by 2026-10-20, so the figure is the same on any later day
    assert "到期的转办单、督办单 5 件，按期办结 4 件，逾期 1 件" in result.stdout and LATE_TICKET in result.stdout
    assert "现场督导共检查 24 项，符合 22 项，不符合 2 项" in result.stdout
    data = json.loads(sbk("year", "2026", "--format", "json", database=path).stdout)
    ccb = next(a for a in data["assessment"] if a["bank"] == CCB)
    card = next(i for i in ccb["items"] if i["code"] == "card_service")
    assert card["source"] == "computed" and {m["code"]: (m["good"], m["total"]) for m in card["measures"]} == {
        "inspection_compliance": (22, 24), "praise_share": (2, 4)}
