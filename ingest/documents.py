"""Office documents (bytes) into clean text: format detected by content, not extension.

Readers:
- .docx: python-docx's lxml tree (entities never resolved; DOCTYPEs refused beforehand),
  paragraphs and tables in body order, each text box once, after its anchor paragraph.
- .doc / .wps (OLE2 Word binary), .rtf, .odt: LibreOffice to .docx, then the .docx
  reader (see ingest/convert.py); .doc/.wps fall back to catdoc without LibreOffice.
- .pdf: pypdf (ingest/pdf.py); a scan without text goes to review.
- .zip: every document inside is one Document (ingest/archive.py), nesting up to 2 deep.
- .txt: UTF-8 / UTF-16 (BOM) / GB18030; .html: the visible text (stdlib parser).

Every failure is a DocumentError with a Chinese reason; the pipeline keeps the raw file.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from html.parser import HTMLParser
from pathlib import PurePath

from zwxx.classify.titles import skip_masthead
from zwxx.errors import DocumentError
from zwxx.ingest import archive, convert
from zwxx.ingest.pdf import SCANNED_REVIEW, read_pdf_text
from zwxx.types import Document, decode_text

# Untrusted input: limits before python-docx unpacks anything.
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_XML_PART = 30 * 1024 * 1024
MAX_TITLE = 60

DOCUMENT_EXTENSIONS = {
    ".docx", ".doc", ".wps", ".txt", ".pdf", ".rtf", ".odt", ".wpt", ".zip", ".docm",
    ".dotx", ".dot",
    ".rar", ".7z",  # not readable, but named in a failure rather than skipped silently
}  # fmt: skip

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def detect_format(data: bytes) -> str:
    """docx | odt | office | zip | rar | ole2 | pdf | rtf | html | text | binary.

    ``office`` is another OOXML/ODF file (a spreadsheet, slides): not a submission format.
    """
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                mimetype = b""
                if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
                    mimetype = zf.read("mimetype").strip()
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            return "binary"
        if "word/document.xml" in names:
            return "docx"
        if mimetype.startswith(ODT_MIMETYPE):
            return "odt"
        if mimetype.startswith(b"application/vnd.oasis.opendocument") or (
            "[Content_Types].xml" in names
        ):
            return "office"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")):
        return "rar"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    sniff = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def split_title(paragraphs: list[str], fallback: str) -> tuple[str, list[str]]:
    """First non-empty short paragraph is the title; else the fallback (file name). A
    masthead above it (卫健信息 / 第15期 / 区卫生健康局编 / 2026年11月3日) is neither
    title nor text."""
    cleaned = [p.strip() for p in paragraphs if p and p.strip()]
    cleaned = cleaned[skip_masthead(cleaned) :]
    if cleaned and len(cleaned[0]) <= MAX_TITLE and not cleaned[0].endswith(("。", "；")):
        return cleaned[0], cleaned[1:]
    return fallback, cleaned


def _stem(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name or name
    return PurePath(base).stem if "." in base else base


# ----------------------------------------------------------------------------- .docx
def _xml_text(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:64]:
        return raw.decode("utf-16", errors="replace")
    return raw.decode("utf-8", errors="replace")


_STYLE_NAME = re.compile(r'<w:name\s+w:val="([^"]*)"')
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT_START = re.compile(r"<[A-Za-z_]")
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
PROLOG_READ = 4096


def _prolog_declares_entities(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part declares a DOCTYPE/ENTITY before its root element. Only the
    prolog is read (DTDs can stand nowhere else), so checking every part stays cheap."""
    if info.is_dir() or info.file_size == 0:
        return False
    with zf.open(info) as fh:
        head = fh.read(PROLOG_READ)
        text = _xml_text(head).lstrip("\ufeff \t\r\n\x00")
        if not text.startswith("<"):
            return False  # not XML (media, binary parts)
        # A long comment may push the DOCTYPE further: read on to the root element.
        while not _ROOT_START.search(text) and len(head) < MAX_XML_PART:
            more = fh.read(PROLOG_READ * 16)
            if not more:
                break
            head += more
            text = _xml_text(head)
    root = _ROOT_START.search(text)
    return bool(_DECLARATION.search(text[: root.start()] if root else text))


