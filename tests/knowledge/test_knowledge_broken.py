"""A broken knowledge folder fails with one KnowledgeError naming the file and the place."""

import pytest

from bot.knowledge import KnowledgeError, load_knowledge


def load_error(copy) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(copy.root)
    return info.value


def test_intact_copy_loads(knowledge_copy):
    assert len(load_knowledge(knowledge_copy.root).guides) == 17


def test_knowledge_error_is_a_value_error():
    assert issubclass(KnowledgeError, ValueError)


def test_yaml_syntax_error_names_file_and_line(knowledge_copy):
    knowledge_copy.replace("guides.yml", "  time_limit: first_application\n", "  time_limit: [first_application\n")
    line = knowledge_copy.line_of("guides.yml", "time_limit: [first_application")
    error = load_error(knowledge_copy)
    assert error.file == "guides.yml"
    assert "YAML syntax error" in str(error)
    assert str(error).startswith("guides.yml")
    # PyYAML notices the unclosed flow sequence a little later; the line must be near the edit.
    assert error.line is not None and line <= error.line <= line + 3
    assert f"line {error.line}" in str(error)


def test_unknown_article(knowledge_copy):
    knowledge_copy.replace("guides.yml", "  articles: [3, 8, 10, 12, 17, 18]\n", "  articles: [3, 8, 10, 12, 17, 99]\n")
    error = load_error(knowledge_copy)
    message = str(error)
    assert "guides.yml: inquiry/apply.articles[5]" in message
    assert "article 99 does not exist" in message
    assert error.line == knowledge_copy.line_of("guides.yml", "[3, 8, 10, 12, 17, 99]")


def test_unknown_article_in_rules(knowledge_copy):
    knowledge_copy.replace("rules.yml", "      article: 48\n", "      article: 480\n")
    assert "rules.yml: grades.automatic_fail[2].article" in str(load_error(knowledge_copy))


def test_missing_guide(knowledge_copy):
    knowledge_copy.remove_block("guides.yml", "inquiry/photo")
    error = load_error(knowledge_copy)
    assert "guides.yml: inquiry/photo" in str(error)
    assert "no guide for inquiry intent 'inquiry/photo'" in str(error)


def test_guide_for_unknown_intent(knowledge_copy):
    knowledge_copy.replace("guides.yml", "inquiry/photo:\n", "inquiry/photos:\n")
    message = str(load_error(knowledge_copy))
    assert "guides.yml: inquiry/photos" in message and "not an intent" in message
    assert "no guide for inquiry intent 'inquiry/photo'" in message


def test_duplicate_bank_alias(knowledge_copy):
    knowledge_copy.replace("banks.yml", "aliases: [中行, BOC]", "aliases: [中行, BOC, 建行]")
    error = load_error(knowledge_copy)
    message = str(error)
    assert "banks.yml: banks[3].aliases[1]" in message
    assert "duplicate alias '建行'" in message
    assert error.line == knowledge_copy.line_of("banks.yml", "aliases: [建设银行, 建行, CCB]")


def test_duplicate_alias_ignores_case(knowledge_copy):
    knowledge_copy.replace("banks.yml", "aliases: [中行, BOC]", "aliases: [中行, BOC, ccb]")
    assert "duplicate alias" in str(load_error(knowledge_copy))


def test_duplicate_district_alias(knowledge_copy):
    knowledge_copy.replace("districts.yml", "aliases: [崂山]", "aliases: [崂山, 西海岸]")
    message = str(load_error(knowledge_copy))
    assert "districts.yml: districts[5].aliases[3]" in message and "'西海岸'" in message


def test_unknown_time_limit_key(knowledge_copy):
    knowledge_copy.replace("guides.yml", "  time_limit: first_application\n", "  time_limit: first_aplication\n")
    error = load_error(knowledge_copy)
    assert "guides.yml: inquiry/apply.time_limit" in str(error)
    assert "unknown time limit 'first_aplication'" in str(error)
    assert error.line == knowledge_copy.line_of("guides.yml", "time_limit: first_aplication")


def test_unknown_notice_case(knowledge_copy):
    knowledge_copy.replace("guides.yml", "  notice_case: no_photo\n", "  notice_case: photo\n")
    assert "guides.yml: inquiry/photo.notice_case" in str(load_error(knowledge_copy))


def test_misspelt_key(knowledge_copy):
    knowledge_copy.replace("guides.yml", "  time_limit: replacement\n", "  time_limt: replacement\n")
    message = str(load_error(knowledge_copy))
    assert "guides.yml: inquiry/replace.time_limt" in message and "unknown key" in message
    assert "guides.yml: inquiry/replace" in message and "missing required key 'time_limit'" in message


