"""The product's Rasa launcher (nlu_runtime/server.py): action-server answers are still validated,
failures look exactly as in Rasa, and the schema is no longer re-checked on every answer."""

from __future__ import annotations

import textwrap

from tests.nlu_runtime import run_in_rasa_environment

SCRIPT = textwrap.dedent("""
    import json
    from jsonschema import ValidationError, validators
    from rasa.core.actions.action import RemoteAction

    GOOD = {"events": [{"event": "slot", "name": "bank", "value": "中国建设银行"}],
            "responses": [{"text": "好的"}]}
    BAD = {"events": "not a list", "responses": []}
    action = RemoteAction("action_answer", None)

    def outcome(result):
        try:
            return ["ok", action._validate_action_result(result)]
        except ValidationError as error:
            return ["error", error.message]

    before = [outcome(GOOD), outcome(BAD)]

    from nlu_runtime.server import compile_action_response_validation
    compile_action_response_validation()
    checks = []
    cls = validators.validator_for(RemoteAction.action_response_format_spec())
    original = cls.check_schema
    cls.check_schema = classmethod(lambda c, schema, *a, **k: checks.append(1) or original(schema, *a, **k))
    after = [outcome(GOOD), outcome(BAD)]
    for _ in range(50):
        outcome(GOOD)
    print(json.dumps({"before": before, "after": after, "schema_checks": len(checks)}, ensure_ascii=False))
""")


def test_answers_are_validated_as_rasa_does_without_rechecking_the_schema():
    seen = run_in_rasa_environment(SCRIPT)
    assert seen["before"][0] == ["ok", True]
    assert seen["before"][1][0] == "error" and "Failed to validate Action server response" in seen["before"][1][1]
    # The same verdicts and the same message after the change…
    assert seen["after"] == seen["before"]
    # …and 52 answers validated without one more check of the schema itself.
    assert seen["schema_checks"] == 0


EVENTS = textwrap.dedent("""
    import json
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    import rasa.shared.utils.common as common

    stored = [ActionExecuted("action_listen").as_dict(), UserUttered("你好").as_dict(), SlotSet("bank", "建行").as_dict()]
    before = [type(Event.from_parameters(d)).__name__ for d in stored]

    from nlu_runtime.server import resolve_event_types_once
    resolve_event_types_once()
    walks = []
    original = common.all_subclasses
    common.all_subclasses = lambda cls: walks.append(cls is Event) or original(cls)
    after = [[type(Event.from_parameters(d)).__name__ for d in stored] for _ in range(20)]
    known_walks = sum(walks)
    unknown = []
    for name in ("no_such_event", "no_such_event"):
        try:
            Event.resolve_by_type(name)
        except ValueError as error:
            unknown.append(str(error))
    print(json.dumps({"before": before, "after": after, "walks": known_walks, "unknown": unknown,
                      "default": Event.resolve_by_type("no_such_event", default=SlotSet).__name__}))
""")


def test_stored_events_resolve_to_the_same_classes_with_one_walk_of_the_class_tree_per_type():
    seen = run_in_rasa_environment(EVENTS)
    assert seen["before"] == ["ActionExecuted", "UserUttered", "SlotSet"]
    assert all(classes == seen["before"] for classes in seen["after"])
    # 60 events read back: one walk for each of the 3 types, then none.
    assert seen["walks"] == 3
    # An unknown name is still an error each time, and a default still answers for it.
    assert seen["unknown"] == ["Unknown event name 'no_such_event'."] * 2
    assert seen["default"] == "SlotSet"


SESSIONS = textwrap.dedent("""
    import asyncio, json
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig
    from nlu_runtime.server import keep_endpoint_sessions

    keep_endpoint_sessions()
    peers = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        return web.json_response({"echo": body["n"], "auth": request.headers.get("Authorization")})

    async def fail(request):
        return web.Response(status=500, text="broken")

    async def main():
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        app.router.add_post("/fail", fail)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}", basic_auth={"username": "u", "password": "p"})
        answers = [await endpoint.request(json={"n": n}, method="post", subpath="webhook") for n in range(5)]
        try:
            await endpoint.request(json={}, method="post", subpath="fail")
            failure = None
        except Exception as error:
            failure = type(error).__name__
        answers.append(await endpoint.request(json={"n": 5}, method="post", subpath="webhook"))
        await endpoint.session().session.close()
        answers.append(await endpoint.request(json={"n": 6}, method="post", subpath="webhook"))
        await endpoint.session().session.close()
        await runner.cleanup()
        return answers, failure

    answers, failure = asyncio.run(main())
    print(json.dumps({"echo": [a["echo"] for a in answers], "auth": answers[0]["auth"], "failure": failure,
                      "connections": len(set(map(tuple, peers)))}))
""")


