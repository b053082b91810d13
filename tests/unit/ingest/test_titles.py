"""Titles of body-only mails and documents (issue 12): a cover subject is no title, the
body's heading is; a cover note with nothing attached is no item; a 简报's masthead is
neither title nor text."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email.message import EmailMessage

import docx
import pytest

from tests.helpers import eml_bytes
from tests.unit.classify.helpers import ROSTER, RULES
from zwxx.classify.item import Context, build
from zwxx.ingest.documents import read_documents
from zwxx.ingest.extract import COVER_NOTE_IGNORED, extract
from zwxx.types import Incoming

HEADING = "区城管局：开展“清洁家园”集中整治行动"
TEXT = (
    "近日，区城管局组织执法人员对城区主次干道开展集中整治，清理占道经营摊点42处，"
    "拆除违规广告牌15块，规范共享单车停放点位36处。"
)


def incoming(raw: bytes) -> Incoming:
    return Incoming("dropfolder", raw, "x.eml", datetime(2026, 10, 9, tzinfo=UTC))


def plain_mail(subject: str, body: str, sender: str = "zhang.li@qq.com") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "lcqzwxx@163.com"
    msg["Subject"] = subject
    msg.set_content(body)
    return msg.as_bytes()


@pytest.mark.parametrize(
    "subject",
    ["报送信息一条", "信息一条，请查收", "转发：报送", "投稿", "区城管局报送10月份信息2条"],
)
def test_cover_subject_gives_way_to_the_heading(subject: str) -> None:
    got = extract(incoming(plain_mail(subject, f"{HEADING}\n\n{TEXT}\n")))
    (doc,) = got.documents
    assert doc.title == HEADING
    assert HEADING not in "".join(doc.paragraphs)
    draft = build(doc, Context(subject=got.subject, sender=got.sender), ROSTER, RULES)
    assert draft.chars == 61  # the text alone, not the heading
    assert draft.attribution.unit == "区城市管理局"


def test_greeting_and_note_above_the_heading_are_no_part_of_the_text() -> None:
    body = f"信息科：\n现将我局信息一条报送如下，请审阅。\n\n{HEADING}\n{TEXT}\n"
    (doc,) = extract(incoming(plain_mail("报送信息", body))).documents
    assert doc.title == HEADING
    assert [p for p in doc.paragraphs if p.strip()] == [TEXT]


def test_body_heading_beats_a_topic_subject_and_leaves_the_count() -> None:
    got = extract(incoming(plain_mail("秋季茶叶管护", f"茶业口镇开展茶园秋季管护技术培训\n{TEXT}")))
    (doc,) = got.documents
    assert doc.title == "茶业口镇开展茶园秋季管护技术培训"
    assert doc.paragraphs[0] == TEXT


def test_subject_repeated_as_the_first_line_is_still_the_title() -> None:
    title = "区民政局开展敬老月走访慰问活动"
    (doc,) = extract(incoming(plain_mail(title, f"{title}\n{TEXT}"))).documents
    assert doc.title == title and doc.paragraphs == [TEXT, ""]


def test_cover_subject_without_a_heading_keeps_the_subject() -> None:
    (doc,) = extract(incoming(plain_mail("报送信息一条", TEXT))).documents
    assert doc.title == "报送信息一条" and doc.paragraphs[0] == TEXT


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("6月份信息", "附件是6月份信息，请查收。"),
        ("报送信息", "各位领导：\n附件是我局10月份政务信息3条，请查收，谢谢！\n\n王小明\n"),
        ("区民政局信息", "请查收。\n\n发自我的iPhone"),
        ("修改稿", "此为修改稿，请以此稿为准。"),
    ],
)
def test_cover_note_with_nothing_attached_is_no_item(subject: str, body: str) -> None:
    got = extract(incoming(eml_bytes(subject, body, [])))
    assert got.ignored == COVER_NOTE_IGNORED == "只有附言，没有附件或正文信息，不计"
    assert not got.documents


def test_short_genuine_body_only_item_is_counted() -> None:
    text = (
        "近日，区民政局开展敬老月走访慰问活动，走访80岁以上老人360户，"
        "发放慰问金10.8万元，帮助解决实际困难21件。"
    )
    got = extract(incoming(eml_bytes("区民政局开展敬老月走访慰问活动", text, [])))
    assert got.ignored is None
    (doc,) = got.documents
    draft = build(doc, Context(subject=got.subject), ROSTER, RULES)
    assert draft.chars == 50 and draft.attribution.unit == "区民政局"


def _docx(lines: list[tuple[str, str | None]]) -> bytes:
    document = docx.Document()
    for text, style in lines:
        document.add_paragraph(text, style=style)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


TITLE = "全区开展家庭医生签约服务提质行动"
BODY = "今年以来，区卫生健康局组织家庭医生团队入户走访，签约居民12.6万人。"


@pytest.mark.parametrize(
    "masthead",
    [
        [
            ("卫健信息", "Title"),
            ("第15期", None),
            ("区卫生健康局编", None),
            ("2026年11月3日", None),
        ],
        [("城管动态", None), ("（第3期）", None), ("区城市管理局办公室 编印", None)],
        [("内部资料 注意保存", None), ("政务信息", "Title"), ("2026年第8期（总第123期）", None)],
        [("农业农村简报 第7期", "Heading 1"), ("区农业农村局编  2026年10月9日", None)],
    ],
)
@pytest.mark.parametrize("heading", [True, False])
def test_masthead_is_skipped_in_a_docx(
    masthead: list[tuple[str, str | None]], heading: bool
) -> None:
    data = _docx([*masthead, (TITLE, "Heading 1" if heading else None), (BODY, None)])
    (doc,) = read_documents(data, "简报.docx")
    assert doc.title == TITLE
    assert doc.paragraphs == [BODY]
    draft = build(doc, Context(), ROSTER, RULES)
    assert draft.chars == 32  # the masthead counts no 字


def test_masthead_in_a_text_file_and_in_a_body_only_mail() -> None:
    text = "卫健信息\n第15期\n区卫生健康局编\n2026年11月3日\n\n" + TITLE + "\n" + BODY + "\n"
    (doc,) = read_documents(text.encode("utf-8"), "卫健信息.txt")
    assert (doc.title, doc.paragraphs) == (TITLE, [BODY])
    (mail_doc,) = extract(incoming(plain_mail("报送信息一条", text))).documents
    assert mail_doc.title == TITLE and [p for p in mail_doc.paragraphs if p] == [BODY]


# ---------------------------------------------- a body text beside an attached document
LONG_TEXT = TEXT + (
    "整治中，执法人员坚持教育与处罚相结合，向沿街商户发放《市容环境卫生责任告知书》860余份，"
    "督促落实门前三包责任。下一步，区城管局将建立常态化巡查机制，每周开展联合执法不少于两次，"
    "巩固整治成果。"
)


def _mail_with_attachment(body: str, subject: str = "区城管局政务信息") -> bytes:
    attached = docx.Document()
    attached.add_paragraph("城区停车泊位供需矛盾突出")
    attached.add_paragraph("城区现有公共停车泊位1.2万个，缺口约8000个，早晚高峰停车难。")
    buf = io.BytesIO()
    attached.save(buf)
    return eml_bytes(subject, body, [("停车难.docx", buf.getvalue())])


@pytest.mark.parametrize(
    "note", ["一篇正文，一篇附件。", "正文一篇，请审阅。", "您好，附件和正文各一篇信息。"]
)
def test_a_note_about_the_mail_above_a_body_text_beside_an_attachment(note: str) -> None:
    got = extract(incoming(_mail_with_attachment(f"{note}\n\n{HEADING}\n{LONG_TEXT}\n")))
    body = next(d for d in got.documents if not d.name.endswith(".docx"))
    assert body.title == HEADING
    assert [p for p in body.paragraphs if p.strip()] == [LONG_TEXT]


def test_a_short_opening_sentence_of_the_text_is_no_note() -> None:
    """A text that opens with a short sentence and then a sub-heading keeps both."""
    opening = "近日，区城管局召开城区环境整治推进会。"
    got = extract(
        incoming(_mail_with_attachment(f"{opening}\n主要做法\n{LONG_TEXT}\n", "城区环境整治"))
    )
    body = next(d for d in got.documents if not d.name.endswith(".docx"))
    assert body.title == "城区环境整治"
    assert opening in body.paragraphs


def test_a_subject_label_over_several_documents_labels_only_the_one_it_names() -> None:
    """ "报送信息（含专报1篇）" over two documents: the subject marks neither; the
    document with 专报 in its own file name is the 专报."""
    news = docx.Document()
    news.add_paragraph("区城管局举办城市管理开放日活动")
    news.add_paragraph(
        "10月18日，区城管局举办城市管理开放日活动，邀请120余名市民代表走进指挥中心。"
    )
    buf = io.BytesIO()
    news.save(buf)
    raw = eml_bytes("区城管局报送信息（含专报1篇）", "请查收。", [("开放日.docx", buf.getvalue())])
    (doc,) = extract(incoming(raw)).documents
    ctx = Context(subject="区城管局报送信息（含专报1篇）", documents=2)
    assert build(doc, ctx, ROSTER, RULES).category == "dynamic"
    alone = Context(subject="区城管局报送信息（含专报1篇）", documents=1)
    assert build(doc, alone, ROSTER, RULES).category == "special"
