"""The per-citizen sliding window, on a clock the test moves."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.ratelimit import SlidingWindowLimiter, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_per_window_then_one_note_then_quiet():
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 60, clock=clock)
    assert [limiter.hit("a") for _ in range(3)] == [Verdict.allowed] * 3
    assert limiter.hit("a") is Verdict.refused
    assert limiter.hit("a") is Verdict.refused_quietly
    assert limiter.hit("b") is Verdict.allowed  # per citizen


def test_the_window_slides():
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 60, clock=clock)
    limiter.hit("a")
    clock.now += 30
    limiter.hit("a")
    assert limiter.hit("a") is Verdict.refused
    clock.now += 30.5  # the first message left the window, the second has not
    assert limiter.hit("a") is Verdict.allowed
    assert limiter.hit("a") is Verdict.refused  # told again: a new episode


def test_idle_citizens_are_forgotten():
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 60, clock=clock)
    limiter.hit("a")
    clock.now += 61
    limiter.hit("b")
    limiter.forget_idle()
    assert set(limiter._hits) == {"b"}


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0)
    with pytest.raises(ValueError):
        SlidingWindowLimiter(1, 0)


@given(st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), max_size=200), st.integers(1, 10))
def test_never_more_than_the_limit_in_any_window(gaps, limit):
    clock = Clock()
    limiter = SlidingWindowLimiter(limit, 60, clock=clock)
    accepted = []
    for gap in gaps:
        clock.now += gap
        if limiter.hit("a") is Verdict.allowed:
            accepted.append(clock.now)
    for i, t in enumerate(accepted):
        assert sum(1 for u in accepted[i:] if u < t + 60) <= limit
