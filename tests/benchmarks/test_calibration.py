"""Calibration and threshold choice, on synthetic rankings whose true confidence is known."""

import math

import numpy as np
import pytest

from benchmarks.calibration import (Ranked, best, break_even, calibrate, expected_calibration_error, fit_scale,
                                    negative_log_likelihood, outcome, scaled)

INTENTS = [f"inquiry/i{k}" for k in range(12)]


def _softmax(z):
    z = z - z.max()
    return np.exp(z) / np.exp(z).sum()


def _under_confident(n: int, *, spread: float, seed: int = 7) -> list[Ranked]:
    """Messages whose gold intent follows softmax(logits), reported as softmax(logits / spread)."""
    rng = np.random.default_rng(seed)
    items = []
    for _ in range(n):
        logits = rng.normal(0.0, 2.5, len(INTENTS))
        gold = INTENTS[rng.choice(len(INTENTS), p=_softmax(logits))]
        reported = _softmax(logits / spread)
        order = np.argsort(-reported)[:10]
        items.append(Ranked(tuple((INTENTS[i], float(reported[i])) for i in order), gold, "inquiry"))
    return items


def test_the_fitted_factor_undoes_a_known_spread_of_the_confidence():
    items = _under_confident(3000, spread=2.0)
    assert fit_scale(items) == pytest.approx(2.0, rel=0.15)


def test_calibrating_brings_the_confidence_closer_to_how_often_it_is_right():
    items = _under_confident(3000, spread=2.0)
    s = fit_scale(items)
    assert expected_calibration_error(items, s) < expected_calibration_error(items, 1.0) / 2
    assert negative_log_likelihood(items, s) < negative_log_likelihood(items, 1.0)


def test_a_well_calibrated_model_keeps_its_confidence():
    assert fit_scale(_under_confident(3000, spread=1.0)) == pytest.approx(1.0, abs=0.15)


def test_a_gold_intent_outside_the_ranking_counts_as_the_remainder_not_as_impossible():
    item = Ranked((("inquiry/i0", 0.6), ("inquiry/i1", 0.3)), "inquiry/i9", "inquiry")
    assert math.isfinite(negative_log_likelihood([item], 1.0))
    assert negative_log_likelihood([item], 1.0) == pytest.approx(-math.log(0.1))
    assert scaled(item, 1.0).sum() == pytest.approx(1.0)


def test_scaling_never_reorders_the_intents():
    item = Ranked((("a", 0.5), ("b", 0.3), ("c", 0.15)), "a", "inquiry")
    for s in (0.3, 1.0, 4.0):
        p = scaled(item, s)
        assert list(p[:3]) == sorted(p[:3], reverse=True)


def test_a_threshold_answers_what_is_at_or_above_it_and_asks_the_rest():
    o = outcome([0.9, 0.8, 0.4, 0.3], [True, True, False, True], 0.4, cost=2.0)
    assert (o.answered, o.right, o.wrong, o.asked, o.utility) == (3, 2, 1, 1, 0.0)


def test_of_equally_useful_thresholds_the_one_asking_least_is_chosen():
    confidences, correct = [0.9, 0.8, 0.2], [True, True, True]
    chosen = best([outcome(confidences, correct, t, 1.0) for t in (0.1, 0.5, 0.85)])
    assert chosen.threshold == 0.1  # asking about a right answer gains nothing


def test_the_inquiry_threshold_is_never_below_the_fallback_and_ignores_forms():
    rng = np.random.default_rng(3)
    items = []
    for k in range(400):
        top = float(rng.uniform(0.2, 0.99))
        right = rng.uniform() < top
        category = "complaint" if k % 3 == 0 else "inquiry"
        gold = "x" if right else "y"
        items.append(Ranked((("x", top), ("y", (1 - top) * 0.9)), gold, category))
    result = calibrate(items, current_temperature=1.0)
    assert result.clarify.threshold >= result.fallback.threshold
    assert all(o.threshold >= result.fallback.threshold for o in result.clarify_sweep)
    asked_about = result.clarify_sweep[0].answered + result.clarify_sweep[0].asked
    assert asked_about == sum(1 for i in items if i.category != "complaint"
                              and scaled(i, result.scale)[0] >= result.fallback.threshold)
    assert result.temperature == pytest.approx(1.0 / result.scale)


def test_with_a_calibrated_confidence_an_answer_pays_off_above_cost_over_one_plus_cost():
    assert (break_even(1.0), break_even(2.0)) == (0.5, 0.67)
    # Simulated calibrated messages: the sweep's best lands next to the break-even threshold.
    rng = np.random.default_rng(11)
    confidences = rng.uniform(0.05, 1.0, 20000)
    correct = rng.uniform(size=confidences.size) < confidences
    sweep = [outcome(confidences, correct, t, 2.0) for t in (0.3, 0.5, 0.67, 0.8, 0.9)]
    assert best(sweep).threshold == 0.67
