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


# The trained assistant's own cascade, loaded as the server loads it: scoring a message must not copy
# the coefficient matrix, and it gives exactly the probabilities of the model as trained.
LOADED = textwrap.dedent("""
    import copy, json, tarfile, tempfile, time
    from pathlib import Path
    import numpy as np
    import skops.io as sio
    from scipy.sparse import random as sparse_random
    from nlu_runtime.classifier import _column_major

    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open("models/assistant.tar.gz") as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith("cascade.skops"))
            archive.extract(member, tmp)
        path = Path(tmp) / member.name
        models = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    out = {}
    for name, trained in models.items():
        loaded = _column_major(copy.deepcopy(trained))
        width = trained.coef_.shape[1]
        messages = sparse_random(5, width, density=min(1.0, 30 / width), format="csr", random_state=1)
        started = time.perf_counter()
        for _ in range(20):
            fast = loaded.predict_proba(messages[:1])
        seconds = time.perf_counter() - started
        out[name] = {
            "same": bool(np.array_equal(trained.predict_proba(messages), loaded.predict_proba(messages))),
            "transposed_in_row_order": bool(loaded.coef_.T.flags.c_contiguous),
            "ms_per_message": seconds / 20 * 1000,
        }
    print(json.dumps(out))
""")


def test_the_loaded_cascade_scores_a_message_without_copying_its_coefficients():
    seen = run_in_rasa_environment(LOADED)
    assert set(seen) == {"characters", "combined"}
    for model in seen.values():
        assert model["same"]
        # What scipy needs to multiply without copying (0.7 ms a message copied, 0.09 ms not: BENCHMARKS.md).
        assert model["transposed_in_row_order"]