def test_the_action_server_is_called_over_kept_connections_with_the_same_answers():
    seen = run_in_rasa_environment(SESSIONS)
    assert seen["echo"] == [0, 1, 2, 3, 4, 5, 6]
    assert seen["auth"] == "Basic dTpw"  # the endpoint's credentials still sent
    assert seen["failure"] == "ClientResponseError"  # an error answer is still Rasa's error
    # Six calls over one connection; a session closed by someone else is replaced by a new one.
    assert seen["connections"] == 2


REPEATS = textwrap.dedent("""
    import asyncio, copy, json
    from types import SimpleNamespace
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.data import TrainingType

    from nlu_runtime.server import drop_repeated_messages
    drop_repeated_messages()

    SENDER = "telegram:42"
    stored = DialogueStateTracker.from_events(SENDER, [
        ActionExecuted("action_listen"),
        UserUttered("确认", message_id="first", metadata={"message_id": "first"}),
        ActionExecuted("complaint_form"),
        BotUttered("工单编号：ZB-20261204-0001\\n\\n我们会转交中国农业银行", {"buttons": None}),
        BotUttered("还需要别的帮助吗？", {"buttons": [{"title": "没有了", "payload": "/other_goodbye"}]}),
        ActionExecuted("action_listen"),
        UserUttered("谢谢", message_id="second", metadata={"message_id": "second"}),
        BotUttered("不客气"),
        ActionExecuted("action_listen"),
    ], slots=[])

    # A processor without a dialogue model: it logs the message, saves the tracker and stops there.
    processor = object.__new__(MessageProcessor)
    processor.domain = Domain.empty()
    processor.model_metadata = SimpleNamespace(training_type=TrainingType.NLU)
    saved = []

    async def fetch(sender_id, output_channel, metadata=None):
        return copy.deepcopy(stored)

    async def save(tracker):
        saved.append([(e.text, e.message_id) for e in tracker.events if isinstance(e, UserUttered)])

    processor.fetch_tracker_and_update_session = fetch
    processor.save_tracker = save

    async def send(text, metadata):
        channel = CollectingOutputChannel()
        message = UserMessage(text, channel, SENDER, metadata=metadata,
                              parse_data={"intent": {"name": "other_affirm"}, "entities": [], "text": text})
        answer = await processor.handle_message(message)
        return [{k: v for k, v in m.items() if k in ("text", "buttons")} for m in channel.messages], answer

    out = {}
    out["first"] = asyncio.run(send("确认", {"message_id": "first"}))
    out["second"] = asyncio.run(send("谢谢", {"message_id": "second"}))
    out["saved_after_repeats"] = list(saved)
    asyncio.run(send("好的", {"message_id": "third"}))
    asyncio.run(send("再见", None))
    out["saved"] = saved
    print(json.dumps(out, ensure_ascii=False))
""")


def test_a_message_whose_id_the_conversation_holds_is_answered_again_and_not_processed_again():
    seen = run_in_rasa_environment(REPEATS)
    replies, answer = seen["first"]
    # The turn's bot messages as the REST channel sent them the first time: the text split at blank
    # lines, the buttons kept with their text.
    assert replies == [{"text": "工单编号：ZB-20261204-0001"}, {"text": "我们会转交中国农业银行"},
                       {"text": "还需要别的帮助吗？", "buttons": [{"title": "没有了", "payload": "/other_goodbye"}]}]
    assert answer is not None and len(answer) == 3
    assert seen["second"][0] == [{"text": "不客气"}]
    # Nothing was logged or stored for the repeats…
    assert seen["saved_after_repeats"] == []
    # …while a new id is logged under that id, and a message without one gets Rasa's own.
    [third, fourth] = seen["saved"]
    assert third[-1] == ["好的", "third"]
    assert fourth[-1][0] == "再见" and fourth[-1][1] not in ("first", "second", "third")
