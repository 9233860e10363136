from bot.nlu.text import clean_text, decode_line, has_content


def test_invalid_utf8_is_replaced_not_fatal():
    assert decode_line(b"\xff\xfe\xe5\xbb\xba\xe8\xa1\x8c\n") == "\ufffd\ufffd建行"


def test_control_and_zero_width_characters_are_removed():
    assert clean_text("挂\x00失\u200b 怎么\t\t办\x1b[31m") == "挂 失 怎么 办 [31m"


def test_content_detection():
    assert has_content("👍")
    assert has_content("ok")
    assert not has_content("  \ufffd\ufffd ")
    assert not has_content("")
