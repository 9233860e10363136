"""The bank API application: ``create_app()``, or ``uvicorn bot.api.main:app --factory``."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from bot.api.errors import install_error_handlers
from bot.api.middleware import BodySizeLimit
from bot.api.routes import api_router
from bot.knowledge import Knowledge
from bot.nlu.remote import RasaParser, rasa_parser_lifespan
from bot.workdays import WorkdayCalendar

API_PREFIX = "/api/bank"
VERSION = "1.0.0"

DESCRIPTION = """\
青岛市社会保障卡合作银行工单接口（依据《青岛市社会保障卡经办服务监督管理办法》）。

**认证**：每家合作银行使用 `sbk bank register` 发放的本行 API 密钥，放在请求头
`Authorization: Bearer <api_key>` 中。缺少或无效的密钥返回 401。每家银行只能看到本行的工单；
其他银行的工单与不存在的工单一样返回 404。

**操作**：签收工单；反馈处理过程和结果；申请延期（须不迟于到期日前1个工作日提出，第九条）；
对核查结论提出异议（须在5日内，第五十三条）。

**错误**：所有 4xx 响应的格式均为 `{"detail": {"message": "中文说明", "field": "出错的字段或 null"}}`。
422 请求不合法，409 工单状态或期限不允许，404 没有这个工单，401 密钥问题，413 请求体过大。

**个人信息**：事情经过中的身份证号、电话等已遮蔽；市民同意被联系时才提供其联系方式（第九条、第五十一条）。

**工单推送（webhook）**：新的或升级为督办的工单以 JSON `POST` 到本行登记的地址，请求头
`X-SBK-Event`（如 `ticket.created`、`ticket.escalated`）、`X-SBK-Delivery`（投递编号，重试时不变，可用于去重）、
`X-SBK-Signature: sha256=<以本行 webhook_secret 对原始请求体计算的 HMAC-SHA256 十六进制值>`；
未收到 2xx 响应时按退避策略重试。
"""


def create_app(*, engine: Engine | None = None, calendar: WorkdayCalendar | None = None,
               knowledge: Knowledge | None = None, nlu_parser: RasaParser | None = None) -> FastAPI:
    """The bank API over `engine` (default: DATABASE_URL's), `calendar` and `knowledge`
    (default: the repository's); the console's NLU is `nlu_parser` (default: a client of
    Settings.rasa_url, opened and closed with the application)."""
    if engine is None:
        from bot.db import get_engine

        engine = get_engine()
    if knowledge is None:
        from bot.knowledge import get_knowledge

        knowledge = get_knowledge()
    app = FastAPI(
        title="青岛社保卡合作银行工单接口",
        description=DESCRIPTION,
        version=VERSION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=rasa_parser_lifespan,
    )
    app.state.nlu_parser = nlu_parser
    app.state.engine = engine
    app.state.calendar = calendar if calendar is not None else WorkdayCalendar()
    app.state.knowledge = knowledge
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)
    app.include_router(api_router, prefix=API_PREFIX)
    # The web console for 12333 operators and the agencies (/console, and / leads there).
    from bot.console.app import mount_console

    mount_console(app)
    return app


def app() -> FastAPI:
    """Factory for ``uvicorn bot.api.main:app --factory``: the served process masks personal data in logs."""
    from bot.privacy import get_nlp, install_log_masking

    for name in (None, "uvicorn", "uvicorn.access", "uvicorn.error"):
        install_log_masking(name)
    # The masking pipeline takes seconds to build: at start-up, not in the first operator's request.
    get_nlp()
    return create_app()
