"""Builders for mails and documents, shared by the ingest unit tests and the end-to-end
tests in tests/integration/ (test_mime.py, test_documents.py)."""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile

from tests.helpers import ROOT
from zwxx.types import Document

# ---------------------------------------------------------------------------------- mail
# 镕 喆 堃 are in GBK but not in GB2312: the classic "declared gb2312, written gbk".
GBK_ONLY = "朱镕基 陶喆 王堃"


def b64(text: str, charset: str) -> str:
    return base64.b64encode(text.encode(charset)).decode()


def mail(headers: list[bytes], body: bytes, ctype: bytes = b"text/plain; charset=gbk") -> bytes:
    sender = [] if any(h.lower().startswith(b"from:") for h in headers) else [b"From: t@x.cn"]
    head = [*sender, b"To: lcqzwxx@163.com", b"MIME-Version: 1.0", *headers]
    head.append(b"Content-Type: " + ctype)
    return b"\r\n".join(head) + b"\r\n\r\n" + body + b"\r\n"


# ----------------------------------------------------------------------------- documents
CJK = re.compile(r"[\u4e00-\u9fff]")
CORPUS = ROOT.parent / "shared" / "corpus"

TITLE = "关于全区春耕生产有序推进的情况报告"
BODY = [
    "今年以来，全区各镇街认真落实春耕生产各项措施，完成投资38.6亿元，增长52%。",
    "农业产业化龙头企业新增3家，农村改厕稳步实施，群众满意度持续提升。",
]
BOX = "文本框里的说明文字"
CELLS = ("镇街", "完成面积（亩）")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_BOX_RUN = f"""
<w:r xmlns:w="{W}"
     xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
     xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
     xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
     xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
     xmlns:v="urn:schemas-microsoft-com:vml">
  <mc:AlternateContent>
    <mc:Choice Requires="wps">
      <w:drawing>
        <wp:inline distT="0" distB="0" distL="0" distR="0">
          <wp:extent cx="2743200" cy="457200"/>
          <wp:docPr id="101" name="文本框 1"/>
          <a:graphic>
            <a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
              <wps:wsp>
                <wps:cNvSpPr txBox="1"/>
                <wps:spPr>
                  <a:xfrm><a:off x="0" y="0"/><a:ext cx="2743200" cy="457200"/></a:xfrm>
                  <a:prstGeom prst="rect"><a:avLst/></a:prstGeom>
                </wps:spPr>
                <wps:txbx>
                  <w:txbxContent><w:p><w:r><w:t>{BOX}</w:t></w:r></w:p></w:txbxContent>
                </wps:txbx>
                <wps:bodyPr rot="0" vert="horz" wrap="square"/>
              </wps:wsp>
            </a:graphicData>
          </a:graphic>
        </wp:inline>
      </w:drawing>
    </mc:Choice>
    <mc:Fallback>
      <w:pict>
        <v:shape style="width:216pt;height:36pt" type="#_x0000_t202">
          <v:textbox>
            <w:txbxContent><w:p><w:r><w:t>{BOX}</w:t></w:r></w:p></w:txbxContent>
          </v:textbox>
        </v:shape>
      </w:pict>
    </mc:Fallback>
  </mc:AlternateContent>
</w:r>
"""


def make_docx(title: str = TITLE, body: list[str] = BODY, *, extras: bool = True) -> bytes:
    """A .docx with a heading, body paragraphs, a table and a text box."""
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    doc.add_heading(title, level=1)
    doc.add_paragraph(body[0])
    if extras:
        table = doc.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = CELLS
        table.cell(1, 0).text, table.cell(1, 1).text = "凤城街道", "1200"
        anchor = doc.add_paragraph("文本框所在段落。")
        anchor._p.append(parse_xml(TEXT_BOX_RUN))
    for text in body[1:]:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def replace_part(data: bytes, part: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, content if info.filename == part else src.read(info))
        if part not in src.namelist():
            zf.writestr(part, content)
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def text_of(doc: Document) -> str:
    return "\n".join([doc.title, *doc.paragraphs])


def corpus_manifest() -> dict[str, dict[str, str]]:
    path = CORPUS / "MANIFEST.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
