"""`sbk tickets scan-overdue`, the hourly job, also reminds the citizens who have not answered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.db import make_engine, upgrade
from bot.satisfaction.models import CallbackState
from bot.settings import PROJECT_ROOT
from bot.workdays import WorkdayCalendar
from tests.satisfaction.conftest import Ledger

SBK = Path(sys.executable).with_name("sbk")


def _scan(db: Path) -> dict:
    command = [str(SBK)] if SBK.exists() else [sys.executable, "-m", "bot.cli.main"]
    done = subprocess.run([*command, "tickets", "scan-overdue"], capture_output=True, text=True, check=True,
                          env={**os.environ, "DATABASE_URL": f"sqlite:///{db}"}, cwd=PROJECT_ROOT, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_scan_reminds_an_old_unanswered_question_once(tmp_path, knowledge):
    db = tmp_path / "sbk.db"
    upgrade(f"sqlite:///{db}")
    engine = make_engine(f"sqlite:///{db}")
    try:
        # The command runs on the machine's clock: the question was asked a month before it.
        asked = datetime.now(UTC) - timedelta(days=30)
        ledger = Ledger(engine, knowledge, WorkdayCalendar())
        number = ledger.complaint(at=asked - timedelta(days=5))
        ledger.report(number, at=asked - timedelta(days=1))
        ledger.verify(number, at=asked)
        first = _scan(db)
        assert first["callbacks_reminded"] == [number] and first["callbacks_unanswered"] == []
        second = _scan(db)  # reminded just now: the wait after the reminder starts again
        assert second["callbacks_reminded"] == [] and second["callbacks_unanswered"] == []
        assert ledger.callbacks(number)[0].state is CallbackState.reminded
    finally:
        engine.dispose()
