"""One complete reply from knowledge/; clarifying questions (the handoff after them: test_handoff.py)."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.fallback import ActionClarify
from actions.inquiries import ActionAnswer
from bot.answers import compose_reply, render_guide, render_notice
from bot.answers.layout import as_text, from_payload
from bot.nlu.interpret import Interpretation
from tests.actions.conftest import message, run, slot, tracker, user


def test_an_inquiry_gets_its_guide(k):
    events, messages = run(ActionAnswer(), tracker(message("怎么激活社保卡", "inquiry_activate", 0.99)))
    assert events == []
    assert messages == [{**messages[0], "text": render_guide(k.guide("inquiry/activate"), k).text}]
    assert not messages[0]["buttons"]


def test_photo_and_insurance_record_answers_carry_the_one_time_notice(k, db):
    for intent, text in (("inquiry_photo", "没有照片怎么办"), ("inquiry_insurance_record", "参保信息错了怎么办")):
        guide = k.guide(intent.replace("_", "/", 1))
        _, messages = run(ActionAnswer(), tracker(message(text, intent, 0.97)))
        assert messages[0]["text"] == render_guide(guide, k).text
        assert render_notice(k.notices[guide.notice_case], k).text in messages[0]["text"]
        assert "一次性告知" in messages[0]["text"]


def test_out_of_scope_points_to_the_right_service(k):
    text = "医保怎么报销"
    _, messages = run(ActionAnswer(), tracker(message(text, "other_out_of_scope", 0.97)))
    expected = compose_reply(Interpretation(text, "other", "other/out_of_scope", 0.97), k).text
    assert messages[0]["text"] == expected
    assert "12393" in expected  # the referral of knowledge/operator.yml


def test_small_talk(k):
    _, messages = run(ActionAnswer(), tracker(message("你好", "other_greet", 1.0)))
    assert messages[0]["text"] == k.messages.render("greet")


def test_a_complaint_is_acknowledged_even_when_uncertain(k):
    text = "我要投诉乱收费"
    parse = message(text, "complaint_fees", 0.35, ranking=[("complaint_fees", 0.35), ("other_ticket_status", 0.34)])
    events, messages = run(ActionAnswer(), tracker(parse))
    assert events == []
    assert messages[0]["text"].startswith("已收到您反映的问题：乱收费")
    assert not messages[0]["buttons"]


def test_an_uncertain_inquiry_gets_a_clarifying_question(k):
    parse = message("卡的事", "inquiry_apply", 0.35,
                    ranking=[("inquiry_apply", 0.35), ("inquiry_replace", 0.3), ("inquiry_query", 0.1)])
    events, messages = run(ActionAnswer(), tracker(parse))
    assert events == [SlotSet("low_confidence_turns", 1)]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/inquiry_apply", "/inquiry_replace", "/inquiry_query"]


FALLBACK = [("nlu_fallback", 0.3), ("inquiry_apply", 0.28), ("inquiry_replace", 0.18), ("inquiry_special_groups", 0.08),
            ("other_greet", 0.01)]


def test_low_confidence_asks_with_buttons_for_the_three_likeliest(k):
    parse = message("办社保卡要带什么材料？", "nlu_fallback", 0.3, ranking=FALLBACK)
    events, messages = run(ActionClarify(), tracker(parse))
    assert events == [SlotSet("low_confidence_turns", 1)]
    assert messages[0]["buttons"] == [
        {"title": "首次申领", "payload": "/inquiry_apply"},
        {"title": "补换", "payload": "/inquiry_replace"},
        {"title": k.intent("inquiry/special_groups").label, "payload": "/inquiry_special_groups"},
    ]
    assert messages[0]["text"].startswith("抱歉，我没完全明白您的意思")


def test_an_understood_turn_breaks_the_row():
    first = message("阿斯顿发", "nlu_fallback", 0.3, ranking=FALLBACK)
    understood = message("怎么激活", "inquiry_activate", 0.99)
    again = message("啊啊啊", "nlu_fallback", 0.3, ranking=FALLBACK)
    trk = tracker(again, before=[user(first), slot("low_confidence_turns", 1), user(understood),
                                 {"event": "action", "name": "action_answer"}])
    events, _ = run(ActionClarify(), trk)
    assert events == [SlotSet("low_confidence_turns", 1)]


def test_small_talk_is_never_offered_as_a_meaning(k):
    ranking = [("nlu_fallback", 0.3), ("other_thanks", 0.27), ("inquiry_activate", 0.2), ("other_out_of_scope", 0.15),
               ("other_goodbye", 0.1), ("complaint_attitude", 0.08), ("inquiry_password", 0.05)]
    _, messages = run(ActionClarify(), tracker(message("那个卡弄好了吧谢了啊", "nlu_fallback", 0.3, ranking=ranking)))
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/inquiry_activate", "/complaint_attitude", "/inquiry_password"]
    assert "感谢" not in messages[0]["text"] and "再见" not in messages[0]["text"]


def test_a_guide_also_carries_its_layout_for_the_channels_that_format(k):
    """The text stays the whole answer (any channel can show it); the layout rides along as the custom payload."""
    events, messages = run(ActionAnswer(), tracker(message("没有照片怎么办", "inquiry_photo", 0.97)))
    guide = k.guide("inquiry/photo")
    layout = from_payload(messages[0]["custom"])
    assert layout == render_guide(guide, k).answer
    assert as_text(layout) == messages[0]["text"]
    assert layout.lead == guide.answer and layout.section("notice_title") is not None


def test_replies_without_parts_carry_no_layout(k):
    _, messages = run(ActionAnswer(), tracker(message("你好", "other_greet", 1.0)))
    assert not messages[0]["custom"]
