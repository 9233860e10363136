"""The tokenizer takes its misspellings from the file `sbk nlu build` writes, and the model keeps them."""

from __future__ import annotations

import textwrap

import pytest

from tests.nlu_runtime import run_in_rasa_environment

SCRIPT = textwrap.dedent("""
    import json, tempfile
    from pathlib import Path
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from nlu_runtime.tokenizer import ChineseTokenizer, normalised_text

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        misspellings = tmp / "misspellings.json"
        misspellings.write_text(json.dumps({"社报卡": "社保卡"}), encoding="utf-8")
        config = {**ChineseTokenizer.get_default_config(), "misspellings_path": str(misspellings)}
        (tmp / "model").mkdir()
        storage, resource = LocalModelStorage(tmp / "model"), Resource("tokenizer")
        context = ExecutionContext(GraphSchema({}), "test")
        tokenizer = ChineseTokenizer.create(config, storage, resource, context)
        tokenizer.train(TrainingData([Message.build("社保卡丢了怎么挂失", intent="report_loss")]))
        message = Message.build("社报卡丢了")
        tokenizer.process([message])
        out["trained"] = normalised_text(message)

        before = ChineseTokenizer.fingerprint_addon(config)
        misspellings.write_text(json.dumps({"社报卡": "社保卡", "挂师": "挂失"}), encoding="utf-8")
        out["fingerprint_changes"] = ChineseTokenizer.fingerprint_addon(config) != before

        misspellings.unlink()  # the model alone must still read the misspelling
        loaded = ChineseTokenizer.load(config, storage, resource, context)
        message = Message.build("社报卡丢了")
        loaded.process([message])
        out["loaded"] = normalised_text(message)

        try:
            ChineseTokenizer.create(config, storage, Resource("again"), context)
            out["missing"] = None
        except ValueError as exc:
            out["missing"] = str(exc)
    print(json.dumps(out, ensure_ascii=False))
""")


@pytest.fixture(scope="module")
def seen() -> dict:
    return run_in_rasa_environment(SCRIPT)


def test_the_misspellings_file_corrects_messages(seen):
    assert seen["trained"] == "社保卡丢了"


def test_a_changed_misspellings_file_retrains_the_tokenizer(seen):
    assert seen["fingerprint_changes"]


def test_the_trained_model_carries_its_misspellings(seen):
    assert seen["loaded"] == "社保卡丢了"


def test_a_missing_misspellings_file_names_the_file_and_the_command_that_writes_it(seen):
    assert "misspellings.json" in seen["missing"] and "sbk nlu build" in seen["missing"]
