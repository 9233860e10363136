"""/api/bank/self-inspections: the authenticated bank's self-inspection summaries (Art. 38).

A bank uploads a summary per period as multipart/form-data and lists and downloads its own.
Another bank's summary is answered exactly like one that does not exist (404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from bot.self_inspections import (
    DocumentType,
    SelfInspection,
    SelfInspectionCreate,
    SelfInspectionPublic,
    get_submission,
    list_submissions,
    submit,
)
from bot.self_inspections.periods import PATTERN as PERIOD_PATTERN
from bot.web.api.deps import CurrentBank, UploadLimitDep
from bot.web.api.models import ErrorPublic
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep
from bot.web.documents import MAX_ROW_ID, self_inspection_response

UPLOAD_PATH = "/self-inspections"
# What the form's other fields and the multipart framing may add to the file's own size.
UPLOAD_FORM_MARGIN = 64 * 1024


def _error(*, description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


UNAUTHORIZED = {401: _error(description="缺少或无效的 API 密钥（响应带 WWW-Authenticate 头）")}
MALFORMED = {400: _error(description="请求体不是有效的 multipart/form-data")}
INVALID = {422: _error(description="请求不合法（如期间写法不对、不存在的月份或季度、缺少字段、空文件）；detail.field 指出出错的字段")}
NOT_FOUND = {404: _error(description="没有这份自查总结，或它不属于本行")}
NOT_ENDED = {409: _error(description="该期间尚未结束，不能报送自查总结")}
TOO_LARGE = {413: _error(description="文件超过大小上限")}
WRONG_TYPE = {415: _error(description="文件内容不是 PDF、DOCX 或 XLSX，或与文件扩展名不符")}

router = APIRouter(prefix=UPLOAD_PATH, tags=["自查总结"], responses={**UNAUTHORIZED, **INVALID})
# The period's pattern is documented, not enforced by FastAPI: parse_period says in a sentence what is wrong.

SubmissionId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="自查总结的编号（上传时返回的 id）")]


class SelfInspectionsPublic(SQLModel):
    data: list[SelfInspectionPublic]
    count: int = Field(description="条数")


def _public(row: SelfInspection) -> SelfInspectionPublic:
    return SelfInspectionPublic.model_validate(row)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SelfInspectionPublic,
             responses={**MALFORMED, **NOT_ENDED, **TOO_LARGE, **WRONG_TYPE}, summary="报送自查总结")
def upload_self_inspection(
    session: SessionDep, bank: CurrentBank, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
    max_bytes: UploadLimitDep,
    period: Annotated[str, Form(max_length=20, description="自查期间：月度 2026-11，季度 2026-Q3，半年 2026-H1/2026-H2，年度 2026",
                                examples=["2026-11"], json_schema_extra={"pattern": PERIOD_PATTERN})],
    file: Annotated[UploadFile, File(description="自查总结文件：PDF、DOCX 或 XLSX，按内容识别")],
) -> Any:
    """报送一个期间的自查总结（《办法》第三十八条：当期次月3日17:00前，遇节假日顺延至工作日17:00前）。
    只能报送已经结束的期间。同一期间可以再次报送：每次报送都保存为新的版本（version 递增），
    以前的版本不会被覆盖；是否按时以第一次报送的时间为准。"""
    # One byte over the limit is enough to refuse: a larger file is never read whole.
    content = file.file.read(max_bytes + 1)
    row = submit(session, bank=bank.bank, data=SelfInspectionCreate(period=period, filename=file.filename,
                                                                    content=content),
                 max_bytes=max_bytes, now=now, knowledge=knowledge, calendar=calendar)
    return _public(row)


class SelfInspectionFilter(BaseModel):
    """Query parameters of the list; an unknown parameter is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    period: str | None = PydanticField(default=None, max_length=20, description="只看这一期间，如 2026-Q3",
                                       json_schema_extra={"pattern": PERIOD_PATTERN})


@router.get("", response_model=SelfInspectionsPublic, summary="本行报送的自查总结")
def list_self_inspections(session: SessionDep, bank: CurrentBank,
                          query: Annotated[SelfInspectionFilter, Query()]) -> Any:
    """本行报送的自查总结（不含文件内容），新的在前；每个版本一条。"""
    rows = [_public(r) for r in list_submissions(session, bank=bank.bank, period=query.period)]
    return SelfInspectionsPublic(data=rows, count=len(rows))


@router.get("/{submission_id}", response_model=SelfInspectionPublic, responses=NOT_FOUND, summary="查看一份自查总结")
def read_self_inspection(session: SessionDep, bank: CurrentBank, submission_id: SubmissionId) -> Any:
    """一份自查总结的登记信息（期间、文件名、大小、SHA-256、提交时间、截止时间、是否逾期）。"""
    return _public(get_submission(session, submission_id=submission_id, bank=bank.bank))


@router.get("/{submission_id}/content", response_class=Response, responses={
    **NOT_FOUND, 200: {"description": "文件内容，Content-Type 为其类型",
                       "content": {t.media_type: {} for t in DocumentType}}},
    summary="下载一份自查总结")
def download_self_inspection(session: SessionDep, bank: CurrentBank, submission_id: SubmissionId) -> Response:
    """下载本行报送的文件，内容与上传时逐字节相同（可用 sha256 核对）。"""
    row = get_submission(session, submission_id=submission_id, bank=bank.bank, with_content=True)
    return self_inspection_response(row)
