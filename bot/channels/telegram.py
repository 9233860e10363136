"""The citizens' Telegram bot: python-telegram-bot in front of Rasa's REST channel.

Every text a citizen sends goes to Rasa with the sender ``telegram:<chat_id>``; Rasa's replies come
back, its buttons as inline keyboards whose presses are sent to Rasa as the button's payload. A reply
laid out in parts (a guide) is sent in Telegram's HTML, its headings in bold, a few messages split at
part boundaries; if Telegram refuses the HTML, the same content goes as plain text.
Commands: /start, /help, /status (the citizen's tickets from the ledger), /cancel (ends an open form,
or the conversation with a 12333 operator).

While the citizen's conversation is handed over to a 12333 operator (bot.handoff), what they write goes
to the operator's queue instead of to Rasa, and they are told once that a person will reply; the
operator's replies come back through the notice outbox below. When the operator or the citizen
(/cancel) ends the handoff, Rasa answers again.

Nothing a citizen sends is silently lost:
- while Rasa is down, the citizen is told so and the message is kept in the chat's data (saved by the
  configured PicklePersistence, so a restart keeps it) and retried by the JobQueue until Rasa answers;
- stickers, photos, voice, files and locations get a polite request for text; edited messages a note
  that edits are not re-read; unknown commands the help; very long texts are cut with a note;
- floods are refused per citizen with a request to send later (`telegram_rate_per_minute`).

The back office's notices to the citizen (a bank's result, an escalation, a finding) are pushed by a
repeating job from its outbox (`bot.notifications`), with the inline buttons a notice carries.

Satisfaction callbacks (bot.satisfaction): the question's buttons carry ("satisfaction", token,
answer), the token unguessable and checked against the chat, so a citizen can answer only their own
callback. After the answer the citizen may send one comment: the chat remembers the callback for a
few hours (`COMMENT` in the persisted chat data), and the next text within that window is stored as
the comment and never reaches Rasa — so it cannot be read as a new complaint. 跳过, /cancel or the
window running out ends it, and texts go to Rasa as usual. A pressed button whose data the bot's
cache has forgotten is answered as any expired button; the reminder brings fresh ones.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    InvalidCallbackData,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.answers.layout import as_telegram_html, html_to_text
from bot.channels.rasa import RasaBadResponse, RasaClient, RasaReply, RasaUnavailable, make_http_client
from bot.channels.ratelimit import SlidingWindowLimiter, Verdict
from bot.channels.replies import Say
from bot.channels.satisfaction import record_button, record_comment
from bot.clock import Clock, get_clock
from bot.db import make_engine, new_session
from bot.handoff import add_citizen_message, end_by_citizen
from bot.knowledge import get_knowledge
from bot.ledger.tickets import citizen_tickets
from bot.notifications import CitizenMessage, due_messages, mark_failed, mark_sent
from bot.reports import labels
from bot.satisfaction import BUTTON_KIND, SKIP
from bot.settings import Settings, get_settings
from bot.workdays import WorkdayCalendar

logger = logging.getLogger(__name__)

CHANNEL = "telegram"  # citizen_ref prefix and ledger channel code
SERVICES = "services"  # bot_data key of the (not persisted) ChannelServices
PENDING = "pending"  # chat_data key: messages Rasa has not answered yet, oldest first
COMMENT = "satisfaction_comment"  # chat_data key: the callback whose comment the next text is, and until when
TELEGRAM_TEXT_LIMIT = 4096  # characters in one Telegram message
PERSISTENCE_INTERVAL = 5.0  # seconds between saves of chat data (and at every clean stop)
RETRY_MAX_SECONDS = 300.0
STATUS_LIMIT = 10  # tickets /status lists, newest first
MAX_CONCURRENT_UPDATES = 64  # updates in progress at once (of different chats; one chat's are sequential)


class TelegramNotConfigured(RuntimeError):
    """No TELEGRAM_TOKEN: the bot does not start (everything else does)."""


def citizen_ref(chat_id: int) -> str:
    """The citizen's identity in Rasa and the ledger (Case.citizen_ref)."""
    return f"{CHANNEL}:{chat_id}"


