"""`sbk chat` and `sbk telegram` as processes: what a newcomer sees without Rasa or without a token."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from bot.channels.replies import Say
from bot.settings import PROJECT_ROOT

SBK = str(PROJECT_ROOT / ".venv" / "bin" / "sbk")
NO_TOKEN = "未配置 TELEGRAM_TOKEN，Telegram 机器人不启动\n"
say = Say()


def test_sbk_chat_says_when_rasa_is_not_there_and_exits_on_end_of_input(tmp_path):
    env = {**os.environ, "RASA_URL": "http://127.0.0.1:9", "RASA_TIMEOUT": "1"}
    result = subprocess.run([SBK, "chat", "--user", "e2e"],
                            input="你好\n", capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "暂时连不上对话服务" in result.stdout and "Traceback" not in result.stderr
    assert say("chat_goodbye") in result.stdout


def test_sbk_telegram_without_a_token_exits_0_with_one_line():
    env = {**os.environ, "TELEGRAM_TOKEN": ""}
    result = subprocess.run([SBK, "telegram"], capture_output=True, check=False,
                            text=True, env=env, timeout=60)
    assert result.returncode == 0
    assert result.stdout == NO_TOKEN


def test_sbk_telegram_can_wait_without_a_token_until_stopped():
    env = {**os.environ, "TELEGRAM_TOKEN": ""}
    process = subprocess.Popen([SBK, "telegram", "--wait-without-token"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout.readline() == NO_TOKEN
        time.sleep(0.3)
        assert process.poll() is None  # still there: a supervisor does not see a service exit
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
