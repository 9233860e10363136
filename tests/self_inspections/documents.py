"""Documents for the tests, built as office programs write them: a PDF header, OOXML packages."""

from __future__ import annotations

import io
import zipfile

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _package(main_part: str, content_type: str, *, with_part: bool = True, extra: str = "") -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + extra +
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{main_part}" ContentType="{content_type}"/></Types>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        if with_part:
            package.writestr(main_part, "<document/>")
    return buffer.getvalue()


def docx(**kw) -> bytes:
    return _package("word/document.xml", _WORD_MAIN, **kw)


def xlsx() -> bytes:
    """A real workbook, written by openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "自查总结"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "not an office document")
    return buffer.getvalue()


def with_dtd() -> bytes:
    """A package whose [Content_Types].xml declares entities (no office program writes one)."""
    return docx(extra='<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa">]>')


def docx_without_main_part() -> bytes:
    return docx(with_part=False)