def _relationships(zf: zipfile.ZipFile, rels_name: str) -> dict[str, str]:
    """Relationship type (last path segment) -> target, read with a regex (no parser)."""
    try:
        text = _xml_text(zf.read(rels_name))
    except KeyError:
        return {}
    out: dict[str, str] = {}
    for match in _RELATIONSHIP.finditer(text):
        attrs = dict(_ATTRIBUTE.findall(match.group(1)))
        kind = attrs.get("Type", "").rsplit("/", 1)[-1]
        if kind and attrs.get("Target"):
            out.setdefault(kind, attrs["Target"])
    return out


def _part_name(base_dir: str, target: str) -> str:
    """A relationship target as a zip member name (relative to ``base_dir``)."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in base_dir.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _open_docx(data: bytes) -> tuple[bytes, bytes | None, int | None]:
    """Check an untrusted OOXML package and return (main part, styles part, Word's 字数).

    Limits on entries and unpacked size; no part may declare a DTD (OOXML never does;
    entity bombs need one). app.xml is read with a regex, not a parser.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise DocumentError(f"文件内部部件过多（{len(infos)} 个），疑似异常文件，未处理")
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                raise DocumentError("文件解压后超过 100 MB，疑似压缩炸弹，未处理")
            for info in infos:
                if _prolog_declares_entities(zf, info):
                    raise DocumentError("文件内含 XML 实体声明，疑似恶意文件，未处理")
            main_name = _part_name(
                "", _relationships(zf, "_rels/.rels").get("officeDocument", "word/document.xml")
            )
            folder, _, base = main_name.rpartition("/")
            styles_target = _relationships(zf, f"{folder}/_rels/{base}.rels").get("styles")
            parts = {}
            for key, member in (("main", main_name), ("styles", styles_target)):
                if member is None:
                    continue
                member = _part_name(folder, member) if key == "styles" else member
                member_info = zf.getinfo(member) if member in zf.namelist() else None
                if member_info is None:
                    continue
                if member_info.file_size > MAX_XML_PART:
                    raise DocumentError("文件内部 XML 部件超过 30 MB，疑似异常文件，未处理")
                parts[key] = zf.read(member_info)
            if "main" not in parts:
                raise DocumentError("Word 文件缺少正文部分，无法读取")
            app_chars = None
            if "docProps/app.xml" in zf.namelist():
                app = _xml_text(zf.read("docProps/app.xml")[:MAX_XML_PART])
                match = re.search(r"<(?:\w+:)?Words>\s*(\d{1,9})\s*</", app)
                # 0 is what libraries that never count write: no count, not zero.
                app_chars = int(match.group(1)) if match and int(match.group(1)) else None
            return parts["main"], parts.get("styles"), app_chars
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError) as exc:
        raise DocumentError(f"文件已损坏，无法打开（{type(exc).__name__}）") from None


_HEADING = re.compile(r"^(heading|title|标题)", re.IGNORECASE)


class _DocxWalker:
    """Body blocks in order; text boxes once (mc:Fallback copies skipped)."""

    def __init__(self, qn) -> None:
        self.P, self.TBL, self.TR, self.TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
        self.T, self.TAB, self.TXBX = qn("w:t"), qn("w:tab"), qn("w:txbxContent")
        self.PPR, self.PSTYLE, self.VAL = qn("w:pPr"), qn("w:pStyle"), qn("w:val")
        mc = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
        self.FALLBACK = f"{mc}Fallback"
        self.blocks: list[tuple[str, str]] = []  # (style id, text)

    def inline(self, el, text: list[str], boxes: list) -> None:
        """Text of a paragraph or cell, collecting text boxes instead of gluing them in."""
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag == self.FALLBACK:
                continue
            if tag == self.T:
                text.append(child.text or "")
            elif tag == self.TAB:
                text.append("\t")
            elif tag == self.TXBX:
                boxes.append(child)
            elif tag == self.P and text and text[-1] != " ":
                text.append(" ")  # paragraphs inside one table cell
                self.inline(child, text, boxes)
            else:
                self.inline(child, text, boxes)

    def walk(self, container) -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag == self.FALLBACK:
                continue
            if tag == self.P:
                text: list[str] = []
                boxes: list = []
                self.inline(child, text, boxes)
                style = child.find(f"{self.PPR}/{self.PSTYLE}")
                style_id = style.get(self.VAL) if style is not None else ""
                self.blocks.append((style_id or "", "".join(text).strip()))
                for box in boxes:
                    self.walk(box)
            elif tag == self.TBL:
                self.table(child)
            elif tag == self.TXBX:
                self.walk(child)
            else:  # w:sdt, w:sdtContent, w:customXml, w:ins, mc:AlternateContent/Choice
                self.walk(child)

    def table(self, tbl) -> None:
        boxes: list = []
        for row in tbl:
            if row.tag != self.TR:
                continue
            cells = []
            for cell in row:
                if cell.tag != self.TC:
                    continue
                text: list[str] = []
                self.inline(cell, text, boxes)
                cells.append("".join(text).strip())
            if any(cells):
                self.blocks.append(("", "\t".join(cells)))
        for box in boxes:
            self.walk(box)


