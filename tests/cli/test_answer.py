"""`sbk answer TEXT` end to end with the trained model."""

import subprocess

from bot.settings import PROJECT_ROOT

SBK = PROJECT_ROOT / ".venv" / "bin" / "sbk"


def answer(text: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SBK), "answer", text], capture_output=True, timeout=240, cwd=PROJECT_ROOT)


def test_a_loss_question_gets_the_loss_guide():
    proc = answer("社保卡丢了咋挂失啊")
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "【" in out and "挂失" in out.splitlines()[0]
    assert "第十二条" in out and "12333" in out


def test_control_characters_only_get_a_clear_message_not_a_crash():
    proc = answer("\x07\x1b")
    assert proc.returncode == 0
    assert "没法识别" in proc.stdout.decode()


def test_missing_argument_is_one_line_and_exit_2():
    proc = subprocess.run([str(SBK), "answer"], capture_output=True, timeout=60, cwd=PROJECT_ROOT)
    assert proc.returncode == 2
    assert len(proc.stderr.decode().strip().splitlines()) == 1
