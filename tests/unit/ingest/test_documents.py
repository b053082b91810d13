"""Document readers: every format the tests make themselves without LibreOffice (text,
HTML, .docx, archives, PDF). The LibreOffice formats and the shared corpus are in
tests/integration/test_documents.py."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from tests.unit.ingest.helpers import (
    BODY,
    BOX,
    CELLS,
    CJK,
    TITLE,
    make_docx,
    make_zip,
    replace_part,
    text_of,
)
from zwxx.errors import DocumentError
from zwxx.ingest.documents import (
    detect_format,
    is_document_name,
    read_document,
    read_documents,
)
from zwxx.types import decode_text


# ------------------------------------------------------------------- format detection
def test_detect_format_by_content_not_extension() -> None:
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<x/>")
    xlsx = make_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"})
    assert detect_format(make_docx()) == "docx"
    assert detect_format(odt.getvalue()) == "odt"
    assert detect_format(xlsx) == "office"
    assert detect_format(make_zip({"a.docx": make_docx()})) == "zip"
    assert detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)) == "ole2"
    assert detect_format(b"%PDF-1.7\n...") == "pdf"
    assert detect_format(b"Rar!\x1a\x07\x01\x00" + bytes(100)) == "rar"
    assert detect_format(b"{\\rtf1\\ansi hello}") == "rtf"
    assert detect_format(b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert detect_format("标题\n正文".encode("gb18030")) == "text"
    assert detect_format(bytes(range(256)) * 4) == "binary"
    assert is_document_name("报告.WPS") and is_document_name("a.zip")
    assert not is_document_name("照片.jpg")


def test_text_encodings() -> None:
    text = "春耕生产\n全区春耕生产有序推进。\n"
    for data in (
        text.encode(),
        b"\xef\xbb\xbf" + text.encode(),
        text.encode("gb18030"),
        text.encode("utf-16"),
    ):
        assert decode_text(data).replace("\ufeff", "") == text
        (doc,) = read_documents(data, "春耕.txt")
        assert doc.title == "春耕生产"
        assert doc.paragraphs == ["全区春耕生产有序推进。"]


def test_html_visible_text_only() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>页面</title><style>p{}</style></head>"
        "<body><h1>农村改厕稳步实施</h1><p>全区完成改厕&nbsp;300户。</p>"
        "<script>var x = '不要';</script></body></html>"
    ).encode()
    (doc,) = read_documents(page, "a.html")
    assert doc.title == "农村改厕稳步实施"
    assert doc.paragraphs == ["全区完成改厕 300户。"]


# ------------------------------------------------------------------------------ .docx
def test_docx_order_table_and_text_box_once() -> None:
    data = replace_part(
        make_docx(),
        "docProps/app.xml",
        b'<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/extended-properties"><Words>123</Words></Properties>',
    )
    (doc,) = read_documents(data, "春耕.docx")
    assert doc.title == TITLE
    assert doc.paragraphs == [
        BODY[0],
        "\t".join(CELLS),
        "凤城街道\t1200",
        "文本框所在段落。",
        BOX,
        BODY[1],
    ]
    assert text_of(doc).count(BOX) == 1  # mc:Fallback copy skipped, not glued on
    assert doc.doc_chars == 123
    assert doc.review is None and doc.source_format == "docx"


def test_docx_title_from_first_short_paragraph_without_heading_style() -> None:
    import docx

    d = docx.Document()
    for text in ["农村改厕稳步实施", *BODY]:
        d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document(buf.getvalue(), "x.docx")
    assert doc.title == "农村改厕稳步实施"
    assert doc.paragraphs == BODY


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lolololololololololol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n<Properties><Words>&lol9;</Words></Properties>"
)


@pytest.mark.parametrize("part", ["docProps/app.xml", "word/document.xml", "word/extra.dat"])
def test_docx_entity_bomb_is_refused(part: str) -> None:
    data = make_docx()
    if part == "word/document.xml":
        body = zipfile.ZipFile(io.BytesIO(data)).read(part)
        bomb = LAUGHS.split(b"<Properties>")[0].replace(b"lolz", b"w:document")
        bomb = bomb + body.split(b"?>", 1)[1]
    else:
        bomb = LAUGHS
    with pytest.raises(DocumentError, match="实体"):
        read_documents(replace_part(data, part, bomb), "炸弹.docx")


def zeros_zip(name: str, size: int, base: dict[str, bytes] | None = None) -> bytes:
    """A member of ``size`` zero bytes, deflated in-memory (about 200 KB for 200 MB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for member, data in (base or {}).items():
            zf.writestr(member, data)
        with zf.open(name, "w", force_zip64=True) as fh:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = zeros_zip("zeros.bin", 200 * 1024 * 1024)
    assert len(data) < 1024 * 1024  # small on disk, 200 MB unpacked
    return data


def test_zip_bomb_archive_is_refused(bomb: bytes) -> None:
    with pytest.raises(DocumentError, match="压缩炸弹"):
        read_documents(bomb, "材料.zip")


def test_zip_bomb_inside_docx_is_refused(bomb: bytes) -> None:
    docx_parts = zipfile.ZipFile(io.BytesIO(make_docx()))
    base = {n: docx_parts.read(n) for n in docx_parts.namelist()}
    data = zeros_zip("word/media/zeros.bin", 200 * 1024 * 1024, base)
    assert detect_format(data) == "docx"
    with pytest.raises(DocumentError, match="压缩炸弹"):
        read_documents(data, "炸弹.docx")


def test_broken_docx_has_a_chinese_reason() -> None:
    data = make_docx()[:3000]
    with pytest.raises(DocumentError) as info:
        read_documents(data, "坏.docx")
    assert CJK.search(info.value.message)


# --------------------------------------------------------------------------- archives
def gbk_named(data: bytes, placeholder: str, real: str) -> bytes:
    """Rewrite a member name to GBK bytes without the UTF-8 flag, as Windows tools do."""
    raw = real.encode("gbk")
    assert len(raw) == len(placeholder)
    return data.replace(placeholder.encode(), raw)


def test_zip_of_documents_each_is_one_document() -> None:
    first = make_docx("春耕生产有序推进", ["全区春耕生产有序推进。"], extras=False)
    second = make_docx("农村改厕稳步实施", ["全区农村改厕稳步实施。"], extras=False)
    junk = os.urandom(2000)
    data = make_zip(
        {
            "区民政局/第一篇.docx": first,
            "aaaaaa.docx": second,  # renamed to GBK bytes below
            "../../说明.bin": junk,
            "照片.jpg": b"\xff\xd8\xff" + junk,  # pictures are not submissions
            "__MACOSX/._aaaaaa.docx": b"x",
            "目录/": b"",
        }
    )
    data = gbk_named(data, "aaaaaa", "第二篇")
    docs = read_documents(data, "材料.zip")
    assert [d.name for d in docs] == [
        "材料.zip/区民政局/第一篇.docx",
        "材料.zip/第二篇.docx",
        "材料.zip/../../说明.bin",
    ]
    assert [d.title for d in docs[:2]] == ["春耕生产有序推进", "农村改厕稳步实施"]
    assert docs[0].paragraphs == ["全区春耕生产有序推进。"]
    assert docs[0].review is None and docs[1].review is None
    junk_doc = docs[2]
    assert junk_doc.title == "材料.zip/../../说明.bin" and junk_doc.paragraphs == []
    assert CJK.search(junk_doc.review or "")
    assert not Path("../../说明.bin").exists()


def test_nested_archives_at_most_two_deep() -> None:
    doc = make_docx("春耕生产有序推进", ["全区春耕生产有序推进。"], extras=False)
    inner = make_zip({"a.docx": doc})
    middle = make_zip({"inner.zip": inner, "b.docx": doc})
    outer = make_zip({"middle.zip": middle, "c.docx": doc})
    docs = read_documents(outer, "o.zip")
    by_name = {d.name: d for d in docs}
    assert set(by_name) == {"o.zip/middle.zip/inner.zip", "o.zip/middle.zip/b.docx", "o.zip/c.docx"}
    assert "嵌套" in (by_name["o.zip/middle.zip/inner.zip"].review or "")
    assert by_name["o.zip/middle.zip/b.docx"].title == "春耕生产有序推进"


def test_rar_is_refused_with_a_reason_not_skipped() -> None:
    assert is_document_name("材料.rar")
    with pytest.raises(DocumentError, match="RAR"):
        read_documents(b"Rar!\x1a\x07\x00" + os.urandom(200), "材料.rar")


def test_password_member_and_empty_archive() -> None:
    data = bytearray(make_zip({"加密.docx": b"not really encrypted"}))
    # Set the "encrypted" flag bit in the local and the central header (zipfile cannot
    # write encrypted members); the reader must never try to guess a password.
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    (doc,) = read_documents(bytes(data), "x.zip")
    assert "密码" in (doc.review or "")
    with pytest.raises(DocumentError, match="没有可读取"):
        read_documents(make_zip({"照片.png": b"\x89PNG"}), "照片.zip")


# -------------------------------------------------------------------------------- PDF
def _pdf_with_text(lines: list[str]) -> bytes:
    """A PDF whose text layer maps glyph ids to Chinese through a ToUnicode CMap.

    Needs no font on the machine (the glyphs are never drawn), so it runs everywhere.
    """
    chars = sorted({c for line in lines for c in line})
    cid = {c: i + 1 for i, c in enumerate(chars)}
    content = b""
    for n, line in enumerate(lines):
        hexed = "".join(f"{cid[c]:04X}" for c in line)
        content += f"BT /F1 12 Tf 72 {760 - 20 * n} Td <{hexed}> Tj ET\n".encode()
    entries = [f"<{cid[c]:04X}> <{ord(c):04X}>" for c in chars]
    chunks = [entries[i : i + 100] for i in range(0, len(entries), 100)]
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        + "".join(f"{len(c)} beginbfchar\n" + "\n".join(c) + "\nendbfchar\n" for c in chunks)
        + "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/DW 1000 /FontDescriptor 8 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 "
        b"/FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 80 >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_pdf_text_layer_in_chinese() -> None:
    data = _pdf_with_text([TITLE, *BODY])
    (doc,) = read_documents(data, "报告.pdf")
    assert doc.review is None and doc.source_format == "pdf"
    assert doc.title == TITLE
    assert "".join("".join(doc.paragraphs).split()) == "".join("".join(BODY).split())


def test_pdf_without_text_goes_to_review() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    (doc,) = read_documents(buf.getvalue(), "扫描件.pdf")
    assert doc.review == "扫描件（无文字层），请人工核对"
    assert doc.title == "扫描件" and doc.paragraphs == []


def _encrypted(data: bytes, user: str, owner: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_encrypted_pdf() -> None:
    plain = _pdf_with_text([TITLE, *BODY])
    with pytest.raises(DocumentError, match="密码"):
        read_documents(_encrypted(plain, "secret", "owner"), "加密.pdf")
    # Encrypted only against printing/copying (empty user password): read as usual.
    (doc,) = read_documents(_encrypted(plain, "", "owner"), "限制.pdf")
    assert doc.title == TITLE and doc.review is None


def test_broken_pdf() -> None:
    with pytest.raises(DocumentError) as info:
        read_documents(b"%PDF-1.4\n" + os.urandom(500), "坏.pdf")
    assert CJK.search(info.value.message)