@dataclass
class ChannelServices:
    """What the handlers share; kept in bot_data, which is deliberately not persisted."""

    settings: Settings
    rasa: RasaClient
    say: Say
    limiter: SlidingWindowLimiter
    clock: Clock
    _engine: Engine | None = None
    _own_engine: bool = False
    _calendar: WorkdayCalendar | None = None
    # Chats whose retry job is scheduled or running: one retrier per chat keeps the order of messages.
    retrying: set[int] = field(default_factory=set)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
            self._own_engine = True
        return self._engine

    @property
    def calendar(self) -> WorkdayCalendar:
        """The official calendar: a dissatisfied answer gives the reopened ticket a new due date."""
        if self._calendar is None:
            self._calendar = WorkdayCalendar()
        return self._calendar


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats are handled concurrently, those of one chat one after another, in order.

    So a slow answer from Rasa to one citizen does not hold up the others, and one citizen's answers
    keep the order of their messages.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # A chat's lock lives while an update of that chat holds or awaits it.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class ChannelContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext with typed access to the channel's services."""

    @property
    def services(self) -> ChannelServices:
        return self.bot_data[SERVICES]


# --------------------------------------------------------------------------- talking to Rasa


def _keyboard(reply: RasaReply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    # Arbitrary callback data: the payload can exceed Telegram's 64 bytes; the title is kept to quote it.
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=(b.title, b.payload))]
                                 for b in reply.buttons])


def _chunks(text: str) -> list[str]:
    return [text[i:i + TELEGRAM_TEXT_LIMIT] for i in range(0, len(text), TELEGRAM_TEXT_LIMIT)] or [""]


async def send_replies(context: ChannelContext, chat_id: int, replies: list[RasaReply], *,
                       empty: str = "cannot_understand") -> None:
    """Send Rasa's replies in order; buttons go with the last part of their message."""
    say = context.services.say
    if not replies:
        await context.bot.send_message(chat_id, say(empty))
        return
    for reply in replies:
        if reply.answer is not None:
            await _send_answer(context, chat_id, reply)
            continue
        parts = _chunks(reply.text or say("channel_choose"))
        for part in parts[:-1]:
            await context.bot.send_message(chat_id, part)
        await context.bot.send_message(chat_id, parts[-1], reply_markup=_keyboard(reply))


async def _send_answer(context: ChannelContext, chat_id: int, reply: RasaReply) -> None:
    """A laid-out answer in Telegram's HTML, one message per group of sections.

    Should Telegram refuse the HTML, that part and the ones after it go as plain text (the same
    content without the tags): the citizen gets the whole answer once, formatted or not.
    """
    parts = as_telegram_html(reply.answer)
    formatted = True
    for number, part in enumerate(parts, 1):
        markup = _keyboard(reply) if number == len(parts) else None
        if formatted:
            try:
                await context.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup)
                continue
            except BadRequest as exc:
                logger.warning("Telegram refused the HTML of an answer to chat %s (%s); sent as plain text",
                               chat_id, exc)
                formatted = False
        await context.bot.send_message(chat_id, html_to_text(part), reply_markup=markup)


def _schedule_retry(context: ChannelContext, chat_id: int, attempt: int = 0) -> None:
    services = context.services
    if attempt == 0 and chat_id in services.retrying:
        return
    services.retrying.add(chat_id)
    delay = min(services.settings.telegram_rasa_retry_seconds * 2 ** min(attempt, 16), RETRY_MAX_SECONDS)
    context.job_queue.run_once(retry_pending, when=delay, chat_id=chat_id, name=f"rasa-retry:{chat_id}",
                               data={"attempt": attempt})


async def converse(update: Update, context: ChannelContext, message: str, *, shown: str | None = None,
                   empty: str = "cannot_understand") -> None:
    """Send `message` to Rasa for this chat and the replies to the citizen; keep it if Rasa is down."""
    services = context.services
    chat_id = update.effective_chat.id
    # The id stays with the message while it is kept (chat data is persisted): a resend of a message Rasa
    # did process before its answer was lost is answered again, not processed twice (bot/channels/rasa.py).
    item = {"message": message, "shown": shown or message, "empty": empty,
            "received_at": services.clock.now().isoformat(), "message_id": uuid.uuid4().hex}
    pending = context.chat_data.get(PENDING)
    if pending:
        # Earlier messages are still waiting: this one waits behind them, so answers keep their order.
        pending.append(item)
        _schedule_retry(context, chat_id)
        await context.bot.send_message(chat_id, services.say("channel_queued"))
        return
    try:
        replies = await services.rasa.send(citizen_ref(chat_id), message, message_id=item["message_id"])
    except RasaUnavailable as exc:
        logger.warning("Rasa unavailable for chat %s, message kept: %s", chat_id, exc)
        context.chat_data.setdefault(PENDING, []).append(item)
        _schedule_retry(context, chat_id)
        await context.bot.send_message(chat_id, services.say("channel_busy"))
        return
    except RasaBadResponse:
        logger.exception("Rasa answered chat %s with something unusable", chat_id)
        await context.bot.send_message(chat_id, services.say("channel_failed"))
        return
    await send_replies(context, chat_id, replies, empty=empty)


