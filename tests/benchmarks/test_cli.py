"""`sbk bench …`: a benchmark that fails or is interrupted leaves BENCHMARKS.md as it was."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benchmarks.cli import measure

BEFORE = "# Benchmarks\n\n<!-- backoffice:start -->\nold figures\n<!-- backoffice:end -->\n"


def benchmark_module():
    return SimpleNamespace(SECTION="backoffice", write_section=lambda report, output: pytest.fail("section written"))


def test_a_failing_benchmark_writes_nothing_and_says_why(tmp_path, capsys):
    output = tmp_path / "BENCHMARKS.md"
    output.write_text(BEFORE, encoding="utf-8")

    def fails():
        raise RuntimeError("the Rasa environment is missing")

    assert measure(benchmark_module(), fails, output) == 1
    assert output.read_text(encoding="utf-8") == BEFORE
    assert "sbk bench: the Rasa environment is missing" in capsys.readouterr().err


def test_an_interrupted_benchmark_writes_nothing(tmp_path, capsys):
    output = tmp_path / "BENCHMARKS.md"
    output.write_text(BEFORE, encoding="utf-8")

    def interrupted():
        raise KeyboardInterrupt

    assert measure(benchmark_module(), interrupted, output) == 130
    assert output.read_text(encoding="utf-8") == BEFORE
    assert "interrupted; nothing written" in capsys.readouterr().err
