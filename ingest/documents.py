"""Office documents (bytes) into clean text: format detected by content, not extension.

Readers here: .docx (python-docx), plain text (UTF-8 / UTF-16 BOM / GB18030). Legacy
.doc/.wps, PDF and archives come with the parsing issue; until then they fail with a
reason the clerk can act on, and the raw file is kept.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree import ElementTree

from zwxx.errors import DocumentError

# Untrusted input: limits before python-docx unpacks anything.
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_TITLE = 60

DOCUMENT_EXTENSIONS = {".docx", ".doc", ".wps", ".txt", ".pdf", ".rtf", ".odt", ".wpt", ".zip"}


@dataclass
class Document:
    name: str  # file name as received (never used as a path)
    title: str
    paragraphs: list[str]  # body paragraphs, title excluded
    doc_chars: int | None = None  # Word's own 字数 from docProps/app.xml


def detect_format(data: bytes) -> str:
    """docx | zip | ole2 | pdf | rtf | html | text | binary."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return "binary"
        return "docx" if "word/document.xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    sniff = data[:1024].lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def split_title(paragraphs: list[str], fallback: str) -> tuple[str, list[str]]:
    """First non-empty short paragraph is the title; else the fallback (file name)."""
    cleaned = [p.strip() for p in paragraphs if p and p.strip()]
    if cleaned and len(cleaned[0]) <= MAX_TITLE and not cleaned[0].endswith(("。", "；")):
        return cleaned[0], cleaned[1:]
    return fallback, cleaned


def _stem(name: str) -> str:
    return PurePath(name).stem if "." in name else name


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise DocumentError(f"文件已损坏，无法打开（{exc}）") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise DocumentError(f"文件内部部件过多（{len(infos)} 个），疑似异常文件，未处理")
    if sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise DocumentError("文件解压后超过 100 MB，疑似压缩炸弹，未处理")


def _app_chars(data: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read("docProps/app.xml")
    except (KeyError, zipfile.BadZipFile):
        return None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    for el in root:
        if el.tag.endswith("}Words") and el.text and el.text.isdigit():
            return int(el.text)
    return None


_HEADING = re.compile(r"^(heading|title|标题)", re.IGNORECASE)


def read_docx(data: bytes, name: str) -> Document:
    import docx  # python-docx; imported here so text-only runs stay light
    from docx.oxml.ns import qn

    _check_zip(data)
    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken files
        raise DocumentError(f"Word 文件无法解析（{type(exc).__name__}）") from None
    paragraphs: list[str] = []
    title: str | None = None
    # Walk the body in order so tables stay where they are in the text.
    for block in doc.element.body.iterchildren():
        if block.tag == qn("w:p"):
            text = "".join(t.text or "" for t in block.iter(qn("w:t"))).strip()
            style = block.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            style_id = style.get(qn("w:val")) if style is not None else ""
            if text and title is None and not paragraphs and _HEADING.match(style_id or ""):
                title = text
                continue
            paragraphs.append(text)
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = []
                for cell in row.iter(qn("w:tc")):
                    cells.append("".join(t.text or "" for t in cell.iter(qn("w:t"))).strip())
                if any(cells):
                    paragraphs.append("\t".join(cells))
    if title is None:
        title, body = split_title(paragraphs, _stem(name))
    else:
        body = [p for p in paragraphs if p.strip()]
    return Document(name=name, title=title, paragraphs=body, doc_chars=_app_chars(data))


def read_text(data: bytes, name: str) -> Document:
    lines = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, body = split_title(lines, _stem(name))
    return Document(name=name, title=title, paragraphs=body)


_UNSUPPORTED = {
    "ole2": "暂不能读取 Word 97-2003（.doc）或 WPS（.wps）格式，请另存为 .docx 后重新报送",
    "pdf": "暂不能读取 PDF 文件，请报送 Word（.docx）文件",
    "rtf": "暂不能读取 RTF 文件，请另存为 .docx",
    "html": "暂不能读取网页文件，请另存为 .docx",
    "zip": "暂不能读取压缩包，请直接报送其中的 Word 文件",
    "binary": "无法识别的文件格式，请报送 Word（.docx）或文本文件",
}


def read_document(data: bytes, name: str) -> Document:
    """Read one document; raises DocumentError with a Chinese reason if it cannot."""
    kind = detect_format(data)
    if kind == "docx":
        return read_docx(data, name)
    if kind == "text":
        return read_text(data, name)
    raise DocumentError(_UNSUPPORTED[kind])


def is_document_name(name: str) -> bool:
    return PurePath(name.lower()).suffix in DOCUMENT_EXTENSIONS
