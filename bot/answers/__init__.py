"""Replies to citizens, composed from knowledge/: guides, one-time notices, acknowledgements."""

from bot.answers.compose import Reply, compose_reply, guide_answer, render_guide, render_notice
from bot.answers.layout import Answer, Section, as_telegram_html, as_text

__all__ = ["Answer", "Reply", "Section", "as_telegram_html", "as_text", "compose_reply", "guide_answer",
           "render_guide", "render_notice"]
