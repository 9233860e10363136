"""`sbk classify` as a caller sees it: a process reading stdin and writing JSON lines."""

from __future__ import annotations

import json
import subprocess

import pytest

from bot.settings import PROJECT_ROOT

SBK = PROJECT_ROOT / ".venv" / "bin" / "sbk"


def classify(data: bytes, timeout: float = 240) -> list[dict]:
    proc = subprocess.run([str(SBK), "classify"], input=data, capture_output=True, timeout=timeout,
                          cwd=PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def hostile_output():
    lines = [
        b"",
        b"   \t ",
        "建行李村支行的柜员非逼着俺买理财才给办卡".encode(),
        "我想投诉".encode() * 2500,          # 10,000 characters
        "😡😡😡".encode(),
        b"Where can I get my social security card?",
        "挂\x00失\x07咋办".encode(),
        b"\xff\xfe\xfd invalid \xc3\x28 bytes",
        "\x1b\x00\x00\u200b\x7f".encode(),
        "社保卡丢了怎么挂失".encode(),
    ]
    return lines, classify(b"\n".join(lines) + b"\n")


def test_one_json_object_per_input_line_in_order(hostile_output):
    lines, out = hostile_output
    assert len(out) == len(lines)
    assert out[2]["text"] == "建行李村支行的柜员非逼着俺买理财才给办卡"
    assert out[9]["text"] == "社保卡丢了怎么挂失"


def test_blank_lines_follow_the_contract(hostile_output):
    _, out = hostile_output
    for blank in (out[0], out[1], out[8]):
        assert {k: v for k, v in blank.items() if k != "text"} == {
            "category": "other", "intent": "other/out_of_scope", "confidence": 0.0, "entities": {}}


def test_every_answer_has_a_taxonomy_intent_and_its_category(hostile_output, knowledge):
    _, out = hostile_output
    for obj in out:
        assert knowledge.intent(obj["intent"]).category == obj["category"]
        assert 0.0 <= obj["confidence"] <= 1.0


def test_invalid_bytes_are_replaced_not_dropped(hostile_output):
    _, out = hostile_output
    assert out[7]["text"].startswith("\ufffd\ufffd\ufffd invalid \ufffd(")


def test_a_clear_complaint_is_understood_with_canonical_entities(hostile_output):
    _, out = hostile_output
    assert out[2]["category"] == "complaint"
    assert out[2]["intent"] == "complaint/forced_selling"
    assert out[2]["entities"] == {"bank": "中国建设银行", "outlet": "李村支行"}
    assert out[9]["intent"] == "inquiry/report_loss"


def test_control_characters_do_not_hide_the_question(hostile_output):
    _, out = hostile_output
    assert out[6]["intent"] == "inquiry/report_loss"


def test_no_model_gives_a_clear_error(tmp_path):
    proc = subprocess.run([str(SBK), "classify"], input="你好\n".encode(), capture_output=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "NLU_MODEL": str(tmp_path / "missing.tar.gz")},
                          cwd=PROJECT_ROOT)
    assert proc.returncode == 1
    assert b"model not found" in proc.stderr
    assert proc.stdout == b""
