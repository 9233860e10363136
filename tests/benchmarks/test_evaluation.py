"""The evaluation's arithmetic, on cases small enough to check by hand."""

from benchmarks.dataset import Example, parse_markup
from benchmarks.evaluation import entity_scores, gold_entities, score


def test_a_wrong_value_is_both_a_false_positive_and_a_miss():
    gold = [{"bank": "中国建设银行"}, {"bank": "中国农业银行"}, {}]
    pred = [{"bank": "中国建设银行"}, {"bank": "中国银行"}, {"bank": "青岛银行"}]
    bank = entity_scores(gold, pred)["bank"]
    assert (bank["precision"], bank["recall"]) == (1 / 3, 1 / 2)


def test_gold_entities_are_canonical(knowledge):
    text, spans = parse_markup("[ccb](bank)[李村支行](outlet)在[西海岸](district)")
    gold = gold_entities(Example(text, "complaint_attitude", spans, ""), knowledge)
    assert gold == {"bank": "中国建设银行", "outlet": "李村支行", "district": "黄岛区"}


def test_category_accuracy_forgives_a_wrong_intent_in_the_right_category(knowledge):
    gold = ["complaint/fees", "inquiry/fees"]
    pred = ["complaint/refusal", "complaint/fees"]
    s = score("x", gold, pred, ["a", "b"], knowledge)
    assert (s.intent_accuracy, s.category_accuracy) == (0.0, 0.5)


def test_reliability_bands_show_how_often_a_confidence_was_right():
    from benchmarks.evaluation import reliability

    rows, error = reliability([0.95, 0.92, 0.91, 0.35, 0.32], [True, True, False, True, False])
    assert [(r["low"], r["n"]) for r in rows] == [(0.3, 2), (0.9, 3)]
    assert rows[1]["accuracy"] == 2 / 3 and abs(rows[1]["confidence"] - 0.9267) < 1e-3
    # Overconfident at the top (0.927 claimed, 0.667 right), about right below (0.335 against 0.5).
    assert abs(error - (3 * abs(0.92667 - 2 / 3) + 2 * abs(0.335 - 0.5)) / 5) < 1e-3


def test_a_confidence_of_one_falls_in_the_top_band():
    from benchmarks.evaluation import reliability

    rows, error = reliability([1.0], [True])
    assert rows == [{"low": 0.9, "high": 1.0, "n": 1, "confidence": 1.0, "accuracy": 1.0}] and error == 0.0
