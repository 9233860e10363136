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
