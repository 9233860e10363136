"""The cascade's temperature scaling changes how sure it says it is, never what it chooses."""

from __future__ import annotations

import textwrap

import pytest

from tests.nlu_runtime import run_in_rasa_environment

SCRIPT = textwrap.dedent("""
    import json
    import numpy as np
    from nlu_runtime.classifier import calibrate

    p = np.array([[0.5, 0.3, 0.2], [0.34, 0.33, 0.33]])
    out = {str(t): calibrate(p, t).tolist() for t in (0.5, 1.0, 2.0)}
    out["zero"] = calibrate(np.array([[1.0, 0.0, 0.0]]), 0.5).tolist()
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def seen() -> dict:
    return run_in_rasa_environment(SCRIPT)


def test_a_temperature_of_one_reports_the_model_as_it_is(seen):
    assert seen["1.0"] == [[0.5, 0.3, 0.2], [0.34, 0.33, 0.33]]


def test_below_one_the_confidence_sharpens_above_one_it_softens_and_the_order_stays(seen):
    for row in range(2):
        sharp, soft = seen["0.5"][row], seen["2.0"][row]
        assert sharp[0] > seen["1.0"][row][0] > soft[0]
        assert sharp == sorted(sharp, reverse=True) and soft == sorted(soft, reverse=True)
        assert sum(sharp) == pytest.approx(1.0) and sum(soft) == pytest.approx(1.0)
    # softmax(log p / 0.5) is p² renormalised
    assert seen["0.5"][0] == pytest.approx([0.25 / 0.38, 0.09 / 0.38, 0.04 / 0.38])


def test_a_zero_probability_stays_finite(seen):
    assert seen["zero"][0][0] == pytest.approx(1.0) and seen["zero"][0][1] >= 0.0