def test_duplicate_yaml_key(knowledge_copy):
    knowledge_copy.replace("time_limits.yml", "replacement:\n", "first_application:\n")
    error = load_error(knowledge_copy)
    assert error.file == "time_limits.yml" and "duplicate key 'first_application'" in str(error)


def test_quote_must_be_in_article(knowledge_copy):
    knowledge_copy.replace("time_limits.yml", "quote: 个人首次申领社会保障卡的，自受理申领之日起7个", "quote: 个人首次申领社会保障卡的，自受理申领之日起5个")
    message = str(load_error(knowledge_copy))
    assert "time_limits.yml: first_application.quote" in message and "not found in article 17" in message


def test_immediate_must_match_days(knowledge_copy):
    knowledge_copy.replace("time_limits.yml", "  working_days: 0\n  immediate: true\n  issued_to: 申领人\n  article: 17\n  quote: 申请临时卡", "  working_days: 1\n  immediate: true\n  issued_to: 申领人\n  article: 17\n  quote: 申请临时卡")
    message = str(load_error(knowledge_copy))
    assert "time_limits.yml: temp_card" in message and "immediate" in message


def test_regulation_statement_may_not_carry_operator_values(knowledge_copy):
    knowledge_copy.replace("guides.yml", "    - text: 网点自受理之日起7个工作日内发卡。\n", "    - text: 网点自受理之日起7个工作日内发卡，可拨打 {service_phone}。\n")
    message = str(load_error(knowledge_copy))
    assert "guides.yml: inquiry/apply.procedure[4].text" in message and "source: operator" in message


def test_unknown_operator_setting(knowledge_copy):
    knowledge_copy.replace("guides.yml", "营业时间：{outlet_hours}。", "营业时间：{opening_hours}。")
    assert "unknown operator setting {opening_hours}" in str(load_error(knowledge_copy))


def test_outlet_in_unknown_district(knowledge_copy):
    knowledge_copy.replace("banks.yml", "{name: 李村支行, district: 李沧区}", "{name: 李村支行, district: 李村区}")
    assert "banks.yml: banks[3].outlets.items[0].district" in str(load_error(knowledge_copy))


def test_damaged_regulation(knowledge_copy):
    knowledge_copy.replace("regulation.txt", "第三十条 ", "第三 十条 ")
    error = load_error(knowledge_copy)
    assert error.file == "regulation.txt"
    assert "article 31 found where article 30 was expected" in str(error)


def test_missing_file(knowledge_copy):
    (knowledge_copy.root / "notices.yml").unlink()
    error = load_error(knowledge_copy)
    assert error.file == "notices.yml" and "not found" in str(error)


def test_several_problems_reported_together(knowledge_copy):
    knowledge_copy.replace("guides.yml", "  time_limit: first_application\n", "  time_limit: nope\n")
    knowledge_copy.replace("banks.yml", "aliases: [交行]", "aliases: [交行, 工行]")
    error = load_error(knowledge_copy)
    assert len(error.problems) == 2
    assert {p.file for p in error.problems} == {"guides.yml", "banks.yml"}


def test_a_misspelling_whose_correction_contains_it_is_refused(knowledge_copy):
    # 社保 → 社保卡 would turn every 社保卡 into 社保卡卡.
    knowledge_copy.replace("vocabulary.yml", "  社报卡: 社保卡\n", "  社报卡: 社保卡\n  社保: 社保卡\n")
    line = knowledge_copy.line_of("vocabulary.yml", "  社保: 社保卡")
    message = str(load_error(knowledge_copy))
    assert f"vocabulary.yml: misspellings.社保 (line {line}): '社保' → '社保卡' would rewrite the word it yields" in message


def test_a_misspelling_that_is_a_term_is_refused(knowledge_copy):
    knowledge_copy.replace("vocabulary.yml", "  注消: 注销\n", "  注消: 注销\n  解挂: 挂失\n")
    assert "'解挂' is a term of this file" in str(load_error(knowledge_copy))


@pytest.mark.parametrize("old, new, place", [
    ("min_similarity: 0.6}", "min_similarity: 1.5}", "rules.yml: duplicates.similar_text.min_similarity"),
    ("  window_days: 7\n", "  window_days: 0\n", "rules.yml: duplicates.window_days"),
    ("  subjects: [outlet, complaint_type]\n", "  subjects: [outlet, branch]\n", "rules.yml: bursts.subjects[1]"),
    ("  baseline_weeks: 4\n", "  baseline_weeks: 1\n", "rules.yml: bursts.baseline_weeks"),
])
def test_duplicate_and_burst_rules_are_checked(knowledge_copy, old, new, place):
    knowledge_copy.replace("rules.yml", old, new)
    assert place in str(load_error(knowledge_copy))
