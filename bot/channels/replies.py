"""The sentences the citizens' channels say, from knowledge/replies.yml (keys ``channel_*``, ``chat_*``)."""

from __future__ import annotations

from bot.knowledge import Knowledge, get_knowledge


class Say:
    """Renders reply templates; the service phone of operator.yml is always available as ${service_phone}."""

    def __init__(self, knowledge: Knowledge | None = None) -> None:
        knowledge = knowledge or get_knowledge()
        self.knowledge = knowledge  # for the names of codes (bot.reports.labels) beside the sentences
        self.messages = knowledge.messages
        self.service_phone = knowledge.operator.service_phone

    def __call__(self, key: str, **values: object) -> str:
        return self.messages.render(key, **{"service_phone": self.service_phone, **values})
