"""A summary is recognised by its content, never by its name or the type the client claims."""

from __future__ import annotations

import pytest

from bot.self_inspections import (
    DocumentRefused,
    DocumentTooLarge,
    DocumentType,
    EmptyDocument,
    check_document,
    clean_filename,
    detect_type,
)
from tests.self_inspections import documents


@pytest.mark.parametrize("content, expected", [
    (documents.PDF, DocumentType.pdf),
    (documents.docx(), DocumentType.docx),
    (documents.xlsx(), DocumentType.xlsx),
])
def test_the_three_accepted_types_are_recognised(content, expected):
    assert detect_type(content) is expected
    assert check_document(content, max_bytes=10 * 1024 * 1024) is expected


@pytest.mark.parametrize("content", [
    documents.PNG,
    documents.plain_zip(),
    documents.docx_without_main_part(),
    documents.with_dtd(),
    b"PK\x03\x04 a broken zip",
    b"just text",
    b" %PDF-1.7 with something before the header",
])
def test_anything_else_is_refused(content, knowledge):
    assert detect_type(content) is None
    with pytest.raises(DocumentRefused) as refused:
        check_document(content, max_bytes=1024 * 1024)
    assert refused.value.code == "inspection_file_type" and refused.value.field == "file"
    assert "PDF" in knowledge.messages.explain(refused.value)


def test_an_empty_file_and_one_over_the_limit_are_refused(knowledge):
    with pytest.raises(EmptyDocument, match="inspection_file_empty"):
        check_document(b"", max_bytes=1024)
    with pytest.raises(DocumentTooLarge) as refused:
        check_document(documents.PDF + b"x" * (10 * 1024 * 1024), max_bytes=10 * 1024 * 1024)
    assert knowledge.messages.explain(refused.value) == "文件过大：自查总结文件不能超过 10 MB"
    assert check_document(documents.PDF.ljust(2048, b" "), max_bytes=2048) is DocumentType.pdf  # at the limit


@pytest.mark.parametrize("name, document, expected", [
    ("2026年11月自查总结.pdf", DocumentType.pdf, "2026年11月自查总结.pdf"),
    ("C:\\Users\\zhang\\报告.DOCX", DocumentType.docx, "报告.docx"),
    ("../../etc/passwd", DocumentType.pdf, "passwd.pdf"),
    ("自查<总结>\r\n:v1.2", DocumentType.xlsx, "自查总结v1.2.xlsx"),
    ("scan.png", DocumentType.pdf, "scan.png.pdf"),
    ("  ...  ", DocumentType.pdf, "2026-11.pdf"),
    (None, DocumentType.xlsx, "2026-11.xlsx"),
])
def test_file_names_are_kept_for_people_without_paths_or_unsafe_characters(name, document, expected):
    assert clean_filename(name, document=document, fallback="2026-11") == expected


def test_a_long_name_is_cut_before_its_extension():
    cleaned = clean_filename("总" * 300 + ".pdf", document=DocumentType.pdf, fallback="x")
    assert len(cleaned) == 120 and cleaned.endswith("总.pdf")


def test_a_name_that_claims_another_accepted_type_is_refused(knowledge):
    with pytest.raises(DocumentRefused) as refused:
        clean_filename("自查总结.pdf", document=DocumentType.docx, fallback="2026-11")
    assert knowledge.messages.explain(refused.value) == "文件扩展名 .pdf 与文件内容（DOCX）不符，请检查是否选错了文件"
