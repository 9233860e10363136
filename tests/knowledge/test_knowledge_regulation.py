"""The Measures parsed from the verbatim text."""

from bot.knowledge import chinese_number
from bot.knowledge.regulation import chinese_numeral, join_lines

CHAPTERS = {1: "总则", 2: "经办服务规范", 3: "监督管理", 4: "考评和奖惩", 5: "附则"}
# First and last article of each chapter, as printed.
CHAPTER_SPANS = {1: (1, 6), 2: (7, 19), 3: (20, 38), 4: (39, 49), 5: (50, 56)}


def test_all_56_articles_in_order(knowledge):
    assert list(knowledge.articles) == list(range(1, 57))
    assert all(a.number == n for n, a in knowledge.articles.items())
    assert knowledge.regulation_title == "青岛市社会保障卡经办服务监督管理办法"


def test_chapters_numbers_titles_and_articles(knowledge):
    assert {n: c.title for n, c in knowledge.chapters.items()} == CHAPTERS
    for number, (first, last) in CHAPTER_SPANS.items():
        assert knowledge.chapters[number].articles == tuple(range(first, last + 1))
        for article in range(first, last + 1):
            assert knowledge.article(article).chapter == number
            assert knowledge.article(article).chapter_title == CHAPTERS[number]


def test_article_text_starts_after_heading(knowledge):
    assert knowledge.article(1).text.startswith("为加强社会保障卡经办服务")
    assert knowledge.article(56).text == "本办法自2018年2月1日起施行，有效期至2022年12月31日。"
    assert knowledge.article(17).label == "第十七条"


def test_page_break_joined_without_newline(knowledge):
    assert "合作银行分（总）行集中培训" in knowledge.article(15).text
    assert "\n" not in knowledge.article(15).text
    assert "印有银行业务受理专用章" in knowledge.article(18).text
    assert "95分（含）以上为优，95～90分（含）为良" in knowledge.article(41).text
    assert "对合作银行负责人进行约谈" in knowledge.article(45).text
    assert "社会保障卡网办平台留言" in knowledge.article(50).text


def test_list_items_and_paragraphs_stay_on_their_own_lines(knowledge):
    art19 = knowledge.article(19)
    lines = art19.text.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("（一）申请人参保信息有误")
    assert lines[2].startswith("（二）申请人没有照片信息")
    assert set(art19.items) == {"一", "二"}
    # Art. 24 (二) continues after a page break although its first line ends in "；".
    assert knowledge.article(24).items["二"] == "对卡经办工作人员进行日常管理、培训和考核；监督、指导窗口工作人员办理卡经办服务事务；"
    assert len(knowledge.article(22).items) == 6
    # Art. 38 has two real paragraphs.
    assert knowledge.article(38).text.splitlines()[1].startswith("自查总结上报时间为")


def test_join_lines_rules():
    assert join_lines(["甲乙合", "作银行。", "（一）第一项；", "续写", "（二）第二项。", "新段落"]) == (
        "甲乙合作银行。\n（一）第一项；续写\n（二）第二项。\n新段落"
    )


def test_chinese_numerals_round_trip():
    for n in range(1, 200):
        assert chinese_numeral(chinese_number(n)) == n
    assert chinese_numeral("五十六") == 56
    assert chinese_numeral("十七") == 17
    assert chinese_number(20) == "二十"