async def retry_pending(context: ChannelContext) -> None:
    """Send the messages kept while Rasa was down, oldest first; try later again if it still is."""
    services = context.services
    chat_id = context.job.chat_id
    attempt = context.job.data["attempt"]
    pending = context.chat_data.get(PENDING) or []
    try:
        while pending:
            item = pending[0]
            try:
                # Messages kept before ids were given have none: sent as before.
                replies = await services.rasa.send(citizen_ref(chat_id), item["message"],
                                                   message_id=item.get("message_id"))
            except RasaUnavailable as exc:
                logger.info("Rasa still unavailable for chat %s (attempt %d): %s", chat_id, attempt + 1, exc)
                _schedule_retry(context, chat_id, attempt + 1)
                return
            except RasaBadResponse:
                logger.exception("Rasa answered a kept message of chat %s with something unusable", chat_id)
                pending.pop(0)
                await context.bot.send_message(chat_id, services.say("channel_failed"))
                continue
            pending.pop(0)
            await context.bot.send_message(chat_id, services.say("channel_delayed_answer", text=item["shown"]))
            await send_replies(context, chat_id, replies, empty=item.get("empty", "cannot_understand"))
        context.chat_data.pop(PENDING, None)
        services.retrying.discard(chat_id)
    except Exception:
        # A failure while sending (Telegram down): what is still pending is tried again later.
        _schedule_retry(context, chat_id, attempt + 1)
        raise


# --------------------------------------------------------------------------- handlers


async def throttle(update: Update, context: ChannelContext) -> None:
    """Stop a citizen's flood before any other handler sees it."""
    chat = update.effective_chat
    if chat is None or not (update.message or update.edited_message or update.callback_query):
        return
    services = context.services
    verdict = services.limiter.hit(chat.id)
    if verdict is Verdict.allowed:
        return
    logger.info("chat %s is over the rate limit", chat.id)
    text = services.say("channel_rate_limited", limit=services.settings.telegram_rate_per_minute)
    if update.callback_query:
        await update.callback_query.answer(text if verdict is Verdict.refused else None)
    elif verdict is Verdict.refused:
        await context.bot.send_message(chat.id, text)
    raise ApplicationHandlerStop


async def start(update: Update, context: ChannelContext) -> None:
    """Greet the citizen and say how to go on."""
    say = context.services.say
    await update.effective_message.reply_text(f"{say('greet')}\n\n{say('channel_start_hint')}")


async def help_command(update: Update, context: ChannelContext) -> None:
    """List what the bot does and its commands."""
    await update.effective_message.reply_text(context.services.say("channel_help"))


async def status(update: Update, context: ChannelContext) -> None:
    """List the citizen's tickets with their state and due date."""
    services = context.services
    ref = citizen_ref(update.effective_chat.id)
    try:
        lines = await asyncio.to_thread(ticket_status_lines, services.engine, ref, services.say)
    except SQLAlchemyError:
        logger.exception("ticket status of %s could not be read", ref)
        lines = [services.say("channel_status_unavailable")]
    await update.effective_message.reply_text("\n".join(lines))


async def cancel(update: Update, context: ChannelContext) -> None:
    """End the citizen's conversation with an operator, or ask Rasa to cancel whatever they are filling in."""
    context.chat_data.pop(COMMENT, None)  # /cancel also ends a comment the bot was waiting for
    if await end_handoff(update, context):
        return
    await converse(update, context, context.services.settings.rasa_cancel_message, shown="/cancel",
                   empty="channel_cancelled")


async def text_message(update: Update, context: ChannelContext) -> None:
    """Pass the citizen's text to Rasa and send its replies."""
    services = context.services
    text = update.message.text
    limit = services.settings.telegram_max_chars
    if len(text) > limit:
        text = text[:limit]
        await update.message.reply_text(services.say("channel_truncated", limit=limit))
    if await take_comment(update, context, text):
        return
    if await to_operator(update, context, text):
        return
    await converse(update, context, text)


