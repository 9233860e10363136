"""The one percentile every benchmark reports with."""

from __future__ import annotations

import math
import statistics

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.stats import percentile


def test_small_samples():
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([1, 2, 3, 4], 100) == 4
    assert percentile([5.0], 95) == 5.0
    assert math.isnan(percentile([], 50))


@given(st.lists(st.floats(min_value=0, max_value=1e4), min_size=2, max_size=200), st.integers(min_value=1, max_value=99))
def test_same_figures_as_the_inclusive_quantiles_the_benchmarks_used_before(values, q):
    # Three of the four benchmarks used statistics.quantiles(method="inclusive"): one percentile
    # for all must not move any figure in BENCHMARKS.md.
    expected = statistics.quantiles(values, n=100, method="inclusive")[q - 1]
    assert math.isclose(percentile(values, q), expected, rel_tol=1e-9, abs_tol=1e-9)
