"""Personal data stays out of logs."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest

import bot.privacy.detector as detector
import bot.privacy.pipeline as pipeline
from bot.privacy import MaskingFilter, install_log_masking

from .conftest import make_id

ID = make_id("370202", date(1990, 1, 1), 123)
MASKED_ID = f"{ID[:6]}********{ID[-4:]}"


@pytest.fixture
def logger_and_stream(request):
    log = logging.getLogger(f"test.privacy.{request.node.name}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)
    yield log, handler, stream
    log.removeHandler(handler)
    log.filters.clear()


def test_handler_filter_masks_arguments(logger_and_stream):
    log, handler, stream = logger_and_stream
    handler.addFilter(MaskingFilter())
    log.info("call from %s", "13812345678")
    log.warning("caller %s, ID %s", "张三", ID)
    assert stream.getvalue().splitlines() == [
        "INFO call from 138****5678",
        f"WARNING caller 张三, ID {MASKED_ID}",
    ]


def test_logger_filter_masks_the_message_and_mapping_arguments(logger_and_stream):
    log, _, stream = logger_and_stream
    log.addFilter(MaskingFilter())
    log.info(f"身份证{ID}")
    log.info("电话%(phone)s", {"phone": "0532-82345678"})
    assert stream.getvalue().splitlines() == [f"INFO 身份证{MASKED_ID}", "INFO 电话0532-****5678"]


def test_a_record_without_personal_data_is_left_as_it_is(logger_and_stream):
    log, handler, stream = logger_and_stream
    records = []
    handler.addFilter(MaskingFilter())
    handler.addFilter(lambda record: records.append(record) or True)
    log.info("ticket %s due %s", "ZB-20261127-0001", "2026-12-08")
    assert stream.getvalue() == "INFO ticket ZB-20261127-0001 due 2026-12-08\n"
    assert records[0].args == ("ZB-20261127-0001", "2026-12-08")


def test_install_log_masking_covers_child_loggers_once():
    parent = logging.getLogger("test.privacy.install")
    parent.setLevel(logging.INFO)
    parent.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    parent.addHandler(handler)
    try:
        first = install_log_masking("test.privacy.install")
        assert install_log_masking(parent) is first
        assert sum(isinstance(f, MaskingFilter) for f in parent.filters + handler.filters) == 2
        logging.getLogger("test.privacy.install.child").info("回电 %s", "+86 138 1234 5678")
        parent.info("卡号%s", "4111111111111111")
        assert stream.getvalue().splitlines() == ["回电 +86 138 **** 5678", "卡号************1111"]
    finally:
        parent.removeHandler(handler)
        parent.filters.clear()


def test_malformed_arguments_do_not_break_the_filter():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s and %s", ("13812345678",), None)
    assert MaskingFilter().filter(record) is True
    assert record.args == ("13812345678",)  # logging itself reports the bad call when formatting


def test_without_spacy_the_same_rules_still_mask(monkeypatch):
    def broken():
        raise RuntimeError("pipeline unavailable")

    monkeypatch.setattr(pipeline, "get_nlp", broken)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call from %s", ("13812345678",), None)
    assert MaskingFilter().filter(record) is True
    assert record.getMessage() == "call from 138****5678"


def test_logging_while_the_pipeline_is_built_does_not_recurse(monkeypatch):
    # jieba logs through the root logger while it loads; a masking filter on a root handler sees
    # that record in the middle of building the pipeline.
    import jieba

    # The pipeline quietens jieba; this test needs its loading records.
    monkeypatch.setattr(jieba.default_logger, "level", logging.DEBUG)
    monkeypatch.setattr(jieba, "setLogLevel", lambda level: None)
    built = []
    real_build = pipeline.build_nlp
    monkeypatch.setattr(pipeline, "build_nlp", lambda *a, **k: built.append(1) or real_build(*a, **k))
    pipeline.get_nlp.cache_clear()
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    root.addHandler(handler)
    try:
        logging.getLogger("test.privacy.build").warning("call from %s", "13812345678")
    finally:
        root.removeHandler(handler)
    assert built == [1]
    assert "Loading model" in stream.getvalue()  # jieba's record went through the filter
    assert stream.getvalue().splitlines()[-1] == "call from 138****5678"
    assert detector.find("13812345678")[0].kind == "mobile"
