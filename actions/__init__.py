"""Custom actions of the Rasa dialogue (run with ``python -m rasa_sdk --actions actions``).

Thin by design: each module handles one concern of the conversation and calls ``bot/`` for every
rule (answers from knowledge/, working days, the ledger, privacy). Nothing the assistant says is
written here: sentences come from knowledge/ through ``bot.answers`` or from the dialogue's responses (knowledge/responses.yml).

| module | concern |
|---|---|
| ``inquiries`` | one complete reply from knowledge/ (inquiries, small talk, out of scope) |
| ``progress`` | the date a card is due under Art. 17, from the acceptance date |
| ``complaint_form`` | complaint intake: validation, confirmation, the transfer ticket |
| ``praise`` | praise intake: validation, the confirmation after a correction, recorded and forwarded when a bank is named |
| ``tickets`` | ticket status by number or for the citizen's own tickets |
| ``handoff`` | handoff to a 12333 operator |
| ``one_time_notices`` | the Art. 19 notice registered with a number, and the reminder offered |
| ``fallback`` | low confidence: a clarifying question, then a person |
| ``forms``, ``turn``, ``dates``, ``backoffice`` | what the modules above share |
"""
