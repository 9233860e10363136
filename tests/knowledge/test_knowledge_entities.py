"""Banks and districts: aliases citizens write map to the canonical names."""

import pytest

ALIASES = {
    "中国工商银行": ["工商银行", "工行", "工商行", "ICBC"],
    "中国农业银行": ["农业银行", "农行", "ABC"],
    "中国银行": ["中行", "BOC"],
    "中国建设银行": ["建设银行", "建行", "CCB"],
    "交通银行": ["交行"],
    "中国邮政储蓄银行": ["邮储银行", "邮储", "邮政储蓄", "邮政银行", "邮政"],
    "青岛银行": ["青银"],
    "青岛农商银行": ["农商行", "农商银行", "青岛农商行", "青岛农村商业银行"],
}
CODES = {
    "icbc": "中国工商银行", "abc": "中国农业银行", "boc": "中国银行", "ccb": "中国建设银行",
    "bocom": "交通银行", "psbc": "中国邮政储蓄银行", "qdbank": "青岛银行", "qrcb": "青岛农商银行",
}
DISTRICTS = ["市南区", "市北区", "李沧区", "崂山区", "城阳区", "黄岛区", "即墨区", "胶州市", "平度市", "莱西市"]


def test_eight_banks_with_codes(knowledge):
    assert {b.code: b.name for b in knowledge.banks} == CODES
    for code, name in CODES.items():
        assert knowledge.bank_by_code(code).name == name


@pytest.mark.parametrize(("canonical", "alias"), [(c, a) for c, aliases in ALIASES.items() for a in [c, *aliases]])
def test_bank_alias(knowledge, canonical, alias):
    assert knowledge.canonical_bank(alias) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("建行", "中国建设银行"), ("ccb", "中国建设银行"), ("Ccb", "中国建设银行"), (" 建行 ", "中国建设银行"), ("icbc", "中国工商银行")],
)
def test_bank_lookup_is_forgiving(knowledge, text, canonical):
    assert knowledge.canonical_bank(text) == canonical


@pytest.mark.parametrize("text", ["", "花旗银行", "建", "建行李村支行"])
def test_unknown_bank(knowledge, text):
    assert knowledge.canonical_bank(text) is None


def test_districts(knowledge):
    assert [d.name for d in knowledge.districts] == DISTRICTS
    for name in DISTRICTS:
        assert knowledge.canonical_district(name) == name
        assert knowledge.canonical_district(name[:-1]) == name  # 市南 → 市南区, 胶州 → 胶州市


@pytest.mark.parametrize("alias", ["西海岸", "西海岸新区", "黄岛", "黄岛区"])
def test_west_coast_is_huangdao(knowledge, alias):
    assert knowledge.canonical_district(alias) == "黄岛区"


def test_unknown_district(knowledge):
    assert knowledge.canonical_district("济南") is None


def test_outlets_are_configuration_in_known_districts(knowledge):
    district_names = {d.name for d in knowledge.districts}
    for bank in knowledge.banks:
        assert bank.outlets.source == "operator"
        assert len(bank.outlets.items) >= 3
        for outlet in bank.outlets.items:
            assert outlet.bank == bank.name
            assert outlet.district in district_names
    li_cun = knowledge.bank("建行").outlet("李村支行")
    assert li_cun is not None and li_cun.district == "李沧区"
    assert li_cun.full_name == "中国建设银行李村支行"
    assert li_cun in knowledge.outlets_in("李沧")


def test_operator_configuration_marked(knowledge):
    assert knowledge.operator.source == "operator"
    assert knowledge.operator.service_phone == "12333"
    assert knowledge.operator.disclaimer == "以网点公示为准"
    for key in ("hotline_hours", "outlet_hours", "ticket_follow_up_days"):
        assert key in knowledge.operator.settings
