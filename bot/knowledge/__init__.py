"""The SBK knowledge base: the Measures, the taxonomy, answers and rules, loaded from ``knowledge/``.

Use ``get_knowledge()`` for the repository's knowledge (loaded once, on first call) or
``load_knowledge(path)`` for another folder. A broken folder raises ``KnowledgeError``.
"""

from .errors import KnowledgeError, Problem
from .knowledge import Knowledge, normalize_name
from .loader import KNOWLEDGE_FILES, default_root, get_knowledge, load_knowledge, reload_knowledge
from .models import (
    Article,
    Bank,
    Category,
    Channel,
    Chapter,
    District,
    Guide,
    InspectionItem,
    Inspections,
    Intent,
    Materials,
    NoticeCase,
    OperatorConfig,
    OperatorSetting,
    Outlet,
    Rules,
    Statement,
    ThresholdRule,
    TimeLimit,
    chinese_number,
)
from .userdict import build_user_dictionary, write_user_dictionary

__all__ = [
    "KNOWLEDGE_FILES",
    "Article",
    "Bank",
    "Category",
    "Channel",
    "Chapter",
    "District",
    "Guide",
    "InspectionItem",
    "Inspections",
    "Intent",
    "Knowledge",
    "KnowledgeError",
    "Materials",
    "NoticeCase",
    "OperatorConfig",
    "OperatorSetting",
    "Outlet",
    "Problem",
    "Rules",
    "Statement",
    "ThresholdRule",
    "TimeLimit",
    "build_user_dictionary",
    "chinese_number",
    "default_root",
    "get_knowledge",
    "load_knowledge",
    "normalize_name",
    "reload_knowledge",
    "write_user_dictionary",
]
