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
