"""Chinese labels for the values reports show (English names stay in code and JSON keys)."""

from __future__ import annotations

VERIFICATION = {"found_true": "查实", "not_true": "不实", "received": "待核查"}
TICKET_KIND = {"transfer": "转办单", "supervision": "督办单"}
TICKET_STATE = {
    "created": "已创建",
    "delivered": "已送达",
    "acknowledged": "已签收",
    "extended": "已延期",
    "result_reported": "已反馈结果",
    "verified": "已核实",
    "closed": "已办结",
}
FIRING_LEVEL = {"official": "正式（查实）", "warning": "预警（已受理未查实）"}
# Short names of the threshold rules of knowledge/rules.yml; an id not listed here is shown as is.
RULE = {
    "outlet_praise_commendation": "网点年度表扬",
    "bank_praise_commendation": "银行年度表扬",
    "outlet_violations": "网点违反操作规程",
    "bank_same_type_complaints": "同类投诉",
    "bank_complaint_volume": "月度投诉量",
    "forced_selling": "强制或诱导购买",
    "overdue_tickets": "逾期工单",
}
INSPECTION_PERIOD = {"month": "月", "quarter": "季", "half_year": "半年", "year": "年度"}
INSPECTION_KIND_BY_LABEL = {label: kind for kind, label in INSPECTION_PERIOD.items()}
ASSESSMENT_SOURCE = {"agency": "市社会保险经办机构评定", "ledger": "台账计算", None: "未评定"}
UNASSIGNED_BANK = "（未指明银行）"
UNASSIGNED_OUTLET = "（未指明网点）"
NOT_GRADED = "待评定"


def rule_label(rule_id: str) -> str:
    return RULE.get(rule_id, rule_id)
