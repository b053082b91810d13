"""Chinese mail into clean text: charsets, header forms, structure, cover notes."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_from_bytes

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import ROOT
from tests.unit.ingest.helpers import GBK_ONLY, b64, mail
from zwxx.errors import DocumentError
from zwxx.ingest.extract import extract
from zwxx.ingest.mime import decode_bytes, parse_message
from zwxx.types import Incoming, safe_text

CORPUS = ROOT.parent / "shared" / "corpus" / "mail"
DOCX_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(title: str, body: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph(body)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def multipart(headers: list[bytes], parts: list[tuple[list[bytes], bytes]]) -> bytes:
    boundary = b"==zwxx-test=="
    chunks = []
    for part_headers, payload in parts:
        chunks.append(b"--" + boundary + b"\r\n" + b"\r\n".join(part_headers) + b"\r\n\r\n")
        chunks.append(payload + b"\r\n")
    chunks.append(b"--" + boundary + b"--\r\n")
    ctype = b'multipart/mixed; boundary="' + boundary + b'"'
    return mail(headers, b"".join(chunks), ctype)


def attachment(disposition: bytes, data: bytes) -> tuple[list[bytes], bytes]:
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (
        [b"Content-Type: " + DOCX_CT.encode(), b"Content-Transfer-Encoding: base64", disposition],
        encoded,
    )


def incoming(raw: bytes, name: str = "x.eml", sender: str | None = None) -> Incoming:
    return Incoming("dropfolder", raw, name, datetime(2026, 10, 9, tzinfo=UTC), sender=sender)


# ------------------------------------------------------------------------------ charsets
def test_gb2312_label_holding_gbk_in_subject_and_body() -> None:
    subject = f"=?gb2312?B?{b64('【动态】' + GBK_ONLY, 'gbk')}?="
    ctype = b"text/plain; charset=gb2312"
    raw = mail([b"Subject: " + subject.encode()], GBK_ONLY.encode("gbk"), ctype)
    msg = parse_message(raw)
    assert msg.subject == "【动态】" + GBK_ONLY
    assert msg.body.strip() == GBK_ONLY


def test_raw_8bit_headers_gbk_and_utf8() -> None:
    gbk = parse_message(mail([b"Subject: " + "区民政局工作动态".encode("gbk")], b"x"))
    assert gbk.subject == "区民政局工作动态"
    utf8 = parse_message(mail([b"Subject: " + "区民政局工作动态".encode()], b"x"))
    assert utf8.subject == "区民政局工作动态"
    sender = parse_message(mail([("From: 张明 <zm@qq.com>".encode("gbk")), b"Subject: s"], b"x"))
    assert sender.sender_name == "张明" and sender.sender == "zm@qq.com"


def test_bogus_and_unknown_charsets_fall_back() -> None:
    text = "今年以来，区发改委完成投资38.6亿元。"
    for label in (b"y", b"x-unknown", b"gb2312"):
        raw = mail([b"Subject: s"], text.encode("gbk"), b"text/plain; charset=" + label)
        assert parse_message(raw).body.strip() == text
    assert decode_bytes(text.encode("utf-8"), "iso-8859-1") != ""  # never raises
    assert decode_bytes(b"\xff\xfe\xfa", "no-such-charset")  # garbage still decodes


def test_big5_declared_is_read_as_big5hkscs() -> None:
    raw = mail(
        [b"Subject: " + "養樂多".encode("big5")],
        "養樂多線上訂購".encode("big5"),
        b"text/plain; charset=big5",
    )
    msg = parse_message(raw)
    assert msg.subject == "養樂多" and msg.body.strip() == "養樂多線上訂購"


# ------------------------------------------------------------------------- file names
@pytest.mark.parametrize(
    "disposition",
    [
        # RFC 2231 in gbk, and in gb2312 holding GBK-only characters
        b"Content-Disposition: attachment; filename*=gbk''"
        + quote_from_bytes("王堃报送.docx".encode("gbk")).encode(),
        b"Content-Disposition: attachment; filename*=gb2312''"
        + quote_from_bytes("王堃报送.docx".encode("gbk")).encode(),
        # RFC 2047 inside a quoted file name
        b'Content-Disposition: attachment; filename="=?GBK?B?'
        + b64("王堃报送.docx", "gbk").encode()
        + b'?="',
        # raw 8-bit GBK bytes
        b'Content-Disposition: attachment; filename="' + "王堃报送.docx".encode("gbk") + b'"',
        # bare base64 of UTF-8
        b'Content-Disposition: attachment; filename="'
        + base64.b64encode("王堃报送".encode())
        + b'.docx"',
    ],
    ids=["rfc2231-gbk", "rfc2231-gb2312", "rfc2047-quoted", "raw-8bit", "bare-base64"],
)
def test_attachment_names(disposition: bytes) -> None:
    raw = multipart([b"Subject: s"], [attachment(disposition, docx_bytes("标题", "正文。"))])
    ((name, data),) = parse_message(raw).attachments
    assert name == "王堃报送.docx"
    assert data.startswith(b"PK")


# ------------------------------------------------------------------------- structure
def test_alternative_prefers_plain_and_html_keeps_paragraphs() -> None:
    alt = (
        b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "纯文本第一段\n纯文本第二段".encode()
        + b"\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + "<p>网页</p>".encode()
        + b"\r\n--alt--"
    )
    msg = parse_message(mail([b"Subject: s"], alt, b'multipart/alternative; boundary="alt"'))
    assert msg.body.split("\n") == ["纯文本第一段", "纯文本第二段"]
    html_only = mail(
        [b"Subject: s"],
        "<html><body><p>第一段&nbsp;内容</p><div>第二段</div>第三<br>段</body></html>".encode(),
        b"text/html; charset=utf-8",
    )
    assert parse_message(html_only).body.split("\n") == ["第一段 内容", "第二段", "第三", "段"]


def test_bom_and_missing_boundary_do_not_break() -> None:
    raw = b"\xef\xbb\xbf" + mail([b"Subject: " + "测试".encode()], "正文".encode("gbk"))
    assert parse_message(raw).subject == "测试"
    broken = mail([b"Subject: s"], "没有边界的正文".encode(), b"multipart/mixed")
    assert "没有边界的正文" in parse_message(broken).body
    with pytest.raises(DocumentError):
        parse_message(b"   ")


def test_forwarded_as_attachment_keeps_the_forwarder() -> None:
    inner = multipart(
        [b"Subject: =?utf-8?B?" + b64("【调研】关于秸秆利用的调研", "utf-8").encode() + b"?="],
        [
            attachment(
                b'Content-Disposition: attachment; filename="diaoyan.docx"',
                docx_bytes("关于秸秆利用的调研", "一、基本情况。" * 30),
            )
        ],
    )
    outer = multipart(
        [
            b"Subject: Fw: =?utf-8?B?"
            + b64("【调研】关于秸秆利用的调研", "utf-8").encode()
            + b"?=",
            b"From: forwarder@lw.gov.cn",
        ],
        [
            ([b"Content-Type: text/plain; charset=utf-8"], "请查收".encode()),
            ([b"Content-Type: message/rfc822"], inner),
        ],
    )
    got = extract(incoming(outer))
    assert got.sender == "forwarder@lw.gov.cn"  # the unit is the one that forwarded it
    assert [d.title for d in got.documents] == ["关于秸秆利用的调研"]
    assert "【调研】" in got.subject


def test_inline_forward_takes_the_forwarded_text() -> None:
    body = (
        '请审阅\n\n-------- 转发邮件信息 --------\n发件人："王磊" <wl@qq.com>\n'
        "发送日期：2026年10月9日\n收件人：lcqzwxx@163.com\n主题：区发改委重点项目建设\n\n"
        "区发改委聚焦重点项目，完成投资38.6亿元。\n（供稿单位：区发改委）"
    )
    raw = mail([b"Subject: " + "区发改委重点项目建设".encode()], body.encode("gbk"))
    got = extract(incoming(raw))
    (doc,) = got.documents
    assert doc.paragraphs[0].startswith("区发改委聚焦重点项目")
    assert not any("发件人" in p or "请审阅" in p for p in doc.paragraphs)


def test_cover_notes_and_copies_are_not_items() -> None:
    att = attachment(
        b'Content-Disposition: attachment; filename="a.docx"',
        docx_bytes("养老服务", "全区新建养老服务站5处，服务老人1200人次。" * 8),
    )
    note = ([b"Content-Type: text/plain; charset=utf-8"], "请查收，谢谢！\n发自我的iPhone".encode())
    assert len(extract(incoming(multipart([b"Subject: s"], [note, att]))).documents) == 1
    copy = (
        [b"Content-Type: text/plain; charset=utf-8"],
        ("养老服务\n" + "全区新建养老服务站5处，服务老人1200人次。" * 8).encode(),
    )
    assert len(extract(incoming(multipart([b"Subject: s"], [copy, att]))).documents) == 1
    text = ("另一条信息：口镇完成小麦播种。" * 12).encode()
    other = ([b"Content-Type: text/plain; charset=utf-8"], text)
    assert len(extract(incoming(multipart([b"Subject: s"], [other, att]))).documents) == 2


def test_auto_reply_and_empty_mail_are_ignored() -> None:
    auto = extract(incoming(mail([b"Subject: " + "自动回复：休假中".encode()], b"x")))
    assert auto.ignored and "自动回复" in auto.ignored
    empty = extract(incoming(mail([b"Subject: hi"], "发自我的iPhone".encode("gbk"))))
    assert empty.ignored and not empty.documents


_REMINDER_QUOTE = (
    "------------------ 原始邮件 ------------------\n"
    '发件人: "区政府办公室信息科"<lcqzwxx@163.com>;\n'
    "发送时间: 2026年10月9日(星期五) 上午9:12\n"
    "主题: 关于报送10月份政务信息的提醒\n\n"
    "各单位：请于10月25日前报送本月政务信息，镇街须报送调研信息1篇、市专报信息2篇。"
    "各单位要高度重视，确保按时保质完成报送任务，未按时报送的将按计分办法扣分。"
)


def reply_mail(subject: str, body: str) -> bytes:
    encoded = f"=?utf-8?B?{b64(subject, 'utf-8')}?="
    return mail(
        [b"From: lwqmzj@163.com", b"Subject: " + encoded.encode()],
        body.encode("utf-8"),
        b"text/plain; charset=utf-8",
    )


def test_short_reply_to_the_reminder_is_no_item() -> None:
    subject = "回复：关于报送10月份政务信息的提醒"
    got = extract(incoming(reply_mail(subject, "收到，我们抓紧报送。\n\n" + _REMINDER_QUOTE)))
    assert got.ignored == "回复邮件，只有简短答复，没有报送内容"
    assert not got.documents  # the office's own reminder is never the unit's text
    quoted = "收到\n\n在 2026年10月9日 上午9:12，区政府办公室信息科 写道：\n> 各单位：请按时报送。"
    got = extract(incoming(reply_mail("Re: 关于报送10月份政务信息的提醒", quoted)))
    assert got.ignored and not got.documents


def test_reply_with_its_text_above_the_quote_keeps_only_that_text() -> None:
    body = (
        "区民政局开展“敬老月”走访慰问活动\n\n"
        "10月以来，区民政局组织工作人员走访慰问全区80岁以上老人360户，发放慰问金10.8万元，"
        "帮助解决实际困难21件。\n\n供稿：区民政局\n\n" + _REMINDER_QUOTE
    )
    got = extract(incoming(reply_mail("回复：关于报送10月份政务信息的提醒", body)))
    assert got.ignored is None
    (doc,) = got.documents
    assert doc.title == "区民政局开展“敬老月”走访慰问活动"
    assert not any("各单位" in p or "发件人" in p for p in doc.paragraphs)


def test_forwarded_submission_is_still_taken_from_inside() -> None:
    body = (
        '转给信息科，请审阅\n\n-------- 转发邮件信息 --------\n发件人："王磊" <wl@qq.com>\n'
        "发送日期：2026年10月9日\n收件人：lwqmzj@163.com\n主题：区民政局开展养老服务检查\n\n"
        "区民政局开展养老服务检查\n\n近日，区民政局对全区23家养老机构开展安全检查，"
        "督促整改消防隐患17处。\n供稿：区民政局"
    )
    raw = reply_mail("转发：区民政局开展养老服务检查", body)
    got = extract(incoming(raw))
    assert got.ignored is None and got.sender == "lwqmzj@163.com"  # the forwarder
    (doc,) = got.documents
    assert doc.title == "区民政局开展养老服务检查"
    assert next(p for p in doc.paragraphs if p.strip()).startswith("近日，区民政局对全区23家")
    assert not any("请审阅" in p or "发件人" in p for p in doc.paragraphs)


@pytest.mark.parametrize(
    "subject",
    [
        "自动回复：休假中",
        "休假中，10月26日返回",
        "Automatic reply: 关于报送",
        "Out of Office: x",
        "外出，急事请拨打6123456",
        "我目前不在办公室",
    ],
)
def test_auto_reply_phrasing_is_ignored(subject: str) -> None:
    got = extract(incoming(reply_mail(subject, "您好，您的邮件已收到，我会尽快处理。")))
    assert got.ignored and "自动回复" in got.ignored


def test_a_title_starting_with_休假_is_a_submission() -> None:
    body = (
        "休假制度落实情况调研\n\n为掌握带薪休假制度落实情况，区人社局对全区45家单位开展"
        "问卷调查，职工年休假落实率为82.6%，较去年提高6.1个百分点。\n供稿：区人社局"
    )
    got = extract(incoming(reply_mail("休假制度落实情况调研", body)))
    assert got.ignored is None
    assert [d.title for d in got.documents] == ["休假制度落实情况调研"]


# ------------------------------------------------------------------------------ corpus
def _reference(raw: bytes) -> str:
    """What the standard library makes of subject + text parts, with GB18030 aliases."""
    raw = re.sub(rb"=\?(gb2312|gbk)\?", b"=?gb18030?", raw.lstrip(b"\xef\xbb\xbf"), flags=re.I)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = [str(msg.get("Subject", ""))]
    for part in msg.walk():
        if part.get_content_maintype() == "text" and not part.get_filename():
            payload = part.get_payload(decode=True) or b""
            cs = (part.get_content_charset() or "utf-8").lower()
            cs = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}.get(cs, cs)
            try:
                out.append(payload.decode(cs))
            except (LookupError, UnicodeDecodeError):
                out.append(payload.decode("utf-8", errors="replace"))
    return "\n".join(out)


def corpus_mails() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".tnef")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
@pytest.mark.parametrize("path", corpus_mails(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_mail_parses_without_fffd_regressions(path: Path) -> None:
    raw = path.read_bytes()
    msg = parse_message(raw)
    ours = msg.subject + "\n" + msg.body
    try:
        reference = _reference(raw)
    except Exception:
        reference = "\ufffd"
    if "\ufffd" not in reference and "\ufffd" not in raw.decode("utf-8", "ignore"):
        assert "\ufffd" not in ours
    extract(incoming(raw, path.name))  # the whole extraction never raises either


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_tnef_attachments_are_extracted() -> None:
    raw = (CORPUS.parent / "mail" / "mimekit" / "tnef" / "rich-text.eml").read_bytes()
    names = [name for name, _ in parse_message(raw).attachments]
    assert "kitten-playing-with-a-christmas-tree.jpg" in names
    bare = (CORPUS / "mimekit-tnef" / "winmail.tnef").read_bytes()
    try:
        got = extract(incoming(bare, "winmail.dat"))
    except DocumentError as exc:
        assert "winmail.dat" in exc.message  # a reason, never a crash
    else:  # read, with an outcome: documents, failures, or why it is no submission
        assert got.documents or got.failures or got.ignored


# ------------------------------------------------------------------------ properties
def _seeds() -> list[bytes]:
    seeds = [p.read_bytes()[:20000] for p in corpus_mails()[:8]]
    seeds.append(mail([b"Subject: " + "测试".encode("gbk")], "正文".encode("gbk")))
    return seeds


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_and_mutated_mail_never_crashes(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(_seeds()))
    if data.draw(st.booleans()):
        raw = data.draw(st.binary(max_size=2000))
    else:
        cut = data.draw(st.integers(0, len(seed)))
        junk = data.draw(st.binary(max_size=64))
        raw = seed[:cut] + junk + seed[cut + len(junk) :]
    try:
        got = extract(incoming(raw, data.draw(st.sampled_from(["m.eml", "f.docx", "f.txt"]))))
    except DocumentError as exc:
        assert exc.message  # a recorded reason, never a traceback
        return
    texts = [got.subject, *(t for d in got.documents for t in (d.title, *d.paragraphs))]
    assert all(isinstance(t, str) for t in texts)
    # What the records get is storable anywhere (PostgreSQL refuses NUL and surrogates).
    assert all("\x00" not in safe_text(t) for t in texts)
    assert all(safe_text(t).encode("utf-8") is not None for t in texts)