def _style_names(styles: bytes | None, ids: set[str]) -> dict[str, str]:
    """Display names of the style ids ``ids`` (Chinese Word uses ids like "1")."""
    if not styles or not ids:
        return {}
    text = _xml_text(styles)
    names = {}
    for style_id in ids:
        at = text.find(f'w:styleId="{style_id}"')
        if at < 0:
            continue
        end = text.find("</w:style>", at)
        match = _STYLE_NAME.search(text, at, end if end > 0 else len(text))
        if match:
            names[style_id] = html.unescape(match.group(1))
    return names


def read_docx(data: bytes, name: str) -> Document:
    """A .docx through python-docx's XML layer: only the main part and the styles are
    parsed (building the whole package object costs several times more per file)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml  # lxml, entities never resolved

    main, styles, doc_chars = _open_docx(data)
    try:
        root = parse_xml(main)
    except Exception as exc:  # lxml raises several kinds on broken XML
        raise DocumentError(f"Word 文件无法解析（{type(exc).__name__}）") from None
    body = root.find(qn("w:body"))
    if body is None:
        raise DocumentError("Word 文件缺少正文部分，无法读取")
    walker = _DocxWalker(qn)
    walker.walk(body)
    # A 简报's masthead (刊名, 期号, 编印单位, date) is neither title nor text.
    texts = [(sid, text) for sid, text in walker.blocks if text]
    walker.blocks = texts[skip_masthead([text for _sid, text in texts]) :]
    # Only the first paragraphs' styles matter (the title); their names are looked up
    # directly, since styles.xml is often hundreds of KB that parsing would cost.
    style_names = _style_names(styles, {sid for sid, _text in walker.blocks[:6] if sid})
    title: str | None = None
    paragraphs: list[str] = []
    for style_id, text in walker.blocks:
        if not text:
            continue
        heading = _HEADING.match(style_id) or _HEADING.match(style_names.get(style_id, ""))
        if title is None and heading and len(paragraphs) < 3 and len(text) <= MAX_TITLE * 2:
            title = text
            continue
        paragraphs.append(text)
    if title is None:
        title, body_paragraphs = split_title(paragraphs, _stem(name))
    else:
        body_paragraphs = paragraphs
    return Document(name=name, title=title, paragraphs=body_paragraphs, doc_chars=doc_chars)


# ------------------------------------------------------------------------ text, html
def read_text(data: bytes, name: str) -> Document:
    lines = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, body = split_title(lines, _stem(name))
    return Document(name=name, title=title, paragraphs=body)


_HTML_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "td", "title", "h1", "h2", "h3", "h4"})


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "head"):
            self.hidden += 1
        elif tag in _HTML_BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self.hidden:
            self.hidden -= 1
        elif tag in _HTML_BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def read_html(data: bytes, name: str) -> Document:
    parser = _HtmlText()
    parser.feed(decode_text(data))
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    title, body = split_title(lines, _stem(name))
    return Document(name=name, title=title, paragraphs=body)


# ------------------------------------------------------------- converted and PDF files
def read_converted(data: bytes, name: str, kind: str) -> Document:
    """.doc/.wps/.rtf/.odt through LibreOffice; .doc/.wps through catdoc without it."""
    try:
        converted = convert.soffice_to_docx(data, kind)
    except convert.ConverterMissing:
        if kind != "ole2":
            raise
        converted = None
    except DocumentError:
        if kind != "ole2" or convert.find_catdoc() is None:
            raise
        converted = None  # LibreOffice could not open it: catdoc may still read the text
    if converted is not None:
        doc = read_docx(converted, name)
    else:
        lines = convert.catdoc_text(data).split("\n")
        title, body = split_title(lines, _stem(name))
        doc = Document(name=name, title=title, paragraphs=body)
    return doc


def read_pdf(data: bytes, name: str) -> Document:
    paragraphs, scanned = read_pdf_text(data)
    if scanned:
        return Document(name=name, title=_stem(name), paragraphs=paragraphs, review=SCANNED_REVIEW)
    title, body = split_title(paragraphs, _stem(name))
    return Document(name=name, title=title, paragraphs=body)


_UNSUPPORTED = {
    "office": "暂不能读取表格或演示文稿（Excel/PPT），请报送 Word 文件",
    # No pure-Python RAR/7z reader exists (rarfile shells out to unrar).
    "rar": "暂不能读取 RAR/7z 压缩包，请改用 zip 压缩包或直接发送其中的文件",
    "binary": "无法识别的文件格式，请报送 Word（.docx/.doc）、WPS、PDF 或文本文件",
}


def read_document(data: bytes, name: str) -> Document:
    """Read one document; raises DocumentError with a Chinese reason if it cannot.

    An archive holding exactly one document is that document; use read_documents for
    archives in general.
    """
    kind = detect_format(data)
    if kind == "zip":
        docs = read_documents(data, name)
        if len(docs) != 1:
            raise DocumentError(f"压缩包内有 {len(docs)} 个文件，不是单个文档")
        return docs[0]
    doc = _read_single(data, name, kind)
    doc.source_format = kind
    return doc


def _read_single(data: bytes, name: str, kind: str) -> Document:
    if kind == "docx":
        return read_docx(data, name)
    if kind == "text":
        return read_text(data, name)
    if kind == "html":
        return read_html(data, name)
    if kind == "pdf":
        return read_pdf(data, name)
    if kind in ("ole2", "rtf", "odt"):
        return read_converted(data, name, kind)
    raise DocumentError(_UNSUPPORTED.get(kind, _UNSUPPORTED["binary"]))


def read_documents(data: bytes, name: str) -> list[Document]:
    """Every document in ``data``: one for a document, several for an archive.

    Raises DocumentError when the file as a whole cannot be read (including an archive
    over a limit). A member of an archive that cannot be read becomes a Document with
    no text and ``review`` set to the reason, so the clerk sees it.
    """
    if detect_format(data) != "zip":
        return [read_document(data, name)]
    docs = _read_archive(data, name, depth=1, budget=archive.Budget())
    if not docs:
        raise DocumentError("压缩包中没有可读取的文档")
    return docs


def _unreadable(name: str, reason: str) -> Document:
    return Document(name=name, title=name, paragraphs=[], review=reason)


def _read_archive(data: bytes, name: str, depth: int, budget: archive.Budget) -> list[Document]:
    docs: list[Document] = []
    for member in archive.members(data, budget):
        label = f"{name}/{member.name}"
        if budget.documents_left <= 0:
            raise DocumentError(f"压缩包内文档超过 {archive.MAX_DOCUMENTS} 个，未处理")
        if member.data is None:
            budget.documents_left -= 1
            docs.append(_unreadable(label, member.error or "无法读取"))
            continue
        kind = detect_format(member.data)
        if kind == "zip":
            if depth >= archive.MAX_DEPTH:
                budget.documents_left -= 1
                docs.append(_unreadable(label, f"压缩包嵌套超过 {archive.MAX_DEPTH} 层，未展开"))
                continue
            try:
                docs.extend(_read_archive(member.data, label, depth + 1, budget))
            except DocumentError as exc:
                budget.documents_left -= 1
                docs.append(_unreadable(label, exc.message))
            continue
        budget.documents_left -= 1
        try:
            doc = _read_single(member.data, label, kind)
            doc.source_format = kind
        except DocumentError as exc:
            doc = _unreadable(label, exc.message)
        docs.append(doc)
    return docs


def is_document_name(name: str) -> bool:
    return PurePath(name.lower()).suffix in DOCUMENT_EXTENSIONS
