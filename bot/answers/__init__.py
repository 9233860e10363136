"""Replies to citizens, composed from knowledge/: guides, one-time notices, acknowledgements."""

from bot.answers.compose import Reply, compose_reply, render_guide, render_notice

__all__ = ["Reply", "compose_reply", "render_guide", "render_notice"]
