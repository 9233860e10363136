"""jieba keeps bank, outlet and district names whole with the generated dictionary."""

import logging
import re

import jieba
import pytest

from bot.knowledge import build_user_dictionary, write_user_dictionary

jieba.setLogLevel(logging.WARNING)


@pytest.fixture(scope="module")
def dictionary_file(knowledge, tmp_path_factory):
    return write_user_dictionary(tmp_path_factory.mktemp("jieba") / "userdict.txt", knowledge)


@pytest.fixture(scope="module")
def tokenizer(dictionary_file):
    # A private tokenizer: the global jieba instance is shared with the rest of the process.
    tok = jieba.Tokenizer()
    tok.load_userdict(str(dictionary_file))
    return tok


@pytest.fixture(scope="module")
def plain_tokenizer():
    return jieba.Tokenizer()


def test_dictionary_format(knowledge):
    lines = build_user_dictionary(knowledge)
    assert all(re.fullmatch(r"\S+ \d+ [a-z]+", line) for line in lines)
    words = {line.split()[0] for line in lines}
    assert len(words) == len(lines)
    for word in ("中国建设银行", "建行", "农商行", "李村支行", "西海岸新区", "黄岛区", "社保卡", "社会保障卡", "解挂", "挂失",
                 "补换", "补卡", "换卡", "临时卡", "激活", "注销", "一次性告知", "转办单", "督办单"):
        assert word in words, word


def test_written_file_is_utf8_lines(dictionary_file, knowledge):
    assert dictionary_file.read_text(encoding="utf-8").splitlines() == build_user_dictionary(knowledge)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("建行李村支行", ["建行", "李村支行"]),
        ("我在建行李村支行办的社保卡", ["我", "在", "建行", "李村支行", "办", "的", "社保卡"]),
        ("工行台东支行", ["工行", "台东支行"]),
        ("西海岸新区的农商行", ["西海岸新区", "的", "农商行"]),
    ],
)
def test_segmentation(tokenizer, text, expected):
    assert tokenizer.lcut(text) == expected


def test_农商行_kept_whole(tokenizer):
    assert "农商行" in tokenizer.lcut("我在农商行办的卡")


def test_card_terms_kept_whole(tokenizer):
    words = tokenizer.lcut("卡找到了想解挂，还要拿转办单和一次性告知单吗")
    assert {"解挂", "转办单", "一次性告知单"} <= set(words)


def test_the_dictionary_is_what_makes_it_work(plain_tokenizer):
    # Without it, jieba's default dictionary gets these wrong; if that ever changes the
    # segmentation tests above prove nothing about the dictionary.
    assert plain_tokenizer.lcut("建行李村支行") != ["建行", "李村支行"]
    assert "农商行" not in plain_tokenizer.lcut("我在农商行办的卡")


def test_short_aliases_do_not_break_common_words(tokenizer):
    assert tokenizer.lcut("其中行政") == ["其中", "行政"]
    assert tokenizer.lcut("城市南边") == ["城市", "南边"]
