"""Client of the model host: a long-lived Rasa-environment process that parses messages."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from bot.nlu.errors import NluParseError, NluUnavailable
from bot.settings import PROJECT_ROOT, Settings

_EOF = object()


class NluWorker:
    """Runs `nlu_runtime.worker` in the Rasa environment and exchanges JSON lines with it.

    Use as a context manager; the process is started on entry and stopped on exit.
    """

    def __init__(self, settings: Settings, *, model: Path | None = None) -> None:
        self._settings = settings
        self._model = Path(model or settings.nlu_model)
        self._proc: subprocess.Popen[str] | None = None
        # The host's stderr (Rasa and TensorFlow chatter) is kept aside, to explain a failed start.
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        self._lines: queue.Queue[object] = queue.Queue()
        self.load_seconds: float | None = None

    def __enter__(self) -> NluWorker:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Start the host and wait until the model is loaded."""
        if not self._model.is_file():
            raise NluUnavailable(f"trained model not found at {self._model}; run `make model` first")
        if not Path(self._settings.rasa_python).is_file():
            raise NluUnavailable(f"Rasa environment not found at {self._settings.rasa_python}")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(PROJECT_ROOT),
               "PYTHONIOENCODING": "utf-8"}
        self._proc = subprocess.Popen(
            [str(self._settings.rasa_python), "-m", "nlu_runtime.worker", "--model", str(self._model)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, encoding="utf-8", cwd=PROJECT_ROOT, env=env, bufsize=1,
        )
        threading.Thread(target=self._pump, args=(self._proc,), daemon=True).start()
        ready = self._next_line(timeout=self._settings.nlu_load_timeout)
        if not ready.get("ready"):
            raise NluUnavailable(f"model host did not report ready: {ready!r}")
        self.load_seconds = ready.get("load_seconds")

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        # A reader thread lets every wait have a timeout without non-blocking pipe tricks.
        assert proc.stdout is not None
        for line in proc.stdout:
            self._lines.put(line)
        self._lines.put(_EOF)

    def _next_line(self, *, timeout: float) -> dict:
        try:
            item = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise NluUnavailable(f"model host gave no answer within {timeout:.0f} s") from None
        if item is _EOF:
            code = self._proc.wait() if self._proc else None
            raise NluUnavailable(f"model host exited (code {code}): {self._last_error_line()}")
        try:
            return json.loads(item)  # type: ignore[arg-type]
        except json.JSONDecodeError as exc:
            raise NluParseError(f"model host sent invalid JSON: {item!r:.200}") from exc

    def _last_error_line(self) -> str:
        self._stderr.seek(0)
        lines = [line.strip() for line in self._stderr.read().splitlines() if line.strip()]
        return lines[-1][:300] if lines else "no output"

    def parse(self, text: str, *, timeout: float = 30.0) -> dict:
        """Parse one cleaned message; returns Rasa's parse data (intent, ranking, entities)."""
        if self._proc is None or self._proc.stdin is None:
            raise NluUnavailable("model host is not running")
        try:
            self._proc.stdin.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise NluUnavailable("model host is not accepting input") from exc
        reply = self._next_line(timeout=timeout)
        if "error" in reply:
            raise NluParseError(reply["error"])
        return reply

    def peak_rss_bytes(self) -> int | None:
        """Peak resident memory of the host process so far (Linux only)."""
        if self._proc is None:
            return None
        try:
            status = Path(f"/proc/{self._proc.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None

    def close(self) -> None:
        """Stop the host: closing its stdin ends its loop; kill it if it does not go."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._stderr.close()
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, OSError):
            proc.kill()
            proc.wait()
