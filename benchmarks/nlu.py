"""NLU benchmark: training time, model load time, parse latency, throughput and memory."""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.machine import describe_machine
from benchmarks.stats import percentile
from bot.nlu.service import Classifier
from bot.nlu.worker import NluWorker
from bot.settings import PROJECT_ROOT, Settings


@dataclass
class BenchResult:
    training_seconds: float
    training_peak_rss_mb: float
    load_seconds: float
    messages: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rasa_p50_ms: float
    rasa_p95_ms: float
    throughput: float
    host_peak_rss_mb: float


def train_model(settings: Settings, out_dir: Path) -> tuple[float, float, Path]:
    """Train the configured pipeline from scratch; wall seconds, peak RSS (MB) and the model path."""
    rasa = Path(settings.rasa_python).parent / "rasa"
    # No training cache: a cached component would make the timing meaningless.
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_MAX_CACHE_SIZE": "0"}
    started = time.perf_counter()
    subprocess.run(
        [str(rasa), "train", "nlu", "--config", "config.yml", "--nlu", "nlu_data", "--out", str(out_dir),
         "--fixed-model-name", "bench"],
        cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024, out_dir / "bench.tar.gz"


def run(settings: Settings, texts: Sequence[str], *, messages: int = 1000, train: bool = True) -> BenchResult:
    """Measure everything on this machine; `texts` are cycled to `messages` parses."""
    with tempfile.TemporaryDirectory() as tmp:
        if train:
            training_seconds, training_rss, model = train_model(settings, Path(tmp))
        else:
            training_seconds, training_rss, model = float("nan"), float("nan"), settings.nlu_model
        worker = NluWorker(settings, model=model)
        started = time.perf_counter()
        with Classifier(settings, worker=worker) as classifier:
            classifier.classify("你好")
            load_seconds = time.perf_counter() - started
            wall, inside = [], []
            batch_start = time.perf_counter()
            for i in range(messages):
                text = texts[i % len(texts)]
                t0 = time.perf_counter()
                parse = worker.parse(text)
                wall.append((time.perf_counter() - t0) * 1000)
                inside.append(parse["parse_ms"])
            total = time.perf_counter() - batch_start
            host_rss = (worker.peak_rss_bytes() or 0) / 2**20
    return BenchResult(
        training_seconds=training_seconds, training_peak_rss_mb=training_rss, load_seconds=load_seconds,
        messages=messages, p50_ms=percentile(wall, 50), p95_ms=percentile(wall, 95),
        p99_ms=percentile(wall, 99), rasa_p50_ms=percentile(inside, 50), rasa_p95_ms=percentile(inside, 95),
        throughput=messages / total, host_peak_rss_mb=host_rss,
    )


def render_markdown(result: BenchResult) -> str:
    """The NLU section of BENCHMARKS.md."""
    return "\n".join([
        "## NLU (`make bench` / `sbk nlu bench`)",
        "",
        f"Machine: {describe_machine()}. Measured {time.strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        "| figure | value | goal |",
        "|---|---|---|",
        f"| full NLU training (config.yml, all of nlu_data/) | {result.training_seconds:.1f} s | < 180 s |",
        f"| peak memory of training | {result.training_peak_rss_mb:.0f} MB | |",
        f"| model load (host start to first answer) | {result.load_seconds:.1f} s | |",
        f"| classify latency p50 / p95 / p99 over {result.messages} messages, through the pipe "
        f"| {result.p50_ms:.1f} / {result.p95_ms:.1f} / {result.p99_ms:.1f} ms | p95 < 30 ms |",
        f"| parse time inside Rasa p50 / p95 | {result.rasa_p50_ms:.1f} / {result.rasa_p95_ms:.1f} ms | |",
        f"| throughput (one host, sequential) | {result.throughput:.0f} messages/s | |",
        f"| peak memory of the NLU process | {result.host_peak_rss_mb:.0f} MB | |",
        "",
    ])


