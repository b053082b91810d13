"""Write the labelled cases (``tests.labelled.cases``) as real files: one .eml per mail
in the OA drop folder's ``<drop>/<file>.eml`` layout (python-docx .docx attachments,
legacy .doc made by LibreOffice from those .docx), a few documents in a unit's
sub-folder, and a test roster with registered addresses."""

from __future__ import annotations

import email
import email.policy
import html
import io
import os
import re
import shutil
import subprocess
import tempfile
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.labelled.cases import EMAILS, Doc, Mail
from zwxx.demo import stable_zip

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = "lcqzwxx@163.com"
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


# ------------------------------------------------------------------------------ roster
def write_roster(source: Path, target: Path) -> Path:
    """``source`` (config/units.toml) with the registered addresses of ``EMAILS``."""
    out, current = [], None
    for line in source.read_text(encoding="utf-8").splitlines():
        match = re.match(r'^name\s*=\s*"([^"]+)"', line)
        if match:
            current = match.group(1)
        if line.startswith("emails") and current in EMAILS:
            line = f'emails = ["{EMAILS[current]}"]'
        out.append(line)
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return target


# ------------------------------------------------------------------------------ documents
def docx_bytes(doc: Doc) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for line in (s for s in doc.masthead.split("\n") if s.strip()):
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.heading:
        document.add_heading(doc.title, level=1)
    else:
        head = document.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        head.add_run(doc.title).bold = True
    for line in doc.lines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return stable_zip(buf.getvalue())


def legacy_docs(docs: list[Doc], soffice: str, work: Path) -> dict[str, bytes]:
    """Every .doc of ``docs`` converted from its .docx by LibreOffice in one run
    (private profile): file name -> bytes."""
    src = work / "src"
    src.mkdir(parents=True, exist_ok=True)
    for n, doc in enumerate(docs):
        (src / f"d{n:03d}.docx").write_bytes(docx_bytes(doc))
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(work / "out"),
            *sorted(str(p) for p in src.glob("*.docx")),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shutil.rmtree(profile, ignore_errors=True)
    return {doc.name: (work / "out" / f"d{n:03d}.doc").read_bytes() for n, doc in enumerate(docs)}


# ------------------------------------------------------------------------------ messages
def _address(sender: tuple[str, str]) -> str:
    name, addr = sender
    return formataddr((name, addr)) if name else addr


def _html(text: str) -> str:
    paragraphs = [f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip()]
    return "<html><body>" + "".join(paragraphs) + "</body></html>"


def _attachment(doc: Doc, legacy: dict[str, bytes]) -> tuple[bytes, tuple[str, str]]:
    if doc.name.endswith(".doc"):
        return legacy[doc.name], ("application", "msword")
    return docx_bytes(doc), DOCX


def legacy_charset_message(mail: Mail, legacy: dict[str, bytes]) -> Message:
    """What Foxmail/Outlook send: GBK text declared as ``mail.charset`` (often gb2312),
    RFC 2047 GBK subject and name, RFC 2231 GBK file names."""
    body = mail.body_text()
    text = MIMEText(_html(body) if mail.html else body, "html" if mail.html else "plain", "gbk")
    text.set_param("charset", mail.charset)
    msg: Message = text
    if mail.attachments:
        msg = MIMEMultipart(boundary=f"=={mail.id}==")
        msg.attach(text)
        for doc in mail.attachments:
            data, kind = _attachment(doc, legacy)
            part = MIMEApplication(data, _subtype=kind[1])
            part.add_header("Content-Disposition", "attachment", filename=("gbk", "", doc.name))
            msg.attach(part)
    name, addr = mail.sender
    msg["From"] = formataddr((name, addr), charset="gbk") if name else addr
    msg["To"] = OFFICE
    msg["Subject"] = Header(mail.subject, "gbk")
    msg["Date"] = format_datetime(mail.when())
    msg["Message-ID"] = f"<{mail.id}.{mail.when():%Y%m%d%H%M}@labelled.zwxx>"
    msg["X-Mailer"] = "Foxmail 7.2.25.254[cn]"
    return msg


def message(mail: Mail, legacy: dict[str, bytes]) -> EmailMessage:
    when = mail.when()
    msg = EmailMessage()
    msg["From"] = _address(mail.sender)
    msg["To"] = OFFICE
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{mail.id}.{when:%Y%m%d%H%M}@labelled.zwxx>"
    for key, value in mail.headers.items():
        msg[key] = value
    if mail.html:
        msg.set_content(_html(mail.body_text()), subtype="html")
    else:
        msg.set_content(mail.body_text())
    for doc in mail.attachments:
        data, kind = _attachment(doc, legacy)
        msg.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=doc.name)
    if mail.enclosed is not None:
        inner = message(mail.enclosed, legacy)
        msg.add_attachment(inner, filename=f"{mail.enclosed.subject}.eml")
    if mail.report:
        _as_report(msg, mail)
    msg.set_boundary(f"=={mail.id}==")  # the default boundary is random
    return msg


def _as_report(msg: EmailMessage, mail: Mail) -> None:
    """A delivery status notification (RFC 3464): multipart/report."""
    if not msg.is_multipart():
        msg.make_mixed()
    msg.set_type("multipart/report")
    msg.set_param("report-type", "delivery-status")
    status = email.message_from_string(
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.163.com\n\n"
        f"Final-Recipient: rfc822; {mail.report}\nAction: failed\nStatus: 5.1.1\n",
        policy=email.policy.default,
    )
    parts = msg.get_payload()
    parts.insert(1, status)


def write_all(drop: Path, mails: list[Mail], legacy: dict[str, bytes]) -> dict[str, Path]:
    """Every mail as ``<drop>/<id>.eml`` (or an OA document in a unit's sub-folder), its
    mtime the receipt time; returns id -> path."""
    paths: dict[str, Path] = {}
    for mail in mails:
        if mail.oa_folder:
            (doc,) = mail.attachments
            path = drop / mail.oa_folder / doc.name
            data = docx_bytes(doc)
        else:
            path = drop / f"{mail.id}.eml"
            built = legacy_charset_message if mail.charset else message
            data = built(mail, legacy).as_bytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = mail.when().timestamp()
        os.utime(path, (stamp, stamp))
        paths[mail.id] = path
    return paths
