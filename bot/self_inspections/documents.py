"""Recognising an uploaded summary by its content: PDF, DOCX or XLSX, nothing else.

Neither the file name nor the Content-Type the bank's system sends is trusted: a PDF starts with
``%PDF-``; a DOCX or XLSX is a ZIP package (OOXML) whose ``[Content_Types].xml`` declares its main
part, which must be in the package. The file name is kept for people, cleaned of paths and
control characters, and must not claim another type than the content.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from xml.etree import ElementTree

from .errors import DocumentRefused, DocumentTooLarge, EmptyDocument
from .models import FILENAME_MAX, DocumentType

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
# [Content_Types].xml is a few KiB; a bigger one is not an office document (or is a zip bomb).
_CONTENT_TYPES_MAX = 256 * 1024
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# The main part's content type says which OOXML document the package is (ECMA-376 Part 1).
_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DocumentType.docx,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": DocumentType.xlsx,
}
_EXTENSIONS = {t.extension: t for t in DocumentType}
# Characters no file name needs: path separators, the ones Windows refuses, and controls.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def _ooxml_type(content: bytes) -> DocumentType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            with package.open(info) as part:
                declared = part.read(_CONTENT_TYPES_MAX + 1)
            names = set(package.namelist())
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        return None
    # OOXML never declares a DTD; refusing one keeps entity expansion out of the parser.
    if len(declared) > _CONTENT_TYPES_MAX or b"<!DOCTYPE" in declared.upper() or b"<!ENTITY" in declared.upper():
        return None
    try:
        root = ElementTree.fromstring(declared)
    except ElementTree.ParseError:
        return None
    for override in root.iter(f"{_CONTENT_TYPES_NS}Override"):
        found = _MAIN_PARTS.get(override.get("ContentType", "").strip())
        if found is not None and override.get("PartName", "").lstrip("/") in names:
            return found
    return None


def detect_type(content: bytes) -> DocumentType | None:
    """The document type `content` is, by its bytes; None for anything else."""
    if content.startswith(PDF_MAGIC):
        return DocumentType.pdf
    if content.startswith(ZIP_MAGIC):
        return _ooxml_type(content)
    return None


def clean_filename(name: str | None, *, document: DocumentType, fallback: str) -> str:
    """The bank's file name without paths or unsafe characters, at most FILENAME_MAX characters,
    ending in the content's extension; `fallback` (e.g. the period) when nothing is left.
    DocumentRefused when its extension names another accepted type than the content is."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]  # a client may send its full path
    text = _UNSAFE.sub("", text).strip().strip(".").strip()
    stem, dot, extension = text.rpartition(".")
    claimed = _EXTENSIONS.get(f".{extension.lower()}") if dot else None
    if claimed is not None and claimed is not document:
        raise DocumentRefused("inspection_file_name_mismatch", field="file", extension=f".{extension}",
                              actual=document.value.upper())
    # Another ending (报告v1.2, scan.png) is part of the name: the content's extension follows it.
    stem = (stem if claimed is not None else text).strip() or fallback
    return stem[:FILENAME_MAX - len(document.extension)] + document.extension


def check_document(content: bytes, *, max_bytes: int) -> DocumentType:
    """The type of an uploaded document; DocumentTooLarge over `max_bytes`, EmptyDocument without
    content, DocumentRefused when it is not PDF/DOCX/XLSX."""
    if len(content) > max_bytes:
        raise DocumentTooLarge("inspection_file_too_large", field="file", limit=_megabytes(max_bytes))
    if not content:
        raise EmptyDocument("inspection_file_empty", field="file")
    found = detect_type(content)
    if found is None:
        raise DocumentRefused("inspection_file_type", field="file")
    return found


def _megabytes(size: int) -> str:
    """10485760 → "10 MB", 2048 → "2 KB"; a limit that is no whole number keeps one decimal."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"
