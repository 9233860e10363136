"""Bar charts per bank as inline SVG, drawn on the server: no script, nothing fetched, printable.

The template draws what `bank_chart` computes (bars, ticks and labels in SVG user units); the
figures also appear in a table beside each chart, for screen readers and for copying.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 78
COLORS = ("#5b9bd5", "#c0504d", "#9bbb59", "#8064a2")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    color: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    legend: list[tuple[str, str]]  # (name, color)
    empty: bool


def _nice_step(top: int) -> int:
    """A round step giving about five gridlines up to `top`."""
    if top <= 5:
        return 1
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return int(factor * power)
    return int(10 * power)


def bank_chart(title: str, categories: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    """Grouped bars: one group per category (bank), one bar per series (e.g. 受理, 查实)."""
    top = max([v for _, values in series for v in values] + [0])
    step = _nice_step(top)
    scale_top = max(step, math.ceil(top / step) * step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.7 / max(1, len(series))
    bars = []
    for i, category in enumerate(categories):
        x0 = LEFT + i * group_w + group_w * 0.15
        for j, (name, values) in enumerate(series):
            value = values[i]
            h = plot_h * value / scale_top
            bars.append(Bar(x=round(x0 + j * bar_w, 1), y=round(TOP + plot_h - h, 1), width=round(bar_w - 1, 1),
                            height=round(h, 1), value=value, color=COLORS[j % len(COLORS)],
                            title=f"{category} {name}：{value}"))
    ticks = [Tick(y=round(TOP + plot_h - plot_h * v / scale_top, 1), label=str(v))
             for v in range(0, scale_top + 1, step)]
    labels = [Label(x=round(LEFT + (i + 0.5) * group_w, 1), text=c) for i, c in enumerate(categories)]
    return Chart(title=title, width=WIDTH, height=HEIGHT, plot_left=LEFT, plot_right=WIDTH - RIGHT, plot_top=TOP,
                 plot_bottom=TOP + plot_h, bars=bars, ticks=ticks, labels=labels,
                 legend=[(name, COLORS[j % len(COLORS)]) for j, (name, _) in enumerate(series)], empty=top == 0)