async def button(update: Update, context: ChannelContext) -> None:
    """Send the payload of the pressed button to Rasa."""
    query = update.callback_query
    await query.answer()
    title, payload = query.data
    if await to_operator(update, context, title):
        return
    await converse(update, context, payload, shown=title)


def is_satisfaction_button(data: object) -> bool:
    """The callback data of a satisfaction button: ("satisfaction", token, answer or skip)."""
    return isinstance(data, tuple) and len(data) == 3 and data[0] == BUTTON_KIND


async def satisfaction_button(update: Update, context: ChannelContext) -> None:
    """Record the citizen's 满意 / 基本满意 / 不满意 (or 跳过 the comment) and say what follows."""
    query = update.callback_query
    await query.answer()
    services = context.services
    chat_id = update.effective_chat.id
    _kind, token, choice = query.data
    if choice == SKIP:
        waiting = context.chat_data.get(COMMENT)
        if waiting and waiting.get("token") == token:
            context.chat_data.pop(COMMENT, None)
        await context.bot.send_message(chat_id, services.say("satisfaction_comment_skipped"))
        return
    try:
        reply = await asyncio.to_thread(record_button, services.engine, citizen_ref=citizen_ref(chat_id),
                                        token=token, choice=choice, say=services.say, calendar=services.calendar,
                                        now=services.clock.now())
    except SQLAlchemyError:
        logger.exception("the satisfaction answer of chat %s could not be recorded", chat_id)
        await context.bot.send_message(chat_id, services.say("channel_failed"))
        return
    for text in reply.texts:
        await context.bot.send_message(chat_id, text)
    if reply.invite_comment:
        hours = services.say.knowledge.rules.satisfaction.comment_window_hours
        context.chat_data[COMMENT] = {"token": token,
                                      "until": (services.clock.now() + timedelta(hours=hours)).isoformat()}
        skip = InlineKeyboardMarkup([[InlineKeyboardButton(services.say("satisfaction_skip"),
                                                           callback_data=(BUTTON_KIND, token, SKIP))]])
        await context.bot.send_message(chat_id, services.say("satisfaction_comment_invite", hours=hours),
                                       reply_markup=skip)


async def take_comment(update: Update, context: ChannelContext, text: str) -> bool:
    """Keep the text as the comment the citizen was invited to give; False if no comment is awaited."""
    waiting = context.chat_data.pop(COMMENT, None)
    if not waiting:
        return False
    services = context.services
    chat_id = update.effective_chat.id
    if services.clock.now() > datetime.fromisoformat(waiting["until"]):
        return False
    try:
        saved = await asyncio.to_thread(record_comment, services.engine, citizen_ref=citizen_ref(chat_id),
                                        token=waiting["token"], text=text)
    except SQLAlchemyError:
        logger.exception("the satisfaction comment of chat %s could not be recorded", chat_id)
        saved = False
    if saved:
        await context.bot.send_message(chat_id, services.say("satisfaction_comment_saved"))
    return saved


async def expired_button(update: Update, context: ChannelContext) -> None:
    """Tell the citizen a button is too old to be understood."""
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_chat.id, context.services.say("channel_button_expired"))


async def non_text(update: Update, context: ChannelContext) -> None:
    """Ask politely for text instead of a sticker, photo, voice, file or location."""
    await update.message.reply_text(context.services.say("channel_non_text"))


async def edited(update: Update, context: ChannelContext) -> None:
    """Say that an edited message is not read again (its original was answered)."""
    await update.edited_message.reply_text(context.services.say("channel_edited"))


async def unknown_command(update: Update, context: ChannelContext) -> None:
    """Answer a command the bot does not have with the help."""
    say = context.services.say
    command = (update.message.text or "").split()[0]
    await update.message.reply_text(f"{say('channel_unknown_command', command=command)}\n{say('channel_help')}")


