"""Distinct matters for tests that file several complaints about one bank.

Since a complaint about a matter an open ticket carries joins that ticket (bot.ledger.duplicates),
tests that need several matters give each its own citizen and its own words. The descriptions
below are pairwise below knowledge/rules.yml's similarity threshold (tests/ledger/test_duplicates.py
checks it).
"""

from __future__ import annotations

FEE_COMPLAINTS = (
    "补卡收取了工本费。", "激活时被要求交十元手续费", "办卡前要先交一笔年费", "挂失收了二十块钱还不给收据",
    "柜台乱收服务费", "换卡说要交押金五十元", "取消短信提醒也要扣钱", "开户时多扣了账户管理费",
    "网点乱收费。", "代办人被收取额外费用", "密码重置收了钱", "打印流水收费十元",
)


def fee_complaint(n: int) -> str:
    """The n-th distinct fee complaint (cycling: tests needing more vary the outlet or the time)."""
    return FEE_COMPLAINTS[n % len(FEE_COMPLAINTS)]


def phone(n: int) -> str:
    """The n-th distinct mobile number."""
    return f"139{n:08d}"
