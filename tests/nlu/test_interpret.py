"""Interpretation of raw parses: contract names, canonical entities, low confidence."""

from bot.nlu.interpret import blank, interpret


def _parse(intent, confidence, entities=(), ranking=None):
    ranking = ranking or [{"name": intent, "confidence": confidence}]
    return {"intent": {"name": intent, "confidence": confidence}, "intent_ranking": ranking,
            "entities": list(entities)}


def test_rasa_names_become_contract_names_with_category(knowledge):
    result = interpret("逼我买理财", _parse("complaint_forced_selling", 0.93), knowledge)
    assert (result.category, result.intent) == ("complaint", "complaint/forced_selling")
    assert result.confidence == 0.93 and not result.low_confidence


def test_aliases_are_canonical_and_bank_prefix_leaves_outlet(knowledge):
    text = "建行李村支行乱收费"
    entities = [
        {"entity": "bank", "value": "建行", "start": 0, "end": 2},
        {"entity": "outlet", "value": "建行李村支行", "start": 0, "end": 6},
    ]
    result = interpret(text, _parse("complaint_fees", 0.9, entities), knowledge)
    assert result.entities == {"bank": "中国建设银行", "outlet": "李村支行"}


def test_district_inside_an_outlet_name_is_not_a_district_mention(knowledge):
    text = "崂山支行态度差"
    entities = [
        {"entity": "district", "value": "崂山", "start": 0, "end": 2},
        {"entity": "outlet", "value": "崂山支行", "start": 0, "end": 4},
    ]
    result = interpret(text, _parse("complaint_attitude", 0.9, entities), knowledge)
    assert result.entities == {"outlet": "崂山支行"}


def test_unknown_bank_value_is_dropped_not_invented(knowledge):
    entities = [{"entity": "bank", "value": "招商银行", "start": 0, "end": 4}]
    assert interpret("招商银行态度差", _parse("complaint_attitude", 0.8, entities), knowledge).entities == {}


def test_fallback_keeps_the_likeliest_real_intent_and_flags_it(knowledge):
    parse = {"intent": {"name": "nlu_fallback", "confidence": 0.45},
             "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.45},
                                {"name": "inquiry_fees", "confidence": 0.31},
                                {"name": "complaint_fees", "confidence": 0.29}],
             "entities": []}
    result = interpret("收费", parse, knowledge)
    assert result.low_confidence
    assert result.intent == "inquiry/fees"
    assert [name for name, _ in result.ranking] == ["inquiry/fees", "complaint/fees"]


def test_blank_matches_the_contract():
    assert blank("").to_contract() == {"text": "", "category": "other", "intent": "other/out_of_scope",
                                       "confidence": 0.0, "entities": {}}