async def error_handler(update: object, context: ChannelContext) -> None:
    """Log the error with its traceback and tell the citizen, if there is one, that it failed."""
    logger.error("exception while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and SERVICES in context.bot_data:
        try:
            await context.bot.send_message(update.effective_chat.id, context.services.say("channel_failed"))
        except TelegramError:
            logger.warning("could not tell chat %s about the error", update.effective_chat.id)


# --------------------------------------------------------------------------- handoff to a 12333 operator


def _to_handoff(engine: Engine, ref: str, text: str, now: datetime) -> bool | None:
    with new_session(engine) as session:
        received = add_citizen_message(session, citizen_ref=ref, text=text, now=now)
        session.commit()
    return None if received is None else received.first


def _end_handoff(engine: Engine, ref: str, now: datetime) -> bool:
    with new_session(engine) as session:
        ended = end_by_citizen(session, citizen_ref=ref, now=now)
        session.commit()
    return ended is not None


async def to_operator(update: Update, context: ChannelContext, text: str) -> bool:
    """Pass the text to the operator if the citizen's conversation is handed over; False if it is not."""
    services = context.services
    chat_id = update.effective_chat.id
    try:
        first = await asyncio.to_thread(_to_handoff, services.engine, citizen_ref(chat_id), text, services.clock.now())
    except SQLAlchemyError:
        # Better an answer from the assistant than none: the citizen can still ask for a person again.
        logger.exception("handoff of chat %s could not be read; Rasa answers", chat_id)
        return False
    if first is None:
        return False
    if first:
        await context.bot.send_message(chat_id, services.say("handoff_waiting"))
    return True


async def end_handoff(update: Update, context: ChannelContext) -> bool:
    """End the citizen's open handoff and say the assistant answers again; False if there was none."""
    services = context.services
    chat_id = update.effective_chat.id
    try:
        ended = await asyncio.to_thread(_end_handoff, services.engine, citizen_ref(chat_id), services.clock.now())
    except SQLAlchemyError:
        logger.exception("handoff of chat %s could not be ended", chat_id)
        return False
    if ended:
        await update.effective_message.reply_text(services.say("handoff_closed_by_citizen"))
    return ended


# --------------------------------------------------------------------------- ledger: status and push


def ticket_status_lines(engine: Engine, ref: str, say: Say) -> list[str]:
    """What /status shows for the citizen `ref`: their newest tickets, state and due date in Chinese."""
    with Session(engine) as session:
        _count, tickets = citizen_tickets(session, citizen_ref=ref, limit=STATUS_LIMIT)
    if not tickets:
        return [say("channel_status_none")]
    lines = [say("channel_status_header")]
    for ticket in tickets:
        lines.append(say(
            "channel_status_line", number=ticket.number, kind=labels.ticket_kind(say.knowledge, ticket.kind.value),
            bank=ticket.bank, outlet=ticket.outlet or "", state=labels.ticket_state(say.knowledge, ticket.state.value),
            due=say("date_long", year=ticket.due_date.year, month=ticket.due_date.month, day=ticket.due_date.day),
            provisional=say("channel_status_provisional") if ticket.due_provisional else ""))
        if ticket.result_report:
            lines.append(say("channel_status_result", result=ticket.result_report))
    return lines


def _due_messages(engine: Engine, now: datetime) -> list[tuple[int, str, str, list | None]]:
    with new_session(engine) as session:
        return [(n.id, n.citizen_ref, n.text, n.buttons) for n in due_messages(session, channel=CHANNEL, now=now)]


def _notice_keyboard(buttons: list | None) -> InlineKeyboardMarkup | None:
    """A notice's stored buttons ([title, [data…]]) as an inline keyboard, one button per row."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=tuple(data))] for title, data in buttons])


def _record_message(engine: Engine, notice_id: int, error: str | None, now: datetime) -> None:
    with new_session(engine) as session:
        notice = session.get(CitizenMessage, notice_id)
        if notice is None:
            return
        if error is None:
            mark_sent(session, notice, now=now)
        else:
            mark_failed(session, notice, error=error, now=now)
        session.commit()


async def push_messages(context: ChannelContext) -> None:
    """Push the back office's notices (a bank's result, an escalation) to the citizens."""
    context.services.limiter.forget_idle()  # housekeeping on the same beat: bounded memory
    engine, clock = context.services.engine, context.services.clock
    for notice_id, ref, text, buttons in await asyncio.to_thread(_due_messages, engine, clock.now()):
        try:
            chat_id = int(ref.removeprefix(f"{CHANNEL}:"))
            parts = _chunks(text)
            for part in parts[:-1]:
                await context.bot.send_message(chat_id, part)
            await context.bot.send_message(chat_id, parts[-1], reply_markup=_notice_keyboard(buttons))
        except (ValueError, TelegramError) as exc:
            logger.warning("notice %s to %s not sent: %s", notice_id, ref, exc)
            await asyncio.to_thread(_record_message, engine, notice_id, f"{type(exc).__name__}: {exc}", clock.now())
        else:
            await asyncio.to_thread(_record_message, engine, notice_id, None, clock.now())


# --------------------------------------------------------------------------- the application


async def _post_init(application: Application) -> None:
    """Resume the messages kept before a restart and start pushing notices."""
    services: ChannelServices = application.bot_data[SERVICES]
    for chat_id, data in application.chat_data.items():
        if data.get(PENDING):
            services.retrying.add(chat_id)
            application.job_queue.run_once(retry_pending, when=1.0, chat_id=chat_id,
                                           name=f"rasa-retry:{chat_id}", data={"attempt": 0})
            logger.info("chat %s has %d kept message(s): retrying", chat_id, len(data[PENDING]))
    interval = services.settings.telegram_push_interval
    application.job_queue.run_repeating(push_messages, interval=interval, first=interval, name="push-messages")


async def _post_shutdown(application: Application) -> None:
    """Close the HTTP client to Rasa and the database engine the bot made."""
    services: ChannelServices = application.bot_data[SERVICES]
    await services.rasa.aclose()
    if services._own_engine and services._engine is not None:
        services._engine.dispose()


def build_application(settings: Settings, *, rasa: RasaClient, engine: Engine | None = None,
                      request: BaseRequest | None = None, clock: Clock | None = None) -> Application:
    """The configured bot; it owns `rasa` from now on and closes it at shutdown.

    `engine` defaults to one for `settings.database_url`; `request` replaces python-telegram-bot's HTTP transport (tests);
    `clock` defaults to the system clock.
    Raises TelegramNotConfigured without a token.
    """
    if not settings.telegram_token:
        raise TelegramNotConfigured(get_knowledge().messages.render("cli_telegram_no_token"))
    settings.telegram_persistence_file.parent.mkdir(parents=True, exist_ok=True)
    persistence = PicklePersistence(
        filepath=settings.telegram_persistence_file,
        # bot_data holds the live services (HTTP client, engine): never pickled.
        store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=True),
        update_interval=PERSISTENCE_INTERVAL,
    )
    builder = (Application.builder().token(settings.telegram_token).base_url(settings.telegram_base_url)
               .context_types(ContextTypes(context=ChannelContext)).persistence(persistence)
               .arbitrary_callback_data(True).concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
               .post_init(_post_init).post_shutdown(_post_shutdown))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    application.bot_data[SERVICES] = ChannelServices(
        settings=settings, rasa=rasa, say=Say(),
        limiter=SlidingWindowLimiter(settings.telegram_rate_per_minute, 60.0), clock=clock or get_clock(),
        _engine=engine)

    application.add_handler(TypeHandler(Update, throttle), group=-1)
    new = filters.UpdateType.MESSAGE  # edits arrive as EDITED_MESSAGE and are answered by `edited` only
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
    application.add_handler(CommandHandler("start", start, filters=new))
    application.add_handler(CommandHandler("help", help_command, filters=new))
    application.add_handler(CommandHandler("status", status, filters=new))
    application.add_handler(CommandHandler("cancel", cancel, filters=new))
    application.add_handler(MessageHandler(new & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(MessageHandler(new & (filters.ATTACHMENT | filters.Dice.ALL), non_text))
    application.add_handler(CallbackQueryHandler(expired_button, pattern=InvalidCallbackData))
    application.add_handler(CallbackQueryHandler(satisfaction_button, pattern=is_satisfaction_button))
    application.add_handler(CallbackQueryHandler(button, pattern=tuple))
    application.add_error_handler(error_handler)
    return application


def run(settings: Settings | None = None) -> None:
    """Run the bot until a stop signal: webhook mode when TELEGRAM_WEBHOOK_URL is set, long polling otherwise."""
    settings = settings or get_settings()
    timeout = httpx.Timeout(connect=2.0, read=settings.rasa_timeout, write=5.0, pool=2.0)
    rasa = RasaClient(make_http_client(timeout), base_url=settings.rasa_url)
    application = build_application(settings, rasa=rasa)
    if settings.telegram_webhook_url:
        application.run_webhook(
            listen=settings.telegram_webhook_listen, port=settings.telegram_webhook_port,
            url_path=urlsplit(settings.telegram_webhook_url).path.lstrip("/"),
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret or secrets.token_urlsafe(32),
            allowed_updates=Update.ALL_TYPES, bootstrap_retries=5)
    else:
        application.run_polling(poll_interval=settings.telegram_poll_interval, allowed_updates=Update.ALL_TYPES,
                                bootstrap_retries=5)

