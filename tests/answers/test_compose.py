"""Replies a citizen reads: complete guides, one-time notices, acknowledgements that say what happens next."""

from __future__ import annotations

import pytest

from bot.answers import compose_reply
from bot.answers.compose import cite
from bot.nlu.interpret import Interpretation, blank


def understood(knowledge, intent, text="", entities=None, confidence=0.9):
    return Interpretation(text=text, category=knowledge.intent(intent).category, intent=intent,
                          confidence=confidence, ranking=((intent, confidence),), entities=entities or {})


def test_cite_orders_and_deduplicates(knowledge):
    assert cite([17, 3, 17, 12], knowledge.messages) == "第三条、第十二条、第十七条"


@pytest.mark.parametrize("intent", [
    "inquiry/apply", "inquiry/activate", "inquiry/report_loss", "inquiry/unfreeze", "inquiry/replace",
    "inquiry/password", "inquiry/info_change", "inquiry/query", "inquiry/cancel", "inquiry/progress",
    "inquiry/temp_card", "inquiry/photo", "inquiry/insurance_record", "inquiry/fees", "inquiry/outlets",
    "inquiry/service_channels", "inquiry/special_groups"])
def test_every_inquiry_gets_a_complete_answer_once(knowledge, intent):
    guide = knowledge.guide(intent)
    reply = compose_reply(understood(knowledge, intent), knowledge)
    text = reply.text
    for heading in ("需要带的材料", "在哪办", "办理流程", "费用", "依据", "咨询电话"):
        assert heading in text, heading
    assert all(item in text for item in guide.materials.items)
    assert "社保卡经办服务不收取任何费用（第十二条）" in text or "bank_fees" in guide.fee
    assert set(guide.articles) <= set(reply.articles)
    assert cite(reply.articles, knowledge.messages) in text
    assert knowledge.operator.service_phone in text


def test_first_application_states_the_seven_working_days(knowledge):
    text = compose_reply(understood(knowledge, "inquiry/apply"), knowledge).text
    assert "7 个工作日内发卡（第十七条）" in text


@pytest.mark.parametrize("intent, item", [("inquiry/photo", "二"), ("inquiry/insurance_record", "一")])
def test_art19_cases_carry_the_one_time_notice(knowledge, intent, item):
    text = compose_reply(understood(knowledge, intent), knowledge).text
    assert f"第十九条第（{item}）项" in text
    assert "7 日内办结" in text
    assert "受理时间、受理事项、联系人、联系电话" in text


def test_complaint_names_the_bank_the_article_and_what_happens_next(knowledge):
    interp = understood(knowledge, "complaint/forced_selling", "建行李村支行逼我买理财",
                        {"bank": "中国建设银行", "outlet": "李村支行"})
    reply = compose_reply(interp, knowledge)
    assert "中国建设银行李村支行" in reply.text
    assert "第四十七条" in reply.text
    assert "转办单" in reply.text and 27 in reply.articles
    assert "哪家银行" not in reply.text


def test_complaint_without_a_bank_asks_for_it(knowledge):
    reply = compose_reply(understood(knowledge, "complaint/attitude", "柜员态度太差"), knowledge)
    assert "哪家银行、哪个网点" in reply.text


def test_praise_is_acknowledged_with_article_43(knowledge):
    reply = compose_reply(understood(knowledge, "praise", "谢谢小王", {"bank": "青岛银行"}), knowledge)
    assert "感谢您对青岛银行的表扬" in reply.text and reply.articles == (43,)


def test_out_of_scope_points_to_the_right_service_never_a_dead_end(knowledge):
    medical = compose_reply(understood(knowledge, "other/out_of_scope", "医保报销比例是多少"), knowledge)
    assert "12393" in medical.text and "转人工" in medical.text
    unknown = compose_reply(understood(knowledge, "other/out_of_scope", "明天天气咋样"), knowledge)
    assert "12345" in unknown.text and "转人工" in unknown.text


def test_low_confidence_asks_with_the_likeliest_intents(knowledge):
    interp = Interpretation(text="收费", category="inquiry", intent="inquiry/fees", confidence=0.31,
                            ranking=(("inquiry/fees", 0.31), ("complaint/fees", 0.29), ("inquiry/temp_card", 0.1)),
                            low_confidence=True)
    reply = compose_reply(interp, knowledge)
    assert [name for name, _ in reply.choices] == ["inquiry/fees", "complaint/fees", "inquiry/temp_card"]
    assert all(label in reply.text for _, label in reply.choices)


def test_nothing_to_understand_gets_a_clear_message(knowledge):
    assert "没法识别" in compose_reply(blank(""), knowledge).text


def test_a_complaint_that_names_no_problem_is_taken_up_not_misread(knowledge):
    reply = compose_reply(understood(knowledge, "complaint/unspecified", "我想投诉一下建行",
                                     entities={"bank": "中国建设银行"}), knowledge)
    assert reply.text.startswith("好的，我来帮您登记对中国建设银行的投诉")
    assert "哪类问题" in reply.text
    assert "待说明" not in reply.text  # the label is for operators, not a sentence for the citizen
