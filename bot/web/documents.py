"""A stored document sent back as a download, the same way by the bank API and the console."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from starlette.responses import Response

from bot.self_inspections import SelfInspection

MAX_ROW_ID = 2**31 - 1  # an integer id column's range on PostgreSQL: a larger path id is refused, not sent to it


def attachment(content: bytes, *, filename: str, fallback_stem: str, media_type: str, sha256: str) -> Response:
    """`content` as an attachment named `filename` (RFC 6266/5987 for non-ASCII names, with an ASCII
    `fallback_stem` for old clients); the browser must not guess another type."""
    suffix = PurePosixPath(filename).suffix
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in fallback_stem) + suffix
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": disposition, "X-Content-SHA256": sha256,
                             "X-Content-Type-Options": "nosniff"})


def self_inspection_response(row: SelfInspection) -> Response:
    """A bank's self-inspection summary as an attachment under its (sanitised) name."""
    return attachment(row.content, filename=row.filename, fallback_stem=f"self-inspection-{row.period}",
                      media_type=row.media_type, sha256=row.sha256)
